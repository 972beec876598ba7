import { useState, type FormEvent } from 'react';
import type { CaseStatus, OwnerResponseRequest, ResolveRequest } from '@phatnguoi/core/contracts/api/cases';
import { apiUrl, call } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { useAuth } from '../../auth';
import { StackedBarChart } from '../../components/charts';
import { ClipPlayer } from '../../components/ClipPlayer';
import { ConfidenceMeter, DeadlineBadge, StatusBadge } from '../../components/DeadlineBadge';
import { DecisionPanel } from '../reports/DecisionPanel';
import { ErrorNote } from '../../components/ErrorNote';
import { codeLabel, evidenceLabel } from '../../components/evidenceLabel';
import { fineText, ruleText } from '../../components/caseText';
import { StillOverlay } from '../../components/StillOverlay';
import { useI18n, type MessageKey } from '../../i18n';
import { Link, useRouter } from '../../router';
import { evidenceOf, overlayFor, placeText } from '../officer/evidence';
import { IdentificationPanel, useIdentification } from '../../components/Identification';
import { IssueNoticeDialog, NoticeDeliveries } from './NoticeIssue';
import { EvidenceIntegrityAlert, TamperedBadge, evidenceBroken } from '../../components/EvidenceIntegrity';

type Tab = 'approvals' | 'notices' | 'responses' | 'escalations' | 'lapsed' | 'ageing';
const TABS: { tab: Tab; label: MessageKey; status: CaseStatus | null }[] = [
  { tab: 'approvals', label: 'sup.approvals', status: 'confirmed' },
  { tab: 'notices', label: 'sup.notices', status: 'approved' },
  { tab: 'responses', label: 'sup.responses', status: 'notified' },
  { tab: 'escalations', label: 'sup.escalations', status: 'escalated' },
  { tab: 'lapsed', label: 'sup.lapsed', status: 'lapsed' },
  { tab: 'ageing', label: 'sup.ageing', status: null },
];

