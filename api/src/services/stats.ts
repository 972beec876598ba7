// Live statistics for the operations wall: camera status from ingest (Redis channel `camera-status`, and the
// `camera_status` table after a restart), detections per second from the detector (channel `detector-stats`),
// violations per hour, review backlog, deadline ageing, delivery health. A camera that ingest has online but on
// which detection does not run (its detector retrying, stalled, gave up, silent, or processing no frames) carries
// a `detectionFault`: the wall shows it as a fault within one detector report period (5 s) or, when the detector
// went silent, `NO_REPORT_MS`.
import type { Queryable } from '@phatnguoi/core/db';
import {
  DETECTOR_STATES,
  RECENT_CASES,
  TREND_DAYS,
  type CameraLive,
  type CameraStatusMessage,
  type DetectionFault,
  type DetectorState,
  type StatsSnapshot,
} from '@phatnguoi/core/contracts/api/stats';
import { VIOLATION_TYPES, type ViolationType } from '@phatnguoi/core/contracts/api/common';
import type { CameraStatus, DetectorStatsMessage } from '@phatnguoi/core/camera-node/channels';
import { NotFoundError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import sharp from 'sharp';
import type { StorageLike } from '../deps';
import { isUuid } from './cases';
import { VN_OFFSET_MS, vnDay } from '../domain/vietnam-time';

/** The last `days` Vietnam calendar days up to the one holding `now`, oldest first, each with zero counts filled in. */
export function dailySeries(rows: { day: string; type: string; n: number }[], now: Date, days = TREND_DAYS): StatsSnapshot['violationsPerDay'] {
  const out: StatsSnapshot['violationsPerDay'] = [];
  const index = new Map<string, StatsSnapshot['violationsPerDay'][number]>();
  for (let i = days - 1; i >= 0; i--) {
    const day = vnDay(new Date(now.getTime() - i * 86_400_000));
    const entry = { day, counts: Object.fromEntries(VIOLATION_TYPES.map((t) => [t, 0])) as Record<ViolationType, number>, total: 0 };
    out.push(entry);
    index.set(day, entry);
  }
  for (const r of rows) {
    const e = index.get(r.day);
    if (!e || !(VIOLATION_TYPES as readonly string[]).includes(r.type)) continue;
    e.counts[r.type as ViolationType] += r.n;
    e.total += r.n;
  }
  return out;
}

/** The channel names and messages are the camera node's (core/src/camera-node/channels.ts); re-exported for the ops routes. */
export { CAMERA_STATUS_CHANNEL, DETECTOR_STATS_CHANNEL } from '@phatnguoi/core/camera-node/channels';

interface Entry extends Omit<CameraStatusMessage, 'detectionFault' | 'detectionError'> {
  receivedAt: Date;
  /** The detector's last report: frames per second, its TF.js backend, its detection state, when; null before the first. */
  detector: { framesPerSecond: number; backend: string; state: DetectorState; error: string | null; at: Date } | null;
}

/** Whether detection runs on a camera that ingest has online: `fault` null when it does (or nothing is known yet). */
export interface Detection {
  fault: DetectionFault | null;
  error: string | null;
}

/** One camera's detection as /metrics shows it: the cameras whose ingest reported them online lately. */
export interface CameraDetection extends Detection {
  cameraId: string;
}

/** The detector figures of the cameras whose detector reported within the last minute (for /metrics). */
export interface DetectorFigures {
  cameraId: string;
  backend: string;
  framesPerSecond: number;
  detectionsPerSecond: number;
}

const BACKEND_NAME = /^[a-z0-9-]{1,32}$/;
/** Camera and detector figures older than this are stale. */
const STALE_MS = 60_000;
/**
 * A detector reports each of its cameras every 5 s: a camera with no report for this long has no working detector
 * (its detector died, or none holds it). With the wall's 5 s snapshot period, such a camera shows as a fault within 20 s.
 */
export const NO_REPORT_MS = 15_000;
/** Longest detector reason kept (it is shown on the wall). */
const MAX_ERROR_CHARS = 300;

/** Latest status per camera, fed by the Redis subscriptions. */
export class CameraStatusBoard {
  private readonly latest = new Map<string, Entry>();
  /** When the board first saw the time: before NO_REPORT_MS has passed, a missing report is not a fault yet. */
  private startedAt: number | null = null;

  private entry(cameraId: string, now: Date): Entry {
    this.startedAt ??= now.getTime();
    let e = this.latest.get(cameraId);
    if (!e) {
      e = {
        cameraId,
        state: 'unknown',
        online: false,
        fps: 0,
        framesDropped: 0,
        lastError: null,
        lastErrorCode: null,
        detectionsPerSecond: 0,
        receivedAt: now,
        detector: null,
      };
      this.latest.set(cameraId, e);
    }
    return e;
  }

  /** An ingest `CameraStatus` message; returns the merged camera state, or null when the message is not one. */
  updateFromIngest(raw: string, now: Date): CameraStatusMessage | null {
    const m = parse<CameraStatus>(raw);
    if (!m || typeof m.cameraId !== 'string' || typeof m.state !== 'string') return null;
    const e = this.entry(m.cameraId, now);
    e.state = m.state;
    e.online = m.state === 'online';
    e.fps = num(m.fps);
    e.framesDropped = num(m.framesDropped);
    e.lastError = typeof m.lastError === 'string' ? m.lastError : null;
    e.lastErrorCode = typeof m.lastErrorCode === 'string' ? m.lastErrorCode : null;
    e.receivedAt = now;
    return this.message(e, now);
  }

  /** A detector's `DetectorStatsMessage` (`state` absent: an older detector, taken as detecting). */
  updateFromDetector(raw: string, now: Date): CameraStatusMessage | null {
    const m = parse<DetectorStatsMessage>(raw);
    if (!m || typeof m.cameraId !== 'string') return null;
    const e = this.entry(m.cameraId, now);
    e.detectionsPerSecond = num(m.detectionsPerSecond);
    const backend = typeof m.backend === 'string' && BACKEND_NAME.test(m.backend) ? m.backend : 'unknown';
    const state: DetectorState =
      typeof m.state === 'string' && (DETECTOR_STATES as readonly string[]).includes(m.state)
        ? (m.state as DetectorState)
        : m.state === undefined
          ? 'detecting'
          : 'retrying';
    const error =
      typeof m.error === 'string' && m.error
        ? m.error.slice(0, MAX_ERROR_CHARS)
        : state === 'detecting'
          ? null
          : `unrecognised detector state ${JSON.stringify(m.state ?? null).slice(0, 40)}`;
    e.detector = { framesPerSecond: num(m.framesPerSecond), backend, state, error: state === 'detecting' ? null : error, at: now };
    return this.message(e, now);
  }

  /**
   * Whether detection runs on a camera, given its ingest state: no fault while ingest does not have it online
   * (offline is its own fault) or before the board has listened for NO_REPORT_MS; else the detector's own state
   * when it is not `detecting`, `no_report` when no detector reported on it for NO_REPORT_MS (`gave_up` stays
   * until another report), `no_frames` when its detector processes no frame while ingest delivers some.
   */
  detection(cameraId: string, ingest: { online: boolean; fps: number }, now: Date): Detection {
    const none: Detection = { fault: null, error: null };
    if (!ingest.online) return none;
    this.startedAt ??= now.getTime();
    const d = this.latest.get(cameraId)?.detector ?? null;
    if (!d || now.getTime() - d.at.getTime() > NO_REPORT_MS) {
      if (d?.state === 'gave_up') return { fault: 'gave_up', error: d.error };
      if (!d && now.getTime() - this.startedAt < NO_REPORT_MS) return none;
      return { fault: 'no_report', error: d ? d.error : null };
    }
    if (d.state !== 'detecting') return { fault: d.state, error: d.error };
    if (d.framesPerSecond === 0 && ingest.fps > 0) return { fault: 'no_frames', error: null };
    return none;
  }

  /** Detection of every camera that ingest reported online within the last minute (for /metrics). */
  cameraDetections(now: Date): CameraDetection[] {
    const out: CameraDetection[] = [];
    for (const e of this.latest.values()) {
      if (now.getTime() - e.receivedAt.getTime() >= STALE_MS || !e.online) continue;
      out.push({ cameraId: e.cameraId, ...this.detection(e.cameraId, { online: true, fps: e.fps }, now) });
    }
    return out;
  }

  private message(e: Entry, now: Date): CameraStatusMessage {
    const d = this.detection(e.cameraId, { online: e.online, fps: e.fps }, now);
    return {
      cameraId: e.cameraId,
      state: e.state,
      online: e.online,
      fps: e.fps,
      framesDropped: e.framesDropped,
      lastError: e.lastError,
      lastErrorCode: e.lastErrorCode,
      detectionsPerSecond: e.detectionsPerSecond,
      detectionFault: d.fault,
      detectionError: d.error,
    };
  }

  detectorFigures(now: Date): DetectorFigures[] {
    const out: DetectorFigures[] = [];
    for (const e of this.latest.values()) {
      if (!e.detector || now.getTime() - e.detector.at.getTime() >= STALE_MS) continue;
      out.push({ cameraId: e.cameraId, backend: e.detector.backend, framesPerSecond: e.detector.framesPerSecond, detectionsPerSecond: e.detectionsPerSecond });
    }
    return out;
  }

  get(cameraId: string): Entry | undefined {
    return this.latest.get(cameraId);
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The agency of a camera, for scoping live messages; looked up in PostgreSQL and remembered a minute (a camera
 * moved to another agency is scoped anew within that). Null for an id that is no camera: such a message goes
 * to unscoped streams only.
 */
export class CameraAgencies {
  private readonly cache = new Map<string, { agencyId: string | null; at: number }>();
  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 60_000,
  ) {}

  async of(cameraId: string, now: Date): Promise<string | null> {
    if (!UUID_RE.test(cameraId)) return null;
    const hit = this.cache.get(cameraId);
    if (hit && now.getTime() - hit.at < this.ttlMs) return hit.agencyId;
    const { rows } = await this.db.query<{ agency_id: string }>('SELECT agency_id FROM cameras WHERE id = $1', [cameraId]);
    const agencyId = rows[0]?.agency_id ?? null;
    if (this.cache.size >= 10_000) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cameraId, { agencyId, at: now.getTime() });
    return agencyId;
  }
}

/** A message as it arrives: the fields of `T`, each still to be checked. */
function parse<T>(raw: string): { [K in keyof T]?: unknown } | null {
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' ? (v as { [K in keyof T]?: unknown }) : null;
  } catch {
    return null;
  }
}
function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

