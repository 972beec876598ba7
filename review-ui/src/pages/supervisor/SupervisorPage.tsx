import type { CaseStatus, QueueResponse } from '@phatnguoi/core/contracts/api/cases';
import { api } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { DeadlineBadge } from '../../components/DeadlineBadge';
import { ErrorNote } from '../../components/ErrorNote';
import { codeLabel } from '../../components/evidenceLabel';
import { useI18n, type MessageKey } from '../../i18n';
import { Link, useRouter } from '../../router';
import { TamperedBadge } from '../../components/EvidenceIntegrity';
import { AgeingChart } from './AgeingChart';
import { SupervisorCase } from './SupervisorCase';

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
    (signal) => api.get<QueueResponse>(paths.queue, def.status ? { status: def.status, limit: 100 } : { atRiskOnly: true, limit: 100 }, signal),
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
      {tab === 'ageing' && <AgeingChart />}
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
