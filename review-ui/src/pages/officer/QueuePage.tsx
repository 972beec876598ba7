import { useEffect, useRef, useState } from 'react';
import type { CaseStatus, QueueQuery } from '@phatnguoi/core/contracts/api/cases';
import type { ViolationType } from '@phatnguoi/core/contracts/api/common';
import { call, liveStream } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ConfidenceMeter, DeadlineBadge, StatusBadge } from '../../components/DeadlineBadge';
import { ErrorNote } from '../../components/ErrorNote';
import { codeLabel } from '../../components/evidenceLabel';
import { TamperedBadge } from '../../components/EvidenceIntegrity';
import { placeDetail } from './evidence';
import { useI18n } from '../../i18n';
import { Link, useRouter } from '../../router';
import { STATUS_OPTIONS, TYPE_OPTIONS } from '../../options';

const PAGE = 50;

export default function QueuePage() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const { search, navigate, path } = useRouter();
  const plateQ = search.get('plate') ?? undefined;
  // a plate search without a chosen status looks through every status
  const status = (search.get('status') as CaseStatus | null) ?? (plateQ ? undefined : 'detected');
  const type = (search.get('type') as ViolationType | null) ?? undefined;
  const cameraName = search.get('camera') ?? undefined;
  const manualOnly = search.get('manual') === '1';
  const atRiskOnly = search.get('risk') === '1';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const query: QueueQuery = {
    status,
    type,
    cameraName,
    plate: plateQ,
    manualOnly: manualOnly || undefined,
    atRiskOnly: atRiskOnly || undefined,
    limit: PAGE,
    offset,
  };
  const key = JSON.stringify(query);
  const list = useApi((signal) => call('GET /api/cases', { query: { ...query }, signal }), key);
  const risk = useApi((signal) => call('GET /api/cases', { query: { status: status ?? 'detected', atRiskOnly: true, limit: 1 }, signal }), `risk-${status}`);
  const throughput = useApi((signal) => call('GET /api/desk/throughput', { signal }), 'throughput');
  const cameras = useApi((signal) => call('GET /api/desk/cameras', { signal }), 'cameras');
  const [cameraText, setCameraText] = useState(cameraName ?? '');
  useEffect(() => setCameraText(cameraName ?? ''), [cameraName]);
  const [plateText, setPlateText] = useState(plateQ ?? '');
  useEffect(() => setPlateText(plateQ ?? ''), [plateQ]);

  // Live: the server says when the agency's cases changed; the list reloads in place (same filters, page and scroll).
  const [live, setLive] = useState(false);
  const [news, setNews] = useState<number | null>(null);
  const reloads = useRef({ list: list.reload, risk: risk.reload, throughput: throughput.reload });
  reloads.current = { list: list.reload, risk: risk.reload, throughput: throughput.reload };
  const lastTotal = useRef<number | null>(null);
  useEffect(() => {
    const es = liveStream(
      '/api/cases/events',
      {
        ready: ({ total }) => {
          lastTotal.current = total;
          setLive(true);
        },
        changed: ({ total }) => {
          if (lastTotal.current !== null && total > lastTotal.current) setNews(total - lastTotal.current);
          lastTotal.current = total;
          reloads.current.list();
          reloads.current.risk();
          reloads.current.throughput();
        },
      },
      { error: () => setLive(false) },
    );
    return () => es.close();
  }, []);

  const setFilter = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!('offset' in patch)) next.delete('offset');
    navigate(`${path}?${next.toString()}`, { replace: true });
  };

  const items = list.data?.items ?? [];
  const first = items[0];
  return (
    <section>
      <h1>{t('nav.queue')}</h1>
      <form
        className="filters"
        role="search"
        aria-label={t('queue.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ camera: cameraText.trim() || undefined, plate: plateText.trim() || undefined });
        }}
      >
        <label>
          {t('desk.searchPlate')}{' '}
          <input
            name="plate"
            value={plateText}
            onChange={(e) => setPlateText(e.target.value)}
            onBlur={() => setFilter({ plate: plateText.trim() || undefined })}
            size={12}
            autoComplete="off"
          />
        </label>
        <label>
          {t('queue.status')}{' '}
          <select value={status ?? ''} onChange={(e) => setFilter({ status: e.target.value || undefined })}>
            {plateQ && <option value="">{t('queue.all')}</option>}
            {STATUS_OPTIONS.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queue.type')}{' '}
          <select value={type ?? ''} onChange={(e) => setFilter({ type: e.target.value || undefined })}>
            <option value="">{t('queue.all')}</option>
            {TYPE_OPTIONS.map((s) => (
              <option key={s} value={s}>
                {t(`vtype.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('desk.cameraName')}{' '}
          <input
            name="camera"
            list="desk-cameras"
            value={cameraText}
            onChange={(e) => setCameraText(e.target.value)}
            onBlur={() => setFilter({ camera: cameraText.trim() || undefined })}
            size={18}
          />
          <datalist id="desk-cameras">
            {(cameras.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.name} />
            ))}
          </datalist>
        </label>
        <label className="check">
          <input type="checkbox" checked={manualOnly} onChange={(e) => setFilter({ manual: e.target.checked ? '1' : undefined })} /> {t('queue.manualOnly')}
        </label>
        <label className="check">
          <input type="checkbox" checked={atRiskOnly} onChange={(e) => setFilter({ risk: e.target.checked ? '1' : undefined })} /> {t('queue.atRiskOnly')}
        </label>
      </form>
      {throughput.data && (
        <p className="hint" data-testid="throughput">
          {t('desk.throughput', {
            perHour: formatNumber(throughput.data.perHour),
            lastHour: formatNumber(throughput.data.lastHour),
            today: formatNumber(throughput.data.today),
            rate: throughput.data.approvalRate === null ? '—' : formatNumber(Math.round(throughput.data.approvalRate * 100)),
          })}
          {throughput.data.officers.length > 1 && (
            <>
              <br />
              {t('desk.byOfficer', {
                list: throughput.data.officers
                  .map((o) => t('desk.officerRate', { user: o.username, n: formatNumber(o.decisions), perHour: formatNumber(o.perHour) }))
                  .join(' · '),
              })}
            </>
          )}
        </p>
      )}
      {news !== null && (
        <p role="status" className="done" data-testid="queue-news">
          {t('desk.newCases', { n: formatNumber(news) })}
        </p>
      )}
      <p className="counts" aria-live="polite">
        {live && (
          <span className="badge ok" data-testid="queue-live">
            {t('desk.live')}
          </span>
        )}{' '}
        <strong data-testid="queue-total">{t('queue.total', { n: formatNumber(list.data?.total ?? 0) })}</strong>
        {' · '}
        <span className={risk.data?.total ? 'deadline-risk' : undefined}>{t('queue.atRiskCount', { n: formatNumber(risk.data?.total ?? 0) })}</span>
        {first && status === 'detected' && (
          <>
            {' · '}
            <Link to={`/officer/cases/${first.id}`} className="button primary">
              {t('queue.start')}
            </Link>
          </>
        )}
      </p>
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? (
        <p aria-busy="true">{t('app.loading')}</p>
      ) : items.length === 0 ? (
        <p>{t('queue.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="queue">
            <caption className="visually-hidden">{t('nav.queue')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('case.occurredAt')}</th>
                <th scope="col">{t('case.type')}</th>
                <th scope="col">{t('case.plate')}</th>
                <th scope="col">{t('case.vehicle')}</th>
                <th scope="col">{t('case.camera')}</th>
                <th scope="col">{t('case.status')}</th>
                <th scope="col">{t('case.deadline')}</th>
                <th scope="col">{t('case.claim')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-case-id={c.id}>
                  <td>
                    <Link to={`/officer/cases/${c.id}`}>{formatDateTime(c.occurredAt)}</Link>
                  </td>
                  <td>{t(`vtype.${c.type}`)}</td>
                  <td>
                    <span className="plate-text">{c.plate.text ?? t('plate.unread')}</span> <ConfidenceMeter value={c.plate.confidence} />
                    {c.manualHandling && <span className="badge warn">{c.manualReason ? codeLabel(t, 'manual', c.manualReason) : t('queue.manual')}</span>}
                    {c.evidenceTampered && (
                      <>
                        {' '}
                        <TamperedBadge />
                      </>
                    )}
                  </td>
                  <td>{t(`vehicle.${c.vehicleType}`)}</td>
                  <td>
                    {c.cameraName}
                    <br />
                    <small>{placeDetail(c)}</small>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>
                    <DeadlineBadge c={c} />
                  </td>
                  <td>{c.claimedBy ? t('claim.heldBy', { user: c.claimedBy }) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && list.data.total > PAGE && (
        <nav className="pager" aria-label={t('queue.pages')}>
          <button type="button" disabled={offset === 0} onClick={() => setFilter({ offset: String(Math.max(0, offset - PAGE)) })}>
            {t('queue.prev')}
          </button>
          <span>{t('queue.range', { from: offset + 1, to: Math.min(offset + PAGE, list.data.total), total: list.data.total })}</span>
          <button type="button" disabled={offset + PAGE >= list.data.total} onClick={() => setFilter({ offset: String(offset + PAGE) })}>
            {t('queue.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
