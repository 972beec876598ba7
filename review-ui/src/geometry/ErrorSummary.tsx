import { useI18n } from '../i18n';
import { fieldErrorText, fieldLabel } from '../i18n/field-errors';
import { KIND_LABEL } from './labels';
import { selectionOfPath, type Selection, type ServerFieldError } from './model';

/** The server's errors above the editor; each names its item as a link that selects it and focuses the field. */
export function ErrorSummary({ errors, onPick }: { errors: ServerFieldError[]; onPick: (s: Selection, path: string) => void }) {
  const { t } = useI18n();
  if (errors.length === 0) return null;
  return (
    <div className="error-summary" role="alert" aria-labelledby="geo-err-title">
      <h3 id="geo-err-title">{t('geo.errorsTitle', { n: errors.length })}</h3>
      <ul>
        {errors.map((e, i) => {
          const s = selectionOfPath(e.path);
          return (
            <li key={i}>
              {s ? (
                <button type="button" className="link" onClick={() => onPick(s, e.path)}>
                  {t(KIND_LABEL[s.kind])} {s.index + 1}
                </button>
              ) : null}{' '}
              {fieldLabel(t, e.path)}: {fieldErrorText(t, e.message)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
