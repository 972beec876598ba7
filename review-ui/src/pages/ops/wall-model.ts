// Pure logic of the operations wall: each camera's state and reason (as dictionary keys), continuous hourly
// series, today's counts, the map's projection. No I/O; unit-tested in review-ui/test/unit.test.ts.
import type { CameraLive, StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import type { CameraErrorCode } from '@phatnguoi/core/camera-node/channels';

/** What a camera tile shows: ingest's state, except that an online camera on which detection does not run is a fault. */
export type TileState = 'online' | 'not_detecting' | 'starting' | 'reconnecting' | 'offline' | 'stopped' | 'unknown';

export function tileState(c: Pick<CameraLive, 'online' | 'state' | 'detectionFault'>): TileState {
  if (c.online) return c.detectionFault ? 'not_detecting' : 'online';
  switch (c.state) {
    case 'starting':
    case 'reconnecting':
    case 'stopped':
    case 'unknown':
      return c.state;
    default:
      return 'offline';
  }
}

/** Only `online` is normal: a camera that stopped detecting needs attention like an offline one. */
export function isNormal(state: TileState): boolean {
  return state === 'online';
}

const ERROR_CODES = [
  'unreachable',
  'not_found',
  'unauthorized',
  'no_video',
  'corrupt_stream',
  'stalled',
  'ffmpeg_exited',
  'bad_source',
] as const satisfies readonly CameraErrorCode[];
export type CameraReasonCode = (typeof ERROR_CODES)[number] | 'other';

/** ffmpeg / RTSP messages of failures whose class ingest did not record (older ingest, or a status row from before). */
const RAW_PATTERNS: [RegExp, CameraReasonCode][] = [
  [/\b404\b|not found/i, 'not_found'],
  [/\b40[13]\b|unauthori[sz]ed|forbidden|authenticat/i, 'unauthorized'],
  [/timed? ?out|connection refused|no route to host|network is unreachable|could not resolve|name or service not known|host is down/i, 'unreachable'],
  [/no (first )?frame|stalled/i, 'stalled'],
  [/no video|does not contain any stream|no stream/i, 'no_video'],
  [/invalid data|corrupt|decode/i, 'corrupt_stream'],
  [/stream ended|exited|ingest failed/i, 'ffmpeg_exited'],
];

/** The class of a camera's last error, for words on the wall; null when there is none. */
export function cameraReasonCode(c: Pick<CameraLive, 'lastError' | 'lastErrorCode'>): CameraReasonCode | null {
  if (c.lastErrorCode && (ERROR_CODES as readonly string[]).includes(c.lastErrorCode)) return c.lastErrorCode as CameraReasonCode;
  if (!c.lastError) return null;
  for (const [re, code] of RAW_PATTERNS) if (re.test(c.lastError)) return code;
  return 'other';
}

/** The dictionary key of why a camera is in its state, and the raw technical text behind it (for a tooltip). */
export function tileReason(c: CameraLive): { key: string; raw: string | null } | null {
  const state = tileState(c);
  if (state === 'online') return null;
  if (state === 'not_detecting') return { key: `ops.detectionFault.${c.detectionFault!}`, raw: c.detectionError };
  const code = cameraReasonCode(c);
  if (code) return { key: `camReason.${code}`, raw: c.lastError };
  if (state === 'unknown') return { key: 'camReason.neverReported', raw: null };
  if (state === 'offline') return { key: 'camReason.noStatus', raw: null };
  return null;
}

const HOUR_MS = 3_600_000;
const VN_OFFSET_MS = 7 * HOUR_MS;

/** Vietnam hour of day (0–23) of an instant. */
export function vnHour(ms: number): number {
  return new Date(ms + VN_OFFSET_MS).getUTCHours();
}

/** YYYY-MM-DD in Vietnam. */
export function vnDay(ms: number): string {
  return new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10);
}

export interface HourBucket {
  /** Start of the hour, epoch ms. */
  start: number;
  values: Record<string, number>;
}

/**
 * The 24 hours up to the one holding `stats.at`, oldest first, every hour present (zeros where nothing
 * happened), counts split by violation type or by camera; `cameraId` keeps one camera's only.
 */
