// The detector process: `tsx detector/src/main.ts`. Leases cameras (role 'detector'), reads their frame
// streams in order, runs detection, tracking, signal state and rules, stores evidence and enqueues
// `violation.created` (jobId = idempotency key). Stops cleanly on SIGTERM/SIGINT, saving progress.
import { loadConfig } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { createLogger } from '@phatnguoi/core/logger';
import { createQueues } from '@phatnguoi/core/queue';
import { createStorage } from '@phatnguoi/core/storage';
import { startHealthHeartbeat, type HealthHeartbeat } from '@phatnguoi/ingest/health-heartbeat';
import { loadIngestSettings } from '@phatnguoi/ingest/settings';
import { ingestClips } from './evidence/ingest-clips';
import type { PlatePort } from './pipeline/camera-pipeline';
import { DetectorWorker } from './pipeline/detector-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('detector', { level: config.logLevel });
  const db = createPool(config.databaseUrl);
  const storage = createStorage(config);
  await storage.ensureBuckets();
  const queues = createQueues(config);
  // Ingest's settings: the frame stream prefix and segment ring are shared with ingest on this node.
  const ingest = loadIngestSettings(config);
  const segmentDir = ingest.segmentDir;
  const segmentSeconds = ingest.segmentSeconds;

  const { loadDetector } = await import('./models/load-detector');
  const detector = await loadDetector(process.env.DETECTOR_CONFIG || undefined);
  let plates: PlatePort | undefined;
  try {
    const { createPlateReader } = await import('./plates/index');
    const { platePortFrom } = await import('./pipeline/plate-port');
    plates = platePortFrom(await createPlateReader());
  } catch (err) {
    // Violations are still detected; every case then asks the officer to read the plate from the evidence.
    log.error({ err: (err as Error).message }, 'plate reader unavailable; plates will need manual entry');
  }

  const worker = new DetectorWorker({
    db,
    redisUrl: config.redisUrl,
    keyPrefix: ingest.redisKeyPrefix,
    holder: `${config.nodeId}:${process.pid}`,
    node: config.nodeId,
    logger: log,
    detector,
    ...(plates ? { plates } : {}),
    storage,
    // Emit once the segment holding the clip's end is closed (segment length + margin), so cutting never waits.
    clipsFor: (cameraId) => ingestClips(cameraId, storage, segmentDir, log),
    clipBeforeSeconds: 3,
    clipAfterSeconds: 3,
    emitDelaySeconds: 3 + segmentSeconds + 1,
    sink: async (event) => {
      await queues.enqueue('violation.created', event);
    },
  });
  await worker.start();
  log.info({ detector: detector.name, node: config.nodeId }, 'detector started');

  // Liveness for the container probe (healthcheck.ts --file $HEALTH_FILE --max-age S): touched every 5 s while
  // the lease rounds succeed (leases renewed within a TTL) and Redis answers. Live figures go out every 5 s on
  // `<INGEST_REDIS_PREFIX>detector-stats` (DetectorWorker).
  let health: HealthHeartbeat | null = null;
  const healthFile = process.env.HEALTH_FILE?.trim();
  if (healthFile) {
    health = startHealthHeartbeat({
      file: healthFile,
      intervalMs: 5000,
      check: () => worker.health(),
      onChange: (healthy, reason) => (healthy ? log.info({ file: healthFile }, 'healthy: heartbeat file touched') : log.warn({ reason }, 'unhealthy: heartbeat file not touched')),
    });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'detector stopping');
    health?.stop();
    await worker.stop();
    await queues.close();
    await db.end();
    detector.dispose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: Error) => {
  createLogger('detector').fatal({ err: err.message }, 'detector failed to start');
  process.exit(1);
});
