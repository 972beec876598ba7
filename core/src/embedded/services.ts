// Starts whatever backing service the environment does not configure: PGlite over pglite-socket when
// DATABASE_URL is unset, s3rver when S3_ENDPOINT is unset, redis-server from PATH when REDIS_URL is unset.
import { join } from 'node:path';
import type { Env } from '../config';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './postgres';
import { startEmbeddedRedis, type EmbeddedRedis } from './redis';
import { EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY, startEmbeddedS3, type EmbeddedS3 } from './s3';

export interface Services {
  /** The environment every role gets: the base env plus the URLs of embedded services. */
  env: Env;
  embedded: string[];
  stop(): Promise<void>;
}

/** Starts whatever backing service is not configured, and returns the environment every role gets. */
export async function startServices(baseEnv: Env, dataDir: string, warn: (message: string) => void = () => undefined): Promise<Services> {
  const stops: (() => Promise<void>)[] = [];
  const embedded: string[] = [];
  const env: Env = { ...baseEnv, DATA_DIR: dataDir };
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => warn(`stop failed: ${String(err)}`));
  };
  try {
    if (!baseEnv.REDIS_URL) {
      const redis: EmbeddedRedis = await startEmbeddedRedis({ dir: join(dataDir, 'redis') });
      stops.push(() => redis.stop());
      env.REDIS_URL = redis.url;
      embedded.push(`redis-server on ${redis.url}`);
    }
    if (!baseEnv.S3_ENDPOINT) {
      const s3: EmbeddedS3 = await startEmbeddedS3({ dir: join(dataDir, 's3') });
      stops.push(() => s3.stop());
      env.S3_ENDPOINT = s3.endpoint;
      env.S3_ACCESS_KEY = EMBEDDED_S3_ACCESS_KEY;
      env.S3_SECRET_KEY = EMBEDDED_S3_SECRET_KEY;
      delete env.S3_ACCESS_KEY_FILE;
      delete env.S3_SECRET_KEY_FILE;
      embedded.push(`s3rver on ${s3.endpoint}`);
    }
    if (!baseEnv.DATABASE_URL && !baseEnv.DATABASE_URL_FILE) {
      const pg: EmbeddedPostgres = await startEmbeddedPostgres({ dir: join(dataDir, 'pglite') });
      stops.push(() => pg.stop());
      env.DATABASE_URL = pg.url;
      embedded.push(`PGlite (PostgreSQL) on ${pg.url}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, embedded, stop };
}