export default function SupervisorPage({ params }: { params: Record<string, string> }) {
  const { t, formatDateTime } = useI18n();
  const { search, navigate } = useRouter();
  const tab = (TABS.find((x) => x.tab === params.tab) ?? TABS[0]!).tab;
  const def = TABS.find((x) => x.tab === tab)!;
  const selected = search.get('case');
  const list = useApi(
    (signal) => call('GET /api/cases', { query: def.status ? { status: def.status, limit: 100 } : { atRiskOnly: true, limit: 100 }, signal }),
    tab,
  );
  const select = (id: string) => navigate(`/supervisor/${tab}?case=${encodeURIComponent(id)}`, { replace: true });

  return (
    <section className="supervisor">
      <h1>{t('nav.supervisor')}</h1>
      <nav aria-label={t('sup.tabs')} className="tabs">
        <ul>
          {TABS.map((x) => (
            <li key={x.tab}>
              <Link to={`/supervisor/${x.tab}`} aria-current={x.tab === tab ? 'page' : undefined}>
                {t(x.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'ageing' && <Ageing />}
      <div className="split">
        <div className="list-pane">
          <ErrorNote error={list.error} />
          {list.data && (
            <>
              <p aria-live="polite" data-testid="sup-total">
                {t('queue.total', { n: list.data.total })}
              </p>
              {list.data.items.length === 0 ? (
                <p>{t('queue.empty')}</p>
              ) : (
                <ul className="case-list">
                  {list.data.items.map((c) => (
                    <li key={c.id}>
                      <button type="button" aria-pressed={selected === c.id} onClick={() => select(c.id)} data-case-id={c.id}>
                        <span className="plate-text">{c.plate.text ?? t('plate.unread')}</span> · {t(`vtype.${c.type}`)}
                        {c.manualHandling && c.manualReason && (
                          <>
                            {' '}
                            <span className="badge warn">{codeLabel(t, 'manual', c.manualReason)}</span>
                          </>
                        )}
                        {c.evidenceTampered && (
                          <>
                            {' '}
                            <TamperedBadge />
                          </>
                        )}
                        <br />
                        <small>
                          {formatDateTime(c.occurredAt)} · {c.cameraName}
                        </small>{' '}
                        <DeadlineBadge c={c} />
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </div>
        <div className="detail-pane">{selected ? <SupervisorCase key={selected} id={selected} onChanged={list.reload} /> : <p>{t('sup.select')}</p>}</div>
      </div>
    </section>
  );
}

function Ageing() {
  const { t } = useI18n();
  const stats = useApi((signal) => call('GET /api/stats', { signal }), 'ageing');
  if (stats.error) return <ErrorNote error={stats.error} />;
  if (!stats.data) return null;
  const a = stats.data.ageing;
  const series = [{ key: 'n', label: t('queue.total', { n: '' }).trim() }];
  return (
    <StackedBarChart
      title={t('sup.ageingChart')}
      series={series}
      height={140}
      data={[
        { label: t('sup.ageOverdue'), values: { n: a.overdue } },
        { label: t('sup.age1d'), values: { n: a.due1d } },
        { label: t('sup.age3d'), values: { n: a.due3d } },
        { label: t('sup.ageLater'), values: { n: a.later } },
      ]}
    />
  );
}

function SupervisorCase({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const { user } = useAuth();
  const detail = useApi((signal) => call('GET /api/cases/:id', { params: { id }, signal }), id);
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
            onClick={() => void act(async () => (await call('POST /api/cases/:id/approve', { params: { id }, body: {} }), t('sup.approved')))}
          >
            {t('sup.approve')}
          </button>
          <form
            className="inline"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              if (returnReason.trim())
                void act(async () => (await call('POST /api/cases/:id/return', { params: { id }, body: { reason: returnReason.trim() } }), t('sup.returned')));
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
              const n = await call('POST /api/cases/:id/notice', { params: { id } });
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
            s.url ? <StillOverlay key={s.id} src={s.url} alt={evidenceLabel(t, s.kind, c.type)} overlay={overlayFor(c, null, c.signal)} /> : null,
          )}
        </div>
        {ev.plateCrop?.url && <img className="plate-crop" src={ev.plateCrop.url} alt={t('evidence.plate_crop')} />}
        <p>
          {t('plate.read')}: <span className="plate-text">{c.plate.text ?? t('plate.unread')}</span> <ConfidenceMeter value={c.plate.confidence} />
        </p>
      </div>
      <dl className="facts">
        <dt>{t('case.rule')}</dt>
        <dd data-testid="rule-text">{ruleText(c, t, formatNumber)}</dd>
        {c.fine && (
          <>
            <dt>{t('case.fine')}</dt>
            <dd data-testid="fine-text">{fineText(c.fine, t, formatNumber)}</dd>
          </>
        )}
        {c.owner && (
          <>
            <dt>{t('case.owner')}</dt>
            <dd>
              {c.owner.fullName}, {c.owner.address}
            </dd>
          </>
        )}
        {c.deadlines.length > 0 && (
          <>
            <dt>{t('sup.deadlines')}</dt>
            <dd>
              <ul>
                {c.deadlines.map((d, i) => (
                  <li key={i}>
                    {codeLabel(t, 'dlkind', d.kind)}: {formatDateTime(d.dueAt)} · {codeLabel(t, 'dlstatus', d.status)}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {c.warnings.length > 0 && (
          <>
            <dt>{t('sup.warnings')}</dt>
            <dd>
              <ul>
                {c.warnings.map((w, i) => (
                  <li key={i}>
                    {codeLabel(t, 'warn', w.target)} · {formatDateTime(w.createdAt)}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </article>
  );
}

function ResponseForms({ id, busy, act }: { id: string; busy: boolean; act: (fn: () => Promise<string>) => Promise<void> }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<OwnerResponseRequest['kind']>('response');
  const [driverName, setDriverName] = useState('');
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<ResolveRequest['outcome']>('fine_paid');
  const [resolveText, setResolveText] = useState('');
  return (
    <div className="response-forms">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body: OwnerResponseRequest = { kind, text: text.trim(), ...(driverName.trim() ? { driverName: driverName.trim() } : {}) };
          void act(async () => (await call('POST /api/cases/:id/responses', { params: { id }, body }), setText(''), t('sup.responseSaved')));
        }}
      >
        <h3>{t('sup.recordResponse')}</h3>
        <div className="field">
          <label htmlFor="resp-kind">{t('sup.responseKind')}</label>
          <select id="resp-kind" value={kind} onChange={(e) => setKind(e.target.value as OwnerResponseRequest['kind'])}>
            <option value="response">{t('sup.kind.response')}</option>
            <option value="complaint">{t('sup.kind.complaint')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="resp-driver">{t('sup.driverName')}</label>
          <input id="resp-driver" value={driverName} onChange={(e) => setDriverName(e.target.value)} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="resp-text">{t('sup.responseText')}</label>
          <textarea id="resp-text" value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={4000} required />
        </div>
        <button type="submit" disabled={busy || !text.trim()}>
          {t('sup.recordResponse')}
        </button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body: ResolveRequest = { outcome, text: resolveText.trim() };
          void act(async () => (await call('POST /api/cases/:id/resolve', { params: { id }, body }), t('sup.resolved')));
        }}
      >
        <h3>{t('sup.resolve')}</h3>
        <div className="field">
          <label htmlFor="res-outcome">{t('sup.outcome')}</label>
          <select id="res-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as ResolveRequest['outcome'])}>
            {(['fine_paid', 'decision_issued', 'dismissed'] as const).map((o) => (
              <option key={o} value={o}>
                {t(`sup.outcome.${o}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="res-text">{t('sup.responseText')}</label>
          <textarea id="res-text" value={resolveText} onChange={(e) => setResolveText(e.target.value)} rows={2} maxLength={4000} required />
        </div>
        <button type="submit" className="primary" disabled={busy || !resolveText.trim()}>
          {t('sup.resolve')}
        </button>
      </form>
    </div>
  );
}