export function hourSeries(stats: Pick<StatsSnapshot, 'at' | 'violationsPerHour'>, by: 'type' | 'cameraId', cameraId?: string): HourBucket[] {
  const last = Math.floor(Date.parse(stats.at) / HOUR_MS) * HOUR_MS;
  const buckets: HourBucket[] = [];
  const index = new Map<number, HourBucket>();
  for (let i = 23; i >= 0; i--) {
    const b = { start: last - i * HOUR_MS, values: {} };
    buckets.push(b);
    index.set(b.start, b);
  }
  for (const v of stats.violationsPerHour) {
    if (cameraId && v.cameraId !== cameraId) continue;
    const b = index.get(Math.floor(Date.parse(v.hour) / HOUR_MS) * HOUR_MS);
    if (b) b.values[v[by]] = (b.values[v[by]] ?? 0) + v.count;
  }
  return buckets;
}

/** One camera's violations of the Vietnam day holding `stats.at`, by type. */
export function todayByType(stats: Pick<StatsSnapshot, 'at' | 'violationsPerHour'>, cameraId: string): Record<string, number> {
  const today = vnDay(Date.parse(stats.at));
  const out: Record<string, number> = {};
  for (const v of stats.violationsPerHour) {
    if (v.cameraId === cameraId && vnDay(Date.parse(v.hour)) === today) out[v.type] = (out[v.type] ?? 0) + v.count;
  }
  return out;
}

export interface MapPoint {
  cameraId: string;
  x: number;
  y: number;
}

/** A province's outline: its rings of [lng, lat] points (see components/province-outlines.md). */
export type OutlineRings = [number, number][][];

/**
 * Cameras with coordinates placed in a `width`×`height` box: an equirectangular projection (longitude shrunk by
 * the cosine of the mean latitude, so distances look right at Vietnam's latitudes) of their bounding box, the
 * same scale on both axes, centred, with `pad` pixels free around it. One camera (or cameras at one place) sits
 * in the middle.
 */
export function mapLayout(cameras: Pick<CameraLive, 'cameraId' | 'lat' | 'lng'>[], width: number, height: number, pad = 40): MapPoint[] {
  return mapScene(cameras, [], width, height, pad).points;
}

/**
 * mapLayout with a province outline behind the cameras: the bounding box framed is that of the cameras and the
 * outline together, one projection for both, so a camera inside the province plots inside its drawn outline.
 * `outline` is an SVG path ('' without rings).
 */
export function mapScene(
  cameras: Pick<CameraLive, 'cameraId' | 'lat' | 'lng'>[],
  rings: OutlineRings,
  width: number,
  height: number,
  pad = 40,
): { points: MapPoint[]; outline: string } {
  const placed = cameras.filter((c): c is typeof c & { lat: number; lng: number } => typeof c.lat === 'number' && typeof c.lng === 'number');
  if (placed.length === 0) return { points: [], outline: '' };
  const meanLat = placed.reduce((s, c) => s + c.lat, 0) / placed.length;
  const kx = Math.cos((meanLat * Math.PI) / 180);
  const framed = [...placed.map((c): [number, number] => [c.lng, c.lat]), ...rings.flat()];
  const xs = framed.map(([lng]) => lng * kx);
  const ys = framed.map(([, lat]) => lat);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const spanX = maxX - minX;
  const spanY = maxY - minY;
  const scale = Math.min(spanX > 0 ? (width - 2 * pad) / spanX : Infinity, spanY > 0 ? (height - 2 * pad) / spanY : Infinity);
  const s = Number.isFinite(scale) ? scale : 0;
  const offX = (width - spanX * s) / 2;
  const offY = (height - spanY * s) / 2;
  const x = (lng: number) => offX + (lng * kx - minX) * s;
  const y = (lat: number) => height - (offY + (lat - minY) * s);
  return {
    points: placed.map((c) => ({ cameraId: c.cameraId, x: x(c.lng), y: y(c.lat) })),
    outline: rings.map((r) => 'M' + r.map(([lng, lat]) => `${x(lng).toFixed(1)},${y(lat).toFixed(1)}`).join('L') + 'Z').join(''),
  };
}

/** Whether [lng, lat] lies inside the ring (even-odd ray casting). */
export function insideRing([lng, lat]: [number, number], ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * The outline to draw behind these cameras: the province holding the most of them (the agency's province, as
 * its cameras stand in it), or none when no camera lies in any of them.
 */
export function outlineFor<P extends { rings: OutlineRings }>(cameras: { lat: number | null; lng: number | null }[], provinces: P[]): P | null {
  let best: P | null = null;
  let most = 0;
  for (const p of provinces) {
    const n = cameras.filter((c) => c.lat !== null && c.lng !== null && p.rings.some((r) => insideRing([c.lng!, c.lat!], r))).length;
    if (n > most) [best, most] = [p, n];
  }
  return best;
}
