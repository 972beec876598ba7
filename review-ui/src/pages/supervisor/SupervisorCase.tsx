import { useState, type FormEvent } from 'react';
import type { CaseDetail, IssueNoticeResponse } from '@phatnguoi/core/contracts/api/cases';
import type { SignalState } from '@phatnguoi/core/contracts/violation-event';
import { api, apiUrl } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth';
import { ClipPlayer } from '../../components/ClipPlayer';
import { ConfidenceMeter, DeadlineBadge, StatusBadge } from '../../components/DeadlineBadge';
import { ErrorNote } from '../../components/ErrorNote';
import { EvidenceIntegrityAlert, evidenceBroken } from '../../components/EvidenceIntegrity';
import { evidenceLabel } from '../../components/evidenceLabel';
import { IdentificationPanel, useIdentification } from '../../components/Identification';
import { StillOverlay } from '../../components/StillOverlay';
import { useI18n } from '../../i18n';
import { evidenceOf, overlayFor, placeText } from '../officer/evidence';
import { DecisionPanel } from '../reports/DecisionPanel';
import { IssueNoticeDialog, NoticeDeliveries } from './NoticeIssue';
import { ResponseForms } from './ResponseForms';
import { SupervisorCaseFacts } from './SupervisorCaseFacts';

/** The selected case: approve or return it, issue its notice, record responses, resolve it; its evidence and facts. */
export function SupervisorCase({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, formatDateTime } = useI18n();
  const { user } = useAuth();
  const detail = useApi((signal) => api.get<CaseDetail>(paths.case(id), undefined, signal), id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [returnReason, setReturnReason] = useState('');
  const [issueOpen, setIssueOpen] = useState(false);
  const ident = useIdentification(id, `${detail.data?.plate.text ?? ''}|${detail.data?.status ?? ''}|${detail.data?.manualHandling ?? ''}`);

  const act = async (fn: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await fn());
      detail.reload();
      onChanged();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  if (detail.error) return <ErrorNote error={detail.error} />;
  const c = detail.data;
  if (!c) return <p aria-busy="true">{t('app.loading')}</p>;
  const ev = evidenceOf(c);
  const ownConfirm = !!user && c.confirmedBy === user.username;
  const unidentified = !!ident.data && ident.data.state !== 'identified';
  // a case routed to the owner's locality may be approved there without an owner yet; the notice still needs one
  const approveBlocked = unidentified && !ident.data?.routed;
  const tampered = evidenceBroken(c);

  return (
    <article className="sup-case" aria-labelledby="sup-case-title" data-case-id={c.id}>
      <h2 id="sup-case-title">
        {t(`vtype.${c.type}`)} · <span className="plate-text">{c.plate.text ?? t('plate.unread')}</span> <StatusBadge status={c.status} />{' '}
        <DeadlineBadge c={c} />
      </h2>
      <p>
        {placeText(c)} · {formatDateTime(c.occurredAt)}
      </p>
      {message && (
        <p role="status" className="done">
          {message}
        </p>
      )}
      <ErrorNote error={error} />
      <EvidenceIntegrityAlert c={c} />

      {c.status === 'confirmed' && (
        <div className="actions" role="group" aria-label={t('case.actions')}>
          {ownConfirm && <p className="hint">{t('sup.ownNoApprove')}</p>}
          {approveBlocked && (
            <p role="alert" className="error" data-testid="approve-blocked">
              {t('ident.blockApprove')}
            </p>
          )}
          <button
            type="button"
            className="primary"
            disabled={busy || ownConfirm || approveBlocked || tampered}
            onClick={() => void act(async () => (await api.post(paths.approve(id), {}), t('sup.approved')))}
          >
            {t('sup.approve')}
          </button>
          <form
            className="inline"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              if (returnReason.trim()) void act(async () => (await api.post(paths.returnCase(id), { reason: returnReason.trim() }), t('sup.returned')));
            }}
          >
            <label htmlFor="return-reason">{t('sup.returnReason')}</label>
            <input id="return-reason" value={returnReason} onChange={(e) => setReturnReason(e.target.value)} />
            <button type="submit" disabled={busy || !returnReason.trim()}>
              {t('sup.return')}
            </button>
          </form>
        </div>
      )}

      {c.status === 'approved' && (
        <div className="actions" role="group" aria-label={t('case.actions')}>
          {!tampered && (
            <a className="button" href={apiUrl(paths.noticePreview(id))} target="_blank" rel="noopener">
              {t('sup.preview')}
            </a>
          )}
          {unidentified && (
            <p role="alert" className="error">
              {t('ident.blockApprove')}
            </p>
          )}
          <button type="button" className="primary" disabled={busy || unidentified || tampered} onClick={() => setIssueOpen(true)}>
            {t('notice.openPreview')}
          </button>
        </div>
      )}
      {issueOpen && (
        <IssueNoticeDialog
          caseId={id}
          busy={busy}
          onCancel={() => setIssueOpen(false)}
          onIssue={() =>
            void act(async () => {
              const n = await api.post<IssueNoticeResponse>(paths.issueNotice(id), {});
              setIssueOpen(false);
              return t('sup.issued', { number: n.number });
            })
          }
        />
      )}
      {(c.status === 'confirmed' || c.status === 'approved') && (
        <div className="side-by-side">
          <div className="crops">{ev.plateCrop?.url && <img className="plate-crop" src={ev.plateCrop.url} alt={t('evidence.plate_crop')} />}</div>
          <IdentificationPanel
            caseId={c.id}
            plate={c.plate.text}
            vehicleType={c.vehicleType}
            editable
            version={`${c.plate.text ?? ''}|${c.status}`}
            onChanged={() => {
              detail.reload();
              ident.reload();
              onChanged();
            }}
          />
        </div>
      )}

      {c.notice && (
        <section aria-label={t('case.notice')} className="notice">
          <p>{t('sup.noticeNo', { number: c.notice.number, at: formatDateTime(c.notice.resolveBy) })}</p>
          <a className="button" href={apiUrl(paths.noticePdf(c.notice.id))} download={`${c.notice.number}.pdf`} data-testid="notice-download">
            {t('sup.download')}
          </a>
          <NoticeDeliveries deliveries={c.notice.deliveries} onChanged={() => detail.reload()} />
        </section>
      )}

      {(c.status === 'notified' || c.status === 'escalated') && <ResponseForms id={id} busy={busy} act={act} />}
      {['notified', 'escalated', 'resolved'].includes(c.status) && <DecisionPanel caseId={c.id} editable onChanged={() => detail.reload()} />}

      <div className="sup-evidence">
        {ev.clip?.url && <ClipPlayer src={ev.clip.url} fps={ev.fps} label={t('case.clip')} />}
        <div className="stills">
          {ev.stills.map((s) =>
            s.url ? (
              <StillOverlay key={s.id} src={s.url} alt={evidenceLabel(t, s.kind, c.type)} overlay={overlayFor(c, null, c.signal as SignalState | null)} />
            ) : null,
          )}
        </div>
        {ev.plateCrop?.url && <img className="plate-crop" src={ev.plateCrop.url} alt={t('evidence.plate_crop')} />}
        <p>
          {t('plate.read')}: <span className="plate-text">{c.plate.text ?? t('plate.unread')}</span> <ConfidenceMeter value={c.plate.confidence} />
        </p>
      </div>
      <SupervisorCaseFacts c={c} />
    </article>
  );
}
