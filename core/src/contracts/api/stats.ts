// Live statistics for the operations centre wall (GET /api/stats and the SSE stream /api/stats/stream).
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, VIOLATION_TYPES } from './common';

/**
 * A camera's detection as its detector reports it (detector-stats `state`): `detecting`; `retrying` (its frame
 * loop failed and retries by itself); `stalled` (a call hangs: no frame read or finished for a while); `gave_up`
 * (failed for too long: the detector released the camera for another process to take).
 */
export const DETECTOR_STATES = ['detecting', 'retrying', 'stalled', 'gave_up'] as const;
export type DetectorState = (typeof DETECTOR_STATES)[number];

/**
 * Why a camera that ingest has online is not detecting: the detector's own state (`retrying`, `stalled`,
 * `gave_up`), `no_report` (no detector has reported on it lately: none holds it, or its detector is down) or
 * `no_frames` (its detector reports no frames processed while ingest delivers some).
 */
export const DETECTION_FAULTS = ['retrying', 'stalled', 'gave_up', 'no_report', 'no_frames'] as const;
export type DetectionFault = (typeof DETECTION_FAULTS)[number];
export const DetectionFaultSchema = Type.Union([
  Type.Literal('retrying'),
  Type.Literal('stalled'),
  Type.Literal('gave_up'),
  Type.Literal('no_report'),
  Type.Literal('no_frames'),
  Type.Null(),
]);

export const CameraLive = Type.Object({
  cameraId: Type.String(),
  name: Type.String(),
  online: Type.Boolean(),
  /** Ingest state: starting, online, reconnecting, offline, stopped; `unknown` before any report. */
  state: Type.String(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  /** Ingest's class of the last failure (`CAMERA_ERROR_CODES`: not_found, unauthorized, …), for the UI to put in words; null when unknown. */
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  framesDropped: Type.Number(),
  fps: Type.Number({ description: 'frames per second ingested' }),
  detectionsPerSecond: Type.Number(),
  /** Set while ingest has the camera online but detection is not running on it: a fault (null: detecting, or offline). */
  detectionFault: DetectionFaultSchema,
  /** The detector's reason, as it logged it (English, technical), when it gave one. */
  detectionError: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([IsoDateTime, Type.Null()]),
  /** Where the camera stands (WGS 84), for the wall's map; null when not set. */
  lat: Type.Union([Type.Number(), Type.Null()]),
  lng: Type.Union([Type.Number(), Type.Null()]),
});
export type CameraLive = Static<typeof CameraLive>;

const Ageing = Type.Object({ overdue: Type.Integer(), due1d: Type.Integer(), due3d: Type.Integer(), later: Type.Integer() });

export const RecentCase = Type.Object({
  id: Type.String(),
  type: Type.String(),
  cameraId: Type.String(),
  cameraName: Type.String(),
  occurredAt: IsoDateTime,
  status: Type.String(),
  /** Whether a scene still exists (GET /api/stats/cases/:id/thumbnail). */
  hasThumbnail: Type.Boolean(),
});
export type RecentCase = Static<typeof RecentCase>;

/** Cases in `recent`. */
export const RECENT_CASES = 12;

export const StatsSnapshot = Type.Object({
  at: IsoDateTime,
  cameras: Type.Array(CameraLive),
  violationsPerHour: Type.Array(Type.Object({ hour: IsoDateTime, cameraId: Type.String(), type: Type.String(), count: Type.Integer() })),
  /**
   * Violations per day by type over the last `TREND_DAYS` days (Vietnam calendar days, oldest first, today last;
   * days without violations are present with zeros), for the wall's trend chart.
   */
  violationsPerDay: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date', description: 'YYYY-MM-DD in Asia/Ho_Chi_Minh' }),
      counts: Type.Object(
        Object.fromEntries(VIOLATION_TYPES.map((t) => [t, Type.Integer()])) as Record<(typeof VIOLATION_TYPES)[number], ReturnType<typeof Type.Integer>>,
      ),
      total: Type.Integer(),
    }),
  ),
  backlog: Type.Object({ detected: Type.Integer(), confirmed: Type.Integer(), approved: Type.Integer(), manual: Type.Integer() }),
  /** Open cases (not notified) by days left to the 10-day notice deadline. */
  ageing: Ageing,
  /** Notified cases still waiting for the owner, by days left to the 20-day response deadline. */
  responseAgeing: Ageing,
  /** The latest violations (newest first, at most `RECENT_CASES`), for the wall's live list. */
  recent: Type.Array(RecentCase),
  deliveries: Type.Object({ pending: Type.Integer(), failed: Type.Integer(), sent: Type.Integer() }),
});
export type StatsSnapshot = Static<typeof StatsSnapshot>;

/** Days in `violationsPerDay`. */
export const TREND_DAYS = 30;

/**
 * One camera's live state as pushed on the SSE stream (`event: camera`). Built from ingest's `CameraStatus`
 * on Redis channel `camera-status` (core/src/camera-node/channels.ts) and the detector's `{ cameraId, detectionsPerSecond,
 * framesPerSecond, backend, state, error }` on channel `detector-stats`.
 */
export const CameraStatusMessage = Type.Object({
  cameraId: Type.String(),
  state: Type.String(),
  online: Type.Boolean(),
  fps: Type.Number(),
  framesDropped: Type.Number(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
  detectionsPerSecond: Type.Number(),
  detectionFault: DetectionFaultSchema,
  detectionError: Type.Union([Type.String(), Type.Null()]),
});
export type CameraStatusMessage = Static<typeof CameraStatusMessage>;
