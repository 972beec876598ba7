// Pieces shared by the runs of the live path (demo-path test, process-kill faults, the case-delay benchmark):
// the scene the simulated camera serves and the environment every role process gets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@phatnguoi/core/config';
import type { TestDatabase, TestS3 } from '@phatnguoi/core/testing/index';
import { CATALOGUE } from '@phatnguoi/sim/scenario/catalogue';

/** Writes the live path's scene, `name`.json in `dir`: red-light-runners at 640x360 for 15 s with red from 7 s
 *  (a motorbike runs it at about 9.3 s, a car at about 12.4 s), seen by the catalogue's standard wide camera (the
 *  demo's plate camera is 1080p); the camera loops it. `fps` sets the frame rate (the scenario's 10 by default; 5,
 *  the rate the detector samples, renders in half the time for a scene that is only run through the detector).
 *  Returns the file. */
export function writeRedLightScene(dir: string, name: string, opts: { fps?: number } = {}): string {
  const base = CATALOGUE.find((s) => s.name === 'red-light-runners')!;
  const wide = CATALOGUE.find((s) => s.name === 'creep-over-line')!.camera;
  const scene = {
    ...base,
    name,
    width: 640,
    height: 360,
    durationS: 15,
    ...(opts.fps ? { fps: opts.fps } : {}),
    camera: wide,
    signals: base.signals.map((s) => ({ ...s, offsetS: 6 })),
  };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(scene));
  return file;
}

export interface RoleEnvOptions {
  db: TestDatabase;
  s3: TestS3;
  config: Config;
  /** Folder of the run: DATA_DIR and the frame ring live under it. */
  work: string;
  ingestPrefix: string;
  nodeId: string;
}

/** The environment of every role process of a live-path run (real PostgreSQL, Redis and S3; short leases). */
export function liveRoleEnv(o: RoleEnvOptions): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    DATABASE_URL: o.db.url,
    REDIS_URL: o.config.redisUrl,
    S3_ENDPOINT: o.s3.endpoint,
    S3_ACCESS_KEY: o.s3.s3.accessKey,
    S3_SECRET_KEY: o.s3.s3.secretKey,
    S3_REGION: o.s3.s3.region,
    S3_BUCKET_PREFIX: o.config.s3.bucketPrefix,
    QUEUE_PREFIX: o.config.queuePrefix,
    INGEST_REDIS_PREFIX: o.ingestPrefix,
    DATA_DIR: join(o.work, 'data'),
    FRAME_RING_DIR: join(o.work, 'data', 'frame-ring'),
    NODE_ID: o.nodeId,
    FRAME_RING_SLOTS: '256',
    INGEST_LEASE_TTL_MS: '3000',
    DETECTOR_LEASE_TTL_MS: '3000',
  };
}
