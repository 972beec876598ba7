// What the roles of a camera node say to each other and to the api through Redis: every key and channel name
// (each under the node's prefix, INGEST_REDIS_PREFIX: empty in production, unique in tests) and the messages
// on the channels. Ingest and the detector write them; the detector and the api read them; nobody restates a name.
import type { DetectorState } from '../contracts/api/stats';

/** Redis stream that carries a camera's frame references, in order (`FrameRef`, capped with MAXLEN ~ slots). */
export function frameStreamKey(cameraId: string, prefix = ''): string {
  return `${prefix}frames:${cameraId}`;
}

/** Hash of downstream drops per camera: the frame reader adds to it, ingest reads it into its camera status. */
export function droppedKey(prefix = ''): string {
  return `${prefix}frames-dropped`;
}

/** Pub/sub channel of ingest's camera status changes (`CameraStatus`). */
export const CAMERA_STATUS_CHANNEL = 'camera-status';

export function cameraStatusChannel(prefix = ''): string {
  return `${prefix}${CAMERA_STATUS_CHANNEL}`;
}

/** Pub/sub channel of the detector's live figures (`DetectorStatsMessage`), one message per camera every few seconds. */
export const DETECTOR_STATS_CHANNEL = 'detector-stats';

export function detectorStatsChannel(prefix = ''): string {
  return `${prefix}${DETECTOR_STATS_CHANNEL}`;
}

export const CAMERA_STATES = ['starting', 'online', 'reconnecting', 'offline', 'stopped'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

/** What ingest publishes on `camera-status` and stores in the `camera_status` table. */
export interface CameraStatus {
  cameraId: string;
  state: CameraState;
  /** Short, credential-free reason for the last failure (null while healthy). */
  lastError: string | null;
  /** Machine-readable class of the last failure. */
  lastErrorCode: CameraErrorCode | null;
  /** Frames per second written over the last status window. */
  fps: number;
  framesTotal: number;
  /** Frames sampled but not delivered because downstream (disk ring or Redis) was behind. */
  framesDropped: number;
  /** Restarts of this camera's ffmpeg since the lease was taken. */
  restarts: number;
  lastFrameAt: string | null;
  holder: string;
  node: string;
  updatedAt: string;
}

export const CAMERA_ERROR_CODES = ['unreachable', 'not_found', 'unauthorized', 'no_video', 'corrupt_stream', 'stalled', 'ffmpeg_exited', 'bad_source'] as const;
export type CameraErrorCode = (typeof CAMERA_ERROR_CODES)[number];

/** Rates of one camera over the detector's last sampling period. */
export interface CameraRates {
  cameraId: string;
  detectionsPerSecond: number;
  framesPerSecond: number;
}

/** What the detector publishes on `detector-stats`: the camera's rates, the TF.js backend it runs on (api: /metrics) and its detection state. */
export interface DetectorStatsMessage extends CameraRates {
  backend: string;
  /** `detecting`, or why not (`retrying`, `stalled`, `gave_up`: the camera was released). */
  state: DetectorState;
  /** The reason when not detecting (the last error), else null. */
  error: string | null;
}
