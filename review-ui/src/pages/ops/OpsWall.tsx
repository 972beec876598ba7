import type { StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { StackedBarChart, type StackedBarDatum } from '../../components/charts';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n, type MessageKey } from '../../i18n';
import { TYPE_OPTIONS } from '../../options';
import { useLiveStats } from './useLiveStats';

/** Thresholds for the red state of the wall's tiles. */
export const WALL_THRESHOLDS = { backlog: 200 };

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

function hourLabel(iso: string): string {
  const d = new Date(iso);
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit' }).format(d) + 'h';
}
function dayLabel(iso: string): string {
  return new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit' }).format(new Date(iso));
}

export function perHour(stats: Pick<StatsSnapshot, 'violationsPerHour'>, by: 'type' | 'cameraId'): StackedBarDatum[] {
  const hours = [...new Set(stats.violationsPerHour.map((v) => v.hour))].sort().slice(-24);
  return hours.map((h) => {
    const values: Record<string, number> = {};
    for (const v of stats.violationsPerHour) if (v.hour === h) values[v[by]] = (values[v[by]] ?? 0) + v.count;
    return { label: hourLabel(h), values };
  });
}

/** The server's 30-day series (Vietnam days, zeros included) as stacked bars by violation type. */
export function perDayByType(stats: Pick<StatsSnapshot, 'violationsPerDay'>): StackedBarDatum[] {
  return stats.violationsPerDay.map((d) => ({ label: dayLabel(`${d.day}T12:00:00+07:00`), values: { ...d.counts } }));
}

/** Totals per day from the last 24 hours only (what a snapshot without the daily series allows). */
export function perDay(stats: Pick<StatsSnapshot, 'violationsPerHour'>): { label: string; value: number }[] {
  const days = new Map<string, number>();
  for (const v of [...stats.violationsPerHour].sort((a, b) => a.hour.localeCompare(b.hour))) {
    const d = dayLabel(v.hour);
    days.set(d, (days.get(d) ?? 0) + v.count);
  }
  return [...days].map(([label, value]) => ({ label, value }));
}

function names(list: string[]): string | undefined {
  if (list.length === 0) return undefined;
  return list.length <= 3 ? list.join(', ') : `${list.slice(0, 3).join(', ')} +${list.length - 3}`;
}

function offlineNames(stats: StatsSnapshot): string | undefined {
  return names(stats.cameras.filter((c) => !c.online).map((c) => c.name));
}

/** Cameras online at ingest on which detection does not run: a fault, never a normal state. */
export function notDetecting(stats: Pick<StatsSnapshot, 'cameras'>): StatsSnapshot['cameras'] {
  return stats.cameras.filter((c) => c.online && c.detectionFault !== null && c.detectionFault !== undefined);
}

export default function OpsWall() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const { stats, connected, error } = useLiveStats();
  if (!stats) return error ? <ErrorNote error={error} /> : <p aria-busy="true">{t('app.loading')}</p>;
  const online = stats.cameras.filter((c) => c.online).length;
  const faulty = notDetecting(stats);
  const dps = stats.cameras.reduce((s, c) => s + (c.online ? c.detectionsPerSecond : 0), 0);
  const fps = stats.cameras.reduce((s, c) => s + (c.online ? c.fps : 0), 0);
  const backlog = stats.backlog.detected + stats.backlog.confirmed + stats.backlog.approved;
  const atRisk = stats.ageing.overdue + stats.ageing.due1d + stats.ageing.due3d;
  const cameraSeries = stats.cameras.map((c) => ({ key: c.cameraId, label: c.name }));
  const knownCams = new Set(cameraSeries.map((c) => c.key));
  for (const v of stats.violationsPerHour) {
    if (knownCams.has(v.cameraId)) continue;
    knownCams.add(v.cameraId);
    cameraSeries.push({ key: v.cameraId, label: v.cameraId });
  }
  return (
    <section className="ops-wall">
      <header className="wall-head">
        <h1>{t('ops.title')}</h1>
        <p aria-live="polite" className={connected ? 'live-on' : 'live-off'} data-testid="live-state">
          {connected ? `● ${t('ops.live')}` : t('ops.offline')} · {t('ops.updated', { at: formatDateTime(stats.at) })}
        </p>
      </header>
      <div className="tiles" aria-live="polite">
        <Tile
          testId="tile-cameras"
          label="ops.camerasOnline"
          value={`${online}/${stats.cameras.length}`}
          detail={offlineNames(stats)}
          ok={stats.cameras.length > 0 && online === stats.cameras.length}
        />
        <Tile
          testId="tile-detection"
          label="ops.detecting"
          value={`${online - faulty.length}/${online}`}
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
          value={formatNumber(Math.round(dps * 10) / 10)}
          detail={t('ops.framesPerSecond', { fps: formatNumber(Math.round(fps * 10) / 10) })}
          ok={online === 0 || fps > 0}
        />
        <Tile
          testId="tile-backlog"
          label="ops.backlog"
          value={formatNumber(backlog)}
          detail={`${t('status.detected')} ${stats.backlog.detected} · ${t('status.confirmed')} ${stats.backlog.confirmed} · ${t('status.approved')} ${stats.backlog.approved}`}
          ok={backlog < WALL_THRESHOLDS.backlog}
        />
        <Tile
          testId="tile-risk"
          label="ops.atRisk"
          value={formatNumber(atRisk)}
          detail={`${t('sup.ageOverdue')} ${stats.ageing.overdue} · ${t('sup.age1d')} ${stats.ageing.due1d}`}
          ok={atRisk === 0}
        />
        <Tile testId="tile-deliveries" label="ops.deliveries" value={formatNumber(stats.deliveries.failed)} ok={stats.deliveries.failed === 0} />
      </div>
      <div className="charts">
        <StackedBarChart title={t('ops.perHourByType')} data={perHour(stats, 'type')} series={TYPE_OPTIONS.map((k) => ({ key: k, label: t(`vtype.${k}`) }))} />
        <StackedBarChart title={t('ops.perHourByCamera')} data={perHour(stats, 'cameraId')} series={cameraSeries} />
        <StackedBarChart title={t('ops.trend')} data={perDayByType(stats)} series={TYPE_OPTIONS.map((k) => ({ key: k, label: t(`vtype.${k}`) }))} />
      </div>
    </section>
  );
}
