// The selected item's fields, one form per kind, with the server's errors that no field shows listed under them.
import type { ReactNode } from 'react';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { CameraLamps } from '@phatnguoi/core/contracts/api/cameras';
import { useI18n } from '../i18n';
import { fieldErrorText, fieldLabel } from '../i18n/field-errors';
import { Field, IdField } from './fields';
import { KIND_LABEL } from './labels';
import { LaneFields } from './LaneFields';
import { errorsUnder, insertVertex, itemPath, removeVertex, updateItem, type Selection, type ServerFieldError } from './model';
import { SignalHeadFields } from './SignalHeadFields';

/** What every kind's fields get: the geometry, the item's index and JSON path, the server's errors. */
export interface ItemFieldsProps {
  g: CameraGeometry;
  index: number;
  base: string;
  errors: ServerFieldError[];
  onChange: (g: CameraGeometry) => void;
}

export function ItemForm({
  g,
  lamps,
  sel,
  errors,
  activeVertex,
  onChange,
  onRemove,
}: {
  g: CameraGeometry;
  lamps: CameraLamps | null | undefined;
  sel: Selection;
  errors: ServerFieldError[];
  activeVertex: number;
  onChange: (g: CameraGeometry) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const base = itemPath(sel);
  const other = errorsUnder(errors, base).filter(
    (e) => !/\.(id|name|approach|allowedClasses|turns|stopLineId|signalHeadId|kind|direction)(\[|$)/.test(e.path.slice(base.length)),
  );
  const props: ItemFieldsProps = { g, index: sel.index, base, errors, onChange };
  let body: ReactNode;
  if (sel.kind === 'stopLines') body = <StopLineFields {...props} />;
  else if (sel.kind === 'lanes') body = <LaneFields {...props} activeVertex={activeVertex} />;
  else if (sel.kind === 'solidLines') body = <SolidLineFields {...props} activeVertex={activeVertex} />;
  else body = <SignalHeadFields {...props} lamps={lamps} />;
  return (
    <section className="geo-form" aria-label={`${t(KIND_LABEL[sel.kind])} ${sel.index + 1}`}>
      <h3>
        {t(KIND_LABEL[sel.kind])} {sel.index + 1}
      </h3>
      {body}
      {other.length > 0 && (
        <ul className="field-error" role="alert">
          {other.map((e, i) => (
            <li key={i}>
              {fieldLabel(t, e.path)}: {fieldErrorText(t, e.message)}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="danger" onClick={onRemove}>
        {t('geo.remove')}
      </button>
    </section>
  );
}

function StopLineFields({ g, index, base, errors, onChange }: ItemFieldsProps) {
  const { t } = useI18n();
  const s = g.stopLines[index]!;
  return (
    <>
      <IdField base={base} value={s.id} onChange={(id) => onChange(updateItem(g, 'stopLines', index, { id }))} errors={errors} />
      <Field label={t('geo.approach')} path={`${base}.approach`} errors={errors}>
        {(p) => <input {...p} value={s.approach} onChange={(e) => onChange(updateItem(g, 'stopLines', index, { approach: e.target.value }))} />}
      </Field>
      <p className="hint">{t('geo.stopLineHint')}</p>
    </>
  );
}

function SolidLineFields({ g, index, base, errors, onChange, activeVertex }: ItemFieldsProps & { activeVertex: number }) {
  const { t } = useI18n();
  const s = g.solidLines[index]!;
  return (
    <>
      <IdField base={base} value={s.id} onChange={(id) => onChange(updateItem(g, 'solidLines', index, { id }))} errors={errors} />
      <Field label={t('geo.solidKind')} path={`${base}.kind`} errors={errors}>
        {(p) => (
          <select {...p} value={s.kind} onChange={(e) => onChange(updateItem(g, 'solidLines', index, { kind: e.target.value as 'single' | 'double' }))}>
            <option value="single">{t('geo.single')}</option>
            <option value="double">{t('geo.double')}</option>
          </select>
        )}
      </Field>
      <div className="row">
        <button type="button" onClick={() => onChange(insertVertex(g, 'solidLines', index, activeVertex))}>
          {t('geo.addVertex')}
        </button>
        <button type="button" onClick={() => onChange(removeVertex(g, 'solidLines', index, activeVertex))} disabled={s.points.length <= 2}>
          {t('geo.removeVertex')}
        </button>
      </div>
    </>
  );
}
