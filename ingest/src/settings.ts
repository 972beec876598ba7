// Ingest's own settings, read from the environment once, reported together with core config problems.
import { envReader, type Config, type Env } from '@phatnguoi/core/config';
import { readCameraNodeSettings, type CameraNodeSettings } from '@phatnguoi/core/camera-node/settings';
import { MIN_RING_SLOTS } from '@phatnguoi/core/camera-node/frame-ring';
import { readCameraSecretKey, type CameraSecretKey } from '@phatnguoi/core/camera-secrets';

export interface IngestSettings extends CameraNodeSettings {
  /** CAMERA_SECRET_KEY: opens the cameras' sealed stream passwords (core/src/camera-secrets.ts). */
  cameraSecretKey: CameraSecretKey;
  /** Lease time to live; leases are renewed every third of it, a crashed process's cameras move after it. */
  leaseTtlMs: number;
  /** At most this many cameras per process (0 = no limit beyond the even share). */
  maxCameras: number;
  /**
   * Slots in each camera's frame ring (also the Redis stream MAXLEN ~). A slot holds one raw I420 frame:
   * 3.1 MB at 1080p, so 32 slots (6.4 s at 5 fps) take 100 MB of the memory volume per camera.
   */
  frameRingSlots: number;
  /** ffmpeg decoder threads per camera (0: ffmpeg's choice); see `InputPresetOptions.decodeThreads`. */
  decodeThreads: number;
  /** Seconds of video kept per camera for clips. */
  clipRetentionSeconds: number;
  /** No frame for this long restarts the camera's ffmpeg. */
  watchdogMs: number;
  /** Time allowed for the first frame of a run (connect, probe, first keyframe) before the watchdog applies. */
  startTimeoutMs: number;
  /** RTSP socket timeout handed to ffmpeg. */
  socketTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Consecutive failed starts, or time down, after which a camera is reported offline (not just reconnecting). */
  offlineAfterFailures: number;
  offlineAfterMs: number;
  /**
   * A camera whose supervisor keeps failing on this process's side (disk, Redis, spawning ffmpeg: not the camera's
   * stream) for this long is given up: its lease is released so another ingest process takes it.
   */
  giveUpAfterMs: number;
  statusIntervalMs: number;
  ffmpegStopGraceMs: number;
}

export function loadIngestSettings(config: Pick<Config, 'dataDir' | 'env'>, env: Env = process.env): IngestSettings {
  const r = envReader(env);
  const settings: IngestSettings = {
    ...readCameraNodeSettings(r, config),
    cameraSecretKey: readCameraSecretKey(r, config),
    leaseTtlMs: r.int('INGEST_LEASE_TTL_MS', 15_000, { min: 1000, max: 600_000 }),
    maxCameras: r.int('INGEST_MAX_CAMERAS', 0, { min: 0 }),
    frameRingSlots: r.int('FRAME_RING_SLOTS', 32, { min: MIN_RING_SLOTS, max: 10_000 }),
    decodeThreads: r.int('INGEST_DECODE_THREADS', 1, { min: 0, max: 64 }),
    clipRetentionSeconds: r.int('CLIP_RETENTION_SECONDS', 120, { min: 10, max: 86_400 }),
    watchdogMs: r.int('INGEST_WATCHDOG_MS', 10_000, { min: 500 }),
    startTimeoutMs: r.int('INGEST_START_TIMEOUT_MS', 15_000, { min: 1000 }),
    socketTimeoutMs: r.int('INGEST_SOCKET_TIMEOUT_MS', 5000, { min: 500 }),
    backoffInitialMs: r.int('INGEST_BACKOFF_INITIAL_MS', 1000, { min: 10 }),
    backoffMaxMs: r.int('INGEST_BACKOFF_MAX_MS', 30_000, { min: 10 }),
    offlineAfterFailures: r.int('INGEST_OFFLINE_AFTER_FAILURES', 3, { min: 1 }),
    offlineAfterMs: r.int('INGEST_OFFLINE_AFTER_MS', 30_000, { min: 0 }),
    giveUpAfterMs: r.int('INGEST_GIVE_UP_AFTER_MS', 60_000, { min: 0 }),
    statusIntervalMs: r.int('INGEST_STATUS_INTERVAL_MS', 2000, { min: 100 }),
    ffmpegStopGraceMs: r.int('INGEST_FFMPEG_STOP_GRACE_MS', 3000, { min: 0 }),
  };
  if (settings.backoffMaxMs < settings.backoffInitialMs) r.problem('INGEST_BACKOFF_MAX_MS', 'must be at least INGEST_BACKOFF_INITIAL_MS');
  r.done();
  return settings;
}
