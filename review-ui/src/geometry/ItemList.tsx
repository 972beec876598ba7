import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { useI18n } from '../i18n';
import { ITEM_KINDS, KIND_LABEL } from './labels';
import { errorsUnder, itemPath, type Selection, type ServerFieldError } from './model';

/** Every item of the geometry as a button that selects it, marked when the server found errors in it. */
export function ItemList({
  g,
  sel,
  onSelect,
  errors,
}: {
  g: CameraGeometry;
  sel: Selection | null;
  onSelect: (s: Selection) => void;
  errors: ServerFieldError[];
}) {
  const { t } = useI18n();
  return (
    <ul className="geo-items">
      {ITEM_KINDS.flatMap((kind) =>
        (g[kind] as { id: string }[]).map((it, index) => {
          const bad = errorsUnder(errors, itemPath({ kind, index })).length > 0;
          return (
            <li key={`${kind}-${index}`}>
              <button
                type="button"
                aria-pressed={sel?.kind === kind && sel.index === index}
                className={bad ? 'has-error' : undefined}
                onClick={() => onSelect({ kind, index })}
              >
                {t(KIND_LABEL[kind])}: {it.id}
                {bad ? ` ⚠ ${t('geo.hasErrors')}` : ''}
              </button>
            </li>
          );
        }),
      )}
    </ul>
  );
}
