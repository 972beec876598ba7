import { useEffect, useRef, useState } from 'react';
import type { CameraLive, RecentCase, StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { apiUrl } from '../../api/client';
import { paths } from '../../api/paths';
import { SERIES_COLOURS, StackedBarChart, type StackedBarDatum } from '../../components/charts';
import { CameraMap } from '../../components/CameraMap';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n, type MessageKey, type Translate } from '../../i18n';
import { TYPE_OPTIONS } from '../../options';
import { CameraStateText, CameraTile, Picture, PICTURE_REFRESH_MS, useTick } from './CameraTile';
import { useLiveStats } from './useLiveStats';
import { hourSeries, isNormal, tileState, todayByType, vnHour } from './wall-model';

/** Thresholds for the red state of the wall's tiles. */
export const WALL_THRESHOLDS = { backlog: 200 };
/** Charts drawn about as wide as they show on a 1920-pixel wall, so their text reads at the wall's size. */
const WALL_CHART = { width: 380, height: 190, fontSize: 14 };

function Tile({ label, value, detail, ok, testId }: { label: MessageKey; value: string; detail?: string; ok: boolean; testId: string }) {
  const { t } = useI18n();
  return (
    <div className={`tile ${ok ? 'tile-ok' : 'tile-bad'}`} data-testid={testId} data-state={ok ? 'ok' : 'bad'}>
      <h2>{t(label)}</h2>
      <p className="tile-value">{value}</p>
      <p className="tile-state">
        {ok ? '✔' : '✖'} {ok ? t('ops.tileOk') : t('ops.tileBad')}
        {detail ? ` · ${detail}` : ''}
      </p>
    </div>
  );
}

function dayLabel(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit' }).format(new Date(iso));
}

/** The last 24 hours, every hour present, as stacked bars (by type, or by camera). */
export function perHour(stats: Pick<StatsSnapshot, 'at' | 'violationsPerHour'>, by: 'type' | 'cameraId', t: Translate, cameraId?: string): StackedBarDatum[] {
  return hourSeries(stats, by, cameraId).map((b) => ({ label: t('wall.hourLabel', { h: vnHour(b.start) }), values: b.values }));
}

/** The server's 30-day series (Vietnam days, zeros included) as stacked bars by violation type. */
export function perDayByType(stats: Pick<StatsSnapshot, 'violationsPerDay'>, lang = 'vi'): StackedBarDatum[] {
  return stats.violationsPerDay.map((d) => ({ label: dayLabel(`${d.day}T12:00:00+07:00`, lang), values: { ...d.counts } }));
}

function names(list: string[]): string | undefined {
  if (list.length === 0) return undefined;
  return list.length <= 3 ? list.join(', ') : `${list.slice(0, 3).join(', ')} +${list.length - 3}`;
}

/** Cameras online at ingest on which detection does not run: a fault, never a normal state. */
export function notDetecting(stats: Pick<StatsSnapshot, 'cameras'>): StatsSnapshot['cameras'] {
  return stats.cameras.filter((c) => c.online && c.detectionFault !== null && c.detectionFault !== undefined);
}