export async function statsSnapshot(q: Queryable, board: CameraStatusBoard, now: Date, agencyId: string | null): Promise<StatsSnapshot> {
  const cams = await q.query<{
    id: string;
    name: string;
    lat: number | null;
    lng: number | null;
    state: string | null;
    fps: number | null;
    frames_dropped: string | null;
    last_error: string | null;
    last_error_code: string | null;
    updated_at: Date | null;
  }>(
    `SELECT c.id, c.name, c.lat, c.lng, s.state, s.fps, s.frames_dropped, s.last_error, s.last_error_code, s.updated_at
       FROM cameras c LEFT JOIN camera_status s ON s.camera_id = c.id
      WHERE ($1::uuid IS NULL OR c.agency_id = $1) ORDER BY c.name`,
    [agencyId],
  );
  const cameras: CameraLive[] = cams.rows.map((c) => {
    const live = board.get(c.id);
    const useLive = live && live.state !== 'unknown' && (!c.updated_at || live.receivedAt >= c.updated_at);
    const state = useLive ? live.state : (c.state ?? 'unknown');
    const updatedAt = useLive ? live.receivedAt : c.updated_at;
    const fresh = updatedAt !== null && now.getTime() - updatedAt.getTime() < STALE_MS;
    const online = fresh && state === 'online';
    const fps = fresh ? (useLive ? live.fps : (c.fps ?? 0)) : 0;
    const detection = board.detection(c.id, { online, fps }, now);
    return {
      cameraId: c.id,
      name: c.name,
      state: fresh ? state : state === 'unknown' ? 'unknown' : 'offline',
      online,
      lastError: useLive ? live.lastError : c.last_error,
      lastErrorCode: useLive ? live.lastErrorCode : c.last_error_code,
      framesDropped: useLive ? live.framesDropped : Number(c.frames_dropped ?? 0),
      fps,
      detectionsPerSecond: fresh && live ? live.detectionsPerSecond : 0,
      detectionFault: detection.fault,
      detectionError: detection.error,
      updatedAt: updatedAt ? updatedAt.toISOString() : null,
      lat: c.lat,
      lng: c.lng,
    };
  });
  const perHour = await q.query<{ hour: Date; camera_id: string; type: string; n: string }>(
    `SELECT date_trunc('hour', occurred_at) AS hour, camera_id, type, count(*) AS n FROM cases
      WHERE occurred_at >= $1 AND ($2::uuid IS NULL OR agency_id = $2) GROUP BY 1, 2, 3 ORDER BY 1`,
    [new Date(now.getTime() - 24 * 3600_000), agencyId],
  );
  // From the start of the oldest Vietnam day in the series.
  const firstDay = new Date(`${vnDay(new Date(now.getTime() - (TREND_DAYS - 1) * 86_400_000))}T00:00:00.000Z`);
  const perDay = await q.query<{ day: string; type: string; n: string }>(
    `SELECT to_char(occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, type, count(*) AS n FROM cases
      WHERE occurred_at >= $1 AND occurred_at <= $2 AND ($3::uuid IS NULL OR agency_id = $3) GROUP BY 1, 2`,
    [new Date(firstDay.getTime() - VN_OFFSET_MS), now, agencyId],
  );
  const backlog = await q.query<{
    detected: string;
    confirmed: string;
    approved: string;
    manual: string;
    overdue: string;
    due1d: string;
    due3d: string;
    later: string;
  }>(
    `SELECT count(*) FILTER (WHERE status = 'detected') AS detected, count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
            count(*) FILTER (WHERE status = 'approved') AS approved, count(*) FILTER (WHERE manual_handling) AS manual,
            count(*) FILTER (WHERE notice_due_at <= $1) AS overdue,
            count(*) FILTER (WHERE notice_due_at > $1 AND notice_due_at <= $1 + interval '1 day') AS due1d,
            count(*) FILTER (WHERE notice_due_at > $1 + interval '1 day' AND notice_due_at <= $1 + interval '3 days') AS due3d,
            count(*) FILTER (WHERE notice_due_at > $1 + interval '3 days') AS later
       FROM cases WHERE status IN ('detected', 'confirmed', 'approved') AND ($2::uuid IS NULL OR agency_id = $2)`,
    [now, agencyId],
  );
  const del = await q.query<{ status: string; n: string }>(
    `SELECT d.status, count(*) AS n FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id
      WHERE ($1::uuid IS NULL OR c.agency_id = $1) GROUP BY d.status`,
    [agencyId],
  );
  const response = await q.query<{ overdue: string; due1d: string; due3d: string; later: string }>(
    `SELECT count(*) FILTER (WHERE d.due_at <= $1) AS overdue,
            count(*) FILTER (WHERE d.due_at > $1 AND d.due_at <= $1 + interval '1 day') AS due1d,
            count(*) FILTER (WHERE d.due_at > $1 + interval '1 day' AND d.due_at <= $1 + interval '3 days') AS due3d,
            count(*) FILTER (WHERE d.due_at > $1 + interval '3 days') AS later
       FROM case_deadlines d JOIN cases c ON c.id = d.case_id
      WHERE d.kind = 'response_due' AND d.status = 'pending' AND c.status = 'notified' AND ($2::uuid IS NULL OR c.agency_id = $2)`,
    [now, agencyId],
  );
  const recent = await q.query<{ id: string; type: string; camera_id: string; camera_name: string; occurred_at: Date; status: string; has_still: boolean }>(
    `SELECT c.id, c.type, c.camera_id, cam.name AS camera_name, c.occurred_at, c.status,
            EXISTS (SELECT 1 FROM case_evidence e WHERE e.case_id = c.id AND e.kind IN ('scene_after', 'scene_before')) AS has_still
       FROM cases c JOIN cameras cam ON cam.id = c.camera_id
      WHERE ($1::uuid IS NULL OR c.agency_id = $1) ORDER BY c.created_at DESC, c.id LIMIT ${RECENT_CASES}`,
    [agencyId],
  );
  const b = backlog.rows[0]!;
  const r = response.rows[0]!;
  const dcount = (s: string) => Number(del.rows.find((r) => r.status === s)?.n ?? 0);
  return {
    at: now.toISOString(),
    cameras,
    violationsPerHour: perHour.rows.map((r) => ({ hour: r.hour.toISOString(), cameraId: r.camera_id, type: r.type, count: Number(r.n) })),
    violationsPerDay: dailySeries(
      perDay.rows.map((r) => ({ day: r.day, type: r.type, n: Number(r.n) })),
      now,
    ),
    backlog: { detected: Number(b.detected), confirmed: Number(b.confirmed), approved: Number(b.approved), manual: Number(b.manual) },
    ageing: { overdue: Number(b.overdue), due1d: Number(b.due1d), due3d: Number(b.due3d), later: Number(b.later) },
    responseAgeing: { overdue: Number(r.overdue), due1d: Number(r.due1d), due3d: Number(r.due3d), later: Number(r.later) },
    recent: recent.rows.map((c) => ({
      id: c.id,
      type: c.type,
      cameraId: c.camera_id,
      cameraName: c.camera_name,
      occurredAt: c.occurred_at.toISOString(),
      status: c.status,
      hasThumbnail: c.has_still,
    })),
    deliveries: { pending: dcount('pending'), failed: dcount('failed'), sent: dcount('sent') + dcount('batched') },
  };
}

