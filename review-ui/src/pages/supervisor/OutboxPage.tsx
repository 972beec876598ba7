// The outbox as owners receive it: in the demo, the e-mails (with the notice PDF) and text messages the local mail
// catcher and SMS sink received, and the post batches with their printable list.
import { useEffect, useState } from 'react';
import { apiUrl, call } from '../../api/client';
import { deskPaths } from '../../api/desk-paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';

export default function OutboxPage() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const box = useApi((signal) => call('GET /api/outbox', { signal }), 'outbox');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const reload = box.reload;
  // deliveries arrive a moment after a notice is issued: look again every few seconds
  useEffect(() => {
    const timer = window.setInterval(reload, 4000);
    return () => window.clearInterval(timer);
  }, [reload]);
  const makeBatch = async () => {
    setError(null);
    try {
      const b = await call('POST /api/post-batches');
      setMessage(b.count ? t('outbox.batchMade', { n: b.count }) : t('outbox.batchEmpty'));
      reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const o = box.data;
  return (
    <section className="outbox">
      <h1>{t('outbox.title')}</h1>
      <p>{o && !o.catcher ? t('outbox.catcherOff') : t('outbox.intro')}</p>
      <ErrorNote error={box.error ?? error} />
      <h2>{t('outbox.emails')}</h2>
      {!o || o.emails.length === 0 ? (
        <p>{t('outbox.none')}</p>
      ) : (
        <ul className="case-list" data-testid="outbox-emails">
          {o.emails.map((m) => (
            <li key={m.id} className="panel">
              <p>
                <strong>{t('outbox.subject')}:</strong> {m.subject}
              </p>
              <p>
                <strong>{t('outbox.to')}:</strong> {m.to} · <strong>{t('outbox.at')}:</strong> {formatDateTime(m.receivedAt)}
              </p>
              <pre>{m.text}</pre>
              {m.attachments.map((a) => (
                <p key={a.n}>
                  {t('outbox.attachment')}:{' '}
                  <a href={apiUrl(deskPaths.outboxAttachment(m.id, a.n))} target="_blank" rel="noopener">
                    {a.filename}
                  </a>{' '}
                  ({formatNumber(Math.round(a.size / 1024))} KB)
                </p>
              ))}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('outbox.sms')}</h2>
      {!o || o.sms.length === 0 ? (
        <p>{t('outbox.none')}</p>
      ) : (
        <ul className="case-list" data-testid="outbox-sms">
          {o.sms.map((m) => (
            <li key={m.id} className="panel">
              <p>
                <strong>{t('outbox.to')}:</strong> {m.to} · <strong>{t('outbox.at')}:</strong> {formatDateTime(m.receivedAt)}
              </p>
              <pre>{m.text}</pre>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('outbox.post')}</h2>
      <p>
        <button type="button" onClick={() => void makeBatch()}>
          {t('outbox.makeBatch')}
        </button>
      </p>
      {message && (
        <p role="status" className="done">
          {message}
        </p>
      )}
      {!o || o.postBatches.length === 0 ? (
        <p>{t('outbox.none')}</p>
      ) : (
        <ul data-testid="outbox-post">
          {o.postBatches.map((b) => (
            <li key={b.id}>
              {formatDateTime(b.createdAt)} · {t('outbox.batchCount', { n: b.notices })} ·{' '}
              <a href={apiUrl(deskPaths.postBatchPdf(b.id))} target="_blank" rel="noopener">
                {t('outbox.download')}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