/** The latest violations, newest first, with a scene still; the ones that came while the wall was open are marked. */
function RecentViolations({ recent }: { recent: RecentCase[] }) {
  const { t, formatDateTime } = useI18n();
  const seen = useRef<Set<string> | null>(null);
  seen.current ??= new Set(recent.map((r) => r.id));
  return (
    <aside className="wall-recent" aria-labelledby="wall-recent-title">
      <h2 id="wall-recent-title">{t('wall.recent')}</h2>
      {recent.length === 0 ? (
        <p className="hint">{t('wall.recentNone')}</p>
      ) : (
        <ol aria-live="polite">
          {recent.map((r) => {
            const fresh = !seen.current!.has(r.id);
            const type = t(`vtype.${r.type}` as MessageKey);
            return (
              <li key={r.id} data-case-id={r.id} className={fresh ? 'fresh' : undefined}>
                {r.hasThumbnail ? (
                  <Picture src={apiUrl(paths.wallThumbnail(r.id))} alt={t('wall.thumbOf', { type, camera: r.cameraName })} />
                ) : (
                  <div className="thumb thumb-missing">{t('ops.noThumb')}</div>
                )}
                <div>
                  <strong>{type}</strong>
                  {fresh && <span className="badge new">{t('wall.new')}</span>}
                  <br />
                  {r.cameraName}
                  <br />
                  <time dateTime={r.occurredAt}>{formatDateTime(r.occurredAt)}</time>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}

/** Open cases by time left to the 10-day notice deadline and notified ones by time left to the 20-day response deadline. */
function Ageing({ stats }: { stats: StatsSnapshot }) {
  const { t, formatNumber } = useI18n();
  const rows: [MessageKey, StatsSnapshot['ageing'], string][] = [
    ['wall.ageNotice', stats.ageing, 'age-notice'],
    ['wall.ageResponse', stats.responseAgeing, 'age-response'],
  ];
  const cols: [keyof StatsSnapshot['ageing'], MessageKey][] = [
    ['overdue', 'wall.ageOverdue'],
    ['due1d', 'wall.age1d'],
    ['due3d', 'wall.age3d'],
    ['later', 'wall.ageLater'],
  ];
  return (
    <figure className="chart wall-ageing">
      <figcaption>{t('wall.ageing')}</figcaption>
      <table>
        <thead>
          <tr>
            <th scope="col" />
            {cols.map(([k, label]) => (
              <th key={k} scope="col">
                {t(label)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, a, id]) => (
            <tr key={id} data-testid={id}>
              <th scope="row">{t(label)}</th>
              {cols.map(([k]) => (
                <td key={k} className={a[k] > 0 && (k === 'overdue' || k === 'due1d') ? 'age-bad' : a[k] > 0 && k === 'due3d' ? 'age-warn' : undefined}>
                  {formatNumber(a[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** One camera in detail: its figures, today's violations by type, its last 24 hours, its last error. */
function CameraDrill({ camera, stats, onClose }: { camera: CameraLive; stats: StatsSnapshot; onClose: () => void }) {
  const { t, formatNumber, formatDateTime } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const today = todayByType(stats, camera.cameraId);
  const typeSeries = TYPE_OPTIONS.map((k) => ({ key: k, label: t(`vtype.${k}`) }));
  return (
    <dialog ref={dialog} className="wall-drill" aria-labelledby="drill-title" onClose={onClose} data-testid="camera-drill" data-camera-id={camera.cameraId}>
      <h2 id="drill-title">{t('wall.drillTitle', { name: camera.name })}</h2>
      <CameraStateText camera={camera} />
      <dl className="drill-figures">
        <div>
          <dt>{t('wall.fps')}</dt>
          <dd data-testid="drill-fps">{formatNumber(camera.fps, 1)}</dd>
        </div>
        <div>
          <dt>{t('wall.dps')}</dt>
          <dd data-testid="drill-dps">{formatNumber(camera.detectionsPerSecond, 1)}</dd>
        </div>
        <div>
          <dt>{t('wall.dropped')}</dt>
          <dd>{formatNumber(camera.framesDropped)}</dd>
        </div>
        <div>
          <dt>{t('wall.updatedAt')}</dt>
          <dd>{camera.updatedAt ? formatDateTime(camera.updatedAt) : t('wall.neverReported')}</dd>
        </div>
      </dl>
      <h3>{t('wall.todayByType')}</h3>
      <ul className="drill-types" data-testid="drill-today">
        {TYPE_OPTIONS.map((k, i) => (
          <li key={k} data-type={k}>
            <span className="swatch" style={{ background: SERIES_COLOURS[i % SERIES_COLOURS.length] }} /> {t(`vtype.${k}`)}:{' '}
            <strong>{formatNumber(today[k] ?? 0)}</strong>
          </li>
        ))}
      </ul>
      <StackedBarChart
        title={t('wall.perHourCamera')}
        data={perHour(stats, 'type', t, camera.cameraId)}
        series={typeSeries}
        width={900}
        height={220}
        fontSize={16}
      />
      <h3>{t('wall.lastError')}</h3>
      {camera.lastError || camera.detectionError ? (
        <details>
          <summary>{t('wall.technical')}</summary>
          <pre translate="no">{[camera.lastError, camera.detectionError].filter(Boolean).join('\n')}</pre>
        </details>
      ) : (
        <p>{t('wall.noError')}</p>
      )}
      <form method="dialog">
        <button type="submit">{t('common.close')}</button>
      </form>
    </dialog>
  );
}

export default function OpsWall() {
  const { t, lang, formatDateTime, formatNumber } = useI18n();
  const { stats, connected, error } = useLiveStats();
  const tick = useTick(PICTURE_REFRESH_MS);
  const [open, setOpen] = useState<string | null>(null);
  if (!stats) return error ? <ErrorNote error={error} /> : <p aria-busy="true">{t('app.loading')}</p>;
  const states = stats.cameras.map((c) => ({ c, state: tileState(c) }));
  const normal = states.filter((s) => isNormal(s.state)).length;
  const online = stats.cameras.filter((c) => c.online).length;
  const faulty = notDetecting(stats);
  const dps = stats.cameras.reduce((s, c) => s + (c.online ? c.detectionsPerSecond : 0), 0);
  const fps = stats.cameras.reduce((s, c) => s + (c.online ? c.fps : 0), 0);
  const backlog = stats.backlog.detected + stats.backlog.confirmed + stats.backlog.approved;
  const atRisk = stats.ageing.overdue + stats.ageing.due1d + stats.ageing.due3d;
  const cameraSeries = stats.cameras.map((c) => ({ key: c.cameraId, label: c.name }));
  const typeSeries = TYPE_OPTIONS.map((k) => ({ key: k, label: t(`vtype.${k}`) }));
  const opened = open ? stats.cameras.find((c) => c.cameraId === open) : undefined;
  return (
    <section className="ops-wall wall">
      <header className="wall-head">
        <h1>{t('ops.title')}</h1>
        <p aria-live="polite" className={connected ? 'live-on' : 'live-off'} data-testid="live-state">
          {connected ? `● ${t('ops.live')}` : t('ops.offline')} · {t('ops.updated', { at: formatDateTime(stats.at) })}
        </p>
      </header>
      <div className="tiles" aria-live="polite">
        <Tile
          testId="tile-cameras"
          label="wall.camerasNormal"
          value={`${formatNumber(normal)}/${formatNumber(stats.cameras.length)}`}
          detail={names(states.filter((s) => !isNormal(s.state)).map((s) => `${s.c.name} (${t(`camState.${s.state}`)})`))}
          ok={stats.cameras.length > 0 && normal === stats.cameras.length}
        />
        <Tile
          testId="tile-detection"
          label="ops.detecting"
          value={`${formatNumber(online - faulty.length)}/${formatNumber(online)}`}
          detail={
            faulty.length > 0
              ? `${t('ops.notDetecting')}: ${faulty.map((c) => `${c.name} (${t(`ops.detectionFault.${c.detectionFault!}`)})`).join(', ')}`
              : undefined
          }
          ok={faulty.length === 0}
        />
        <Tile
          testId="tile-throughput"
          label="ops.throughput"
          value={formatNumber(dps, 1)}
          detail={t('ops.framesPerSecond', { fps: formatNumber(fps, 1) })}
          ok={online === 0 || fps > 0}
        />
        <Tile
          testId="tile-backlog"
          label="ops.backlog"
          value={formatNumber(backlog)}
          detail={`${t('status.detected')} ${formatNumber(stats.backlog.detected)} · ${t('status.confirmed')} ${formatNumber(stats.backlog.confirmed)} · ${t('status.approved')} ${formatNumber(stats.backlog.approved)}`}
          ok={backlog < WALL_THRESHOLDS.backlog}
        />
        <Tile
          testId="tile-risk"
          label="ops.atRisk"
          value={formatNumber(atRisk)}
          detail={`${t('sup.ageOverdue')} ${formatNumber(stats.ageing.overdue)} · ${t('sup.age1d')} ${formatNumber(stats.ageing.due1d)}`}
          ok={atRisk === 0}
        />
        <Tile testId="tile-deliveries" label="ops.deliveries" value={formatNumber(stats.deliveries.failed)} ok={stats.deliveries.failed === 0} />
      </div>
      <div className="wall-main">
        <section className="wall-cameras" aria-labelledby="wall-cameras-title">
          <h2 id="wall-cameras-title">{t('wall.cameras')}</h2>
          <ul className="camera-grid" data-testid="wall-grid">
            {stats.cameras.map((c) => (
              <CameraTile key={c.cameraId} camera={c} tick={tick} onOpen={() => setOpen(c.cameraId)} />
            ))}
          </ul>
        </section>
        <RecentViolations recent={stats.recent} />
      </div>
      <div className="wall-bottom">
        <CameraMap cameras={stats.cameras.map((c) => ({ id: c.cameraId, name: c.name, lat: c.lat, lng: c.lng, state: tileState(c) }))} onOpen={setOpen} />
        <StackedBarChart title={t('ops.perHourByType')} data={perHour(stats, 'type', t)} series={typeSeries} {...WALL_CHART} />
        <StackedBarChart title={t('ops.perHourByCamera')} data={perHour(stats, 'cameraId', t)} series={cameraSeries} {...WALL_CHART} />
        <Ageing stats={stats} />
        <StackedBarChart title={t('ops.trend')} data={perDayByType(stats, lang)} series={typeSeries} {...WALL_CHART} />
      </div>
      {opened && <CameraDrill key={opened.cameraId} camera={opened} stats={stats} onClose={() => setOpen(null)} />}
    </section>
  );
}
