// Live statistics for the operations centre wall (GET /api/stats and the SSE stream /api/stats/stream).
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, VIOLATION_TYPES } from './common';

export const CameraLive = Type.Object({
  cameraId: Type.String(),
  name: Type.String(),
  online: Type.Boolean(),
  /** Ingest state: starting, online, reconnecting, offline, stopped; `unknown` before any report. */
  state: Type.String(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  framesDropped: Type.Number(),
  fps: Type.Number({ description: 'frames per second ingested' }),
  detectionsPerSecond: Type.Number(),
  updatedAt: Type.Union([IsoDateTime, Type.Null()]),
});
export type CameraLive = Static<typeof CameraLive>;

export const StatsSnapshot = Type.Object({
  at: IsoDateTime,
  cameras: Type.Array(CameraLive),
  violationsPerHour: Type.Array(Type.Object({ hour: IsoDateTime, cameraId: Type.String(), type: Type.String(), count: Type.Integer() })),
  /**
   * Violations per day by type over the last `TREND_DAYS` days (Vietnam calendar days, oldest first, today last;
   * days without violations are present with zeros), for the wall's trend chart.
   */
  violationsPerDay: Type.Array(Type.Object({
    day: Type.String({ format: 'date', description: 'YYYY-MM-DD in Asia/Ho_Chi_Minh' }),
    counts: Type.Object(Object.fromEntries(VIOLATION_TYPES.map((t) => [t, Type.Integer()])) as Record<(typeof VIOLATION_TYPES)[number], ReturnType<typeof Type.Integer>>),
    total: Type.Integer(),
  })),
  backlog: Type.Object({ detected: Type.Integer(), confirmed: Type.Integer(), approved: Type.Integer(), manual: Type.Integer() }),
  /** Open cases (not notified) by days left to the 10-day notice deadline. */
  ageing: Type.Object({ overdue: Type.Integer(), due1d: Type.Integer(), due3d: Type.Integer(), later: Type.Integer() }),
  deliveries: Type.Object({ pending: Type.Integer(), failed: Type.Integer(), sent: Type.Integer() }),
});
export type StatsSnapshot = Static<typeof StatsSnapshot>;

/** Days in `violationsPerDay`. */
export const TREND_DAYS = 30;

/**
 * One camera's live state as pushed on the SSE stream (`event: camera`). Built from ingest's `CameraStatus`
 * on Redis channel `camera-status` (core/contracts/frames.ts) and the detector's `{ cameraId, detectionsPerSecond }`
 * on channel `detector-stats`.
 */
export const CameraStatusMessage = Type.Object({
  cameraId: Type.String(),
  state: Type.String(),
  online: Type.Boolean(),
  fps: Type.Number(),
  framesDropped: Type.Number(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  detectionsPerSecond: Type.Number(),
});
export type CameraStatusMessage = Static<typeof CameraStatusMessage>;
