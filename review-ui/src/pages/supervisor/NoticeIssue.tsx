// Issuing a notice is a confirmed step: the supervisor sees the preview (the PDF as it would be issued, not
// numbered), ticks that it was checked, then issues. After issue: what each channel actually delivered.
import { useEffect, useRef, useState } from 'react';
import type { NoticeInfo } from '@phatnguoi/core/contracts/api/cases';
import { apiUrl, call } from '../../api/client';
import { paths } from '../../api/paths';
import { ErrorNote } from '../../components/ErrorNote';
import { codeLabel } from '../../components/evidenceLabel';
import { useI18n } from '../../i18n';

export function IssueNoticeDialog({ caseId, busy, onCancel, onIssue }: { caseId: string; busy: boolean; onCancel: () => void; onIssue: () => void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const url = apiUrl(paths.noticePreview(caseId));
  return (
    <dialog
      ref={dialog}
      className="notice-confirm"
      aria-labelledby="notice-confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="notice-confirm-title">{t('notice.confirmTitle')}</h2>
      <p>{t('notice.confirmIntro')}</p>
      <iframe src={url} title={t('notice.previewFrame')} data-testid="notice-preview" />
      <p>
        <a href={url} target="_blank" rel="noopener">
          {t('sup.preview')}
        </a>
      </p>
      <label className="check">
        <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} data-testid="notice-checked" /> {t('notice.checked')}
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={!checked || busy} onClick={onIssue} data-testid="notice-issue">
          {t('notice.issueNow')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}

/** Delivery state per channel: "sent" only where a channel delivered; permanent failures stand out, with a resend. */
export function NoticeDeliveries({ deliveries, onChanged }: { deliveries: NoticeInfo['deliveries']; onChanged: () => void }) {
  const { t, formatDateTime } = useI18n();
  const [error, setError] = useState<Error | null>(null);
  const delivered = deliveries.filter((d) => d.status === 'sent' || d.status === 'batched');
  const failed = deliveries.filter((d) => d.status === 'failed');
  const names = (list: typeof deliveries) => list.map((d) => codeLabel(t, 'channel', d.channel)).join(', ');
  const retry = async (id: string) => {
    setError(null);
    try {
      await call('POST /api/deliveries/:id/retry', { params: { id } });
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  return (
    <div className="deliveries" data-testid="deliveries">
      <h3>{t('notice.delivery')}</h3>
      <p className={delivered.length ? 'badge ok block' : 'badge warn block'} data-testid="delivery-summary">
        {delivered.length ? t('notice.deliveredVia', { channels: names(delivered) }) : t('notice.notDelivered')}
      </p>
      {failed.length > 0 && (
        <p role="alert" className="badge bad block">
          {t('notice.deliveryFailed', { channels: names(failed) })}
        </p>
      )}
      <ul>
        {deliveries.map((d) => (
          <li key={d.id} data-channel={d.channel} data-status={d.status}>
            {codeLabel(t, 'channel', d.channel)} · {codeLabel(t, 'delivery', d.status)}
            {d.sentAt ? ` · ${formatDateTime(d.sentAt)}` : ''}
            {d.attempts > 0 ? ` · ${t('delivery.attempts', { n: d.attempts })}` : ''}
            {d.lastError ? ` · ${d.lastError}` : ''}
            {d.status === 'failed' && d.channel !== 'post' && (
              <>
                {' '}
                <button type="button" onClick={() => void retry(d.id)}>
                  {t('notice.retry')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </div>
  );
}
