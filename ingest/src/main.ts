// The ingest role process: `npx tsx ingest/src/main.ts`. Reads config, leases cameras, runs one
// ffmpeg per camera, and on SIGTERM/SIGINT stops every ffmpeg and releases its leases before exiting.
import { loadConfig } from '@phatnguoi/core/config';
import { createPool, waitForDatabase } from '@phatnguoi/core/db';
import { createLogger } from '@phatnguoi/core/logger';
import { createRedis, waitForRedis } from '@phatnguoi/core/redis';
import { leasesFresh, redisReachable, startHealthFileHeartbeat } from '@phatnguoi/core/camera-node/health-heartbeat';
import { IngestService } from './ingest-service';
import { loadIngestSettings } from './settings';

const config = loadConfig();
const settings = loadIngestSettings(config);
const log = createLogger('ingest', { level: config.logLevel });
const db = createPool(config.databaseUrl, { max: 4, applicationName: 'phatnguoi-ingest' });
const redis = createRedis(config.redisUrl, { name: 'ingest' });

await waitForDatabase(db);
await waitForRedis(redis);
const service = new IngestService({ db, redis, log, settings, frameRingDir: config.frameRingDir, nodeId: config.nodeId });
await service.start();
log.info({ holder: service.who.holder, node: config.nodeId, frameRingDir: config.frameRingDir, segmentDir: settings.segmentDir }, 'ingest started');

// Liveness for the container probe (healthcheck.ts --file $HEALTH_FILE --max-age S): touched every 5 s while
// the lease rounds succeed (leases renewed within a TTL) and Redis answers.
const health = startHealthFileHeartbeat(async () => leasesFresh(service.leasesRenewedAt, settings.leaseTtlMs) ?? (await redisReachable(redis)), log);

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal }, 'ingest stopping');
  health?.stop();
  // A stuck shutdown must still end the process (ffmpeg children die with their stdout pipe).
  setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, settings.ffmpegStopGraceMs + 10_000).unref();
  await service.stop();
  await db.end().catch(() => undefined);
  redis.disconnect();
  log.info('ingest stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
