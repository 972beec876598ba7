// The settings every role on a camera node must agree on: the Redis prefix of the node's keys and channels, and
// where the segment ring lives and how long its segments are. Ingest reads them among its own settings; the
// detector and the api read them here, so the three never disagree on a name.
import { join, resolve } from 'node:path';
import { envReader, type Config, type Env, type EnvReader } from '../config';

export interface CameraNodeSettings {
  /**
   * Prefix for Redis keys and channels (`frames:<id>`, `frames-dropped`, `camera-status`, `detector-stats`).
   * Empty in production; tests and side-by-side environments set one, and every role must use the same.
   */
  redisKeyPrefix: string;
  /** Root of the segment ring (evidence video). */
  segmentDir: string;
  segmentSeconds: number;
}

/** Reads the camera-node settings into `r` (its caller reports every problem at once with `r.done()`). */
export function readCameraNodeSettings(r: EnvReader, config: Pick<Config, 'dataDir'>): CameraNodeSettings {
  return {
    redisKeyPrefix: r.string('INGEST_REDIS_PREFIX', ''),
    segmentDir: resolve(r.string('SEGMENT_RING_DIR', join(config.dataDir, 'segments'))),
    segmentSeconds: r.int('SEGMENT_SECONDS', 2, { min: 1, max: 60 }),
  };
}

/** The camera-node settings from `env`; throws ConfigError naming every bad variable. */
export function loadCameraNodeSettings(config: Pick<Config, 'dataDir'>, env: Env = process.env): CameraNodeSettings {
  const r = envReader(env);
  const settings = readCameraNodeSettings(r, config);
  r.done();
  return settings;
}
