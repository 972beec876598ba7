import { ApiError } from '../api/client';
import { useI18n } from '../i18n';

/** Shows why a request failed: the server's message for 4xx, the request id for 5xx (to quote to support). */
export function ErrorNote({ error }: { error: Error | null }) {
  const { t } = useI18n();
  if (!error) return null;
  let text = error instanceof ApiError || error instanceof TypeError ? t('error.network') : error.message;
  if (error instanceof ApiError) {
    if (error.status === 403) text = t('error.forbidden');
    else if (error.status === 404) text = t('error.notFound');
    else if (error.status >= 500) text = t('error.server', { id: error.requestId ?? '-' });
    else text = error.message;
  }
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}
