import { ApiError } from '../api/client';
import { hasMessage, useI18n } from '../i18n';

/** Shows why a request failed: the server's message for 4xx, the request id for 5xx (to quote to support). */
export function ErrorNote({ error }: { error: Error | null }) {
  const { t } = useI18n();
  if (!error) return null;
  let text = error instanceof ApiError || error instanceof TypeError ? t('error.network') : error.message;
  if (error instanceof ApiError) {
    if (error.status === 403) text = t('error.forbidden');
    else if (error.status === 404) text = t('error.notFound');
    else if (error.status >= 500) text = t('error.server', { id: error.requestId ?? '-' });
    // a known error code has its own sentence in each language; the server's text (English) is the fallback
    else if (error.code === 'validation') text = `${t('apiError.validation')} (${error.message})`;
    else text = hasMessage(`apiError.${error.code}`) ? t(`apiError.${error.code}` as Parameters<typeof t>[0]) : error.message;
  }
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}