/** Width of the wall's violation thumbnails, pixels (read across a room, small on the wire). */
const THUMB_WIDTH = 480;

/**
 * A small JPEG of a case's scene (after the line, else before) for the wall, when the caller's agency may see the
 * case; 404 otherwise, the same as for a case that does not exist.
 */
export async function caseThumbnail(q: Queryable, storage: StorageLike | undefined, caseId: string, agencyId: string | null): Promise<Buffer> {
  if (!isUuid(caseId)) throw new NotFoundError('no such case');
  const { rows } = await q.query<{ bucket: string; key: string }>(
    `SELECT e.bucket, e.key FROM cases c JOIN case_evidence e ON e.case_id = c.id AND e.kind IN ('scene_after', 'scene_before')
      WHERE c.id = $1 AND ($2::uuid IS NULL OR c.agency_id = $2) ORDER BY e.kind = 'scene_after' DESC LIMIT 1`,
    [caseId, agencyId],
  );
  const still = rows[0];
  if (!still || !storage) throw new NotFoundError('no still of this case', 'no_thumbnail');
  const jpeg = await storage.get(still.bucket as BucketName, still.key);
  return sharp(jpeg).resize({ width: THUMB_WIDTH, withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
}

/** How many cases there are in each status, every agency together (the `api_cases` metric). */
export async function caseCountsByStatus(q: Queryable): Promise<{ status: string; count: number }[]> {
  const { rows } = await q.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM cases GROUP BY status');
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}
