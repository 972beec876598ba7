import { ApiError, type FieldError } from '../api/client';
import { hasMessage, useI18n, type Translate } from '../i18n';
import { fieldErrorText, fieldLabel, splitValidationMessage } from '../i18n/field-errors';

/** Dictionary prefixes of the values an error names: a vehicle type, a plate kind, a case status, a channel. */
const PARAM_WORDS: Record<string, string> = {
  kind: 'plateKind.',
  registered: 'vehicle.',
  caseType: 'vehicle.',
  status: 'status.',
  channel: 'channel.',
};

/** An error's parameters in the reader's words: coded values through the dictionary, numbers with locale digits. */
export function errorParams(t: Translate, params: Record<string, string | number>, formatNumber: (n: number) => string = String): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const word = PARAM_WORDS[name] ? `${PARAM_WORDS[name]}${value}` : '';
    out[name] = word && hasMessage(word) ? t(word) : typeof value === 'number' ? formatNumber(value) : value;
  }
  return out;
}

/** A failed request in the reader's language: known api codes by their sentence, 5xx with the request id to quote. */
export function apiErrorText(t: Translate, error: Error, formatNumber?: (n: number) => string): string {
  if (!(error instanceof ApiError)) return error instanceof TypeError ? t('error.network') : error.message;
  if (error.status === 403) return t('error.forbidden');
  if (error.status >= 500) return t('error.server', { id: error.requestId ?? '-' });
  const key = `apiError.${error.code}`;
  if (hasMessage(key)) return t(key, errorParams(t, error.params, formatNumber));
  if (error.status === 404) return t('error.notFound');
  return t('apiError.other', { code: error.code });
}

/** The field errors of a refused request (the api's list, or fastify's one validation message). */
function fieldErrorsOf(error: ApiError): FieldError[] {
  if (error.fieldErrors.length > 0) return error.fieldErrors;
  const one = error.code === 'validation' ? splitValidationMessage(error.message) : null;
  return one ? [one] : [];
}

/** Shows why a request failed; a refused document lists each field in words with what is wrong with it. */
export function ErrorNote({ error }: { error: Error | null }) {
  const { t, formatNumber } = useI18n();
  if (!error) return null;
  const fields = error instanceof ApiError ? fieldErrorsOf(error) : [];
  return (
    <div role="alert" className="error">
      <p>{apiErrorText(t, error, formatNumber)}</p>
      {fields.length > 0 && (
        <ul data-testid="field-errors">
          {fields.map((f, i) => (
            <li key={i} data-path={f.path}>
              {fieldLabel(t, f.path)}: {fieldErrorText(t, f.message)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
