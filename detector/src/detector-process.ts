// The detector role's wiring, shared by the production entry (detector/src/main.ts, trained or configured
// model) and the end-to-end truth-replay entry (e2e/src/detector-truth-replay.ts): only the vehicle
// detector differs. Leases cameras (role 'detector'), reads their frame streams in order, runs detection,
// tracking, signal state and rules, stores evidence and enqueues `violation.created` (jobId = idempotency
// key). Stops cleanly on SIGTERM/SIGINT, saving progress.
import type { Config } from '@phatnguoi/core/config';
import type { VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { createPool } from '@phatnguoi/core/db';
import type { Logger } from '@phatnguoi/core/logger';
import { createQueues } from '@phatnguoi/core/queue';
import { createStorage } from '@phatnguoi/core/storage';
import { startHealthFileHeartbeat } from '@phatnguoi/core/camera-node/health-heartbeat';
import { loadCameraNodeSettings } from '@phatnguoi/core/camera-node/settings';
import { ingestClips } from './evidence/ingest-clips';
import type { PlatePort } from './pipeline/camera-pipeline';
import { DetectorWorker } from './pipeline/detector-worker';

export interface DetectorProcessOptions {
  config: Config;
  log: Logger;
  detector: VehicleDetector;
  /** Lease time-to-live override (tests shorten it so a takeover is quick). */
  leaseTtlMs?: number;
}

export async function runDetectorProcess({ config, log, detector, leaseTtlMs }: DetectorProcessOptions): Promise<void> {
  const db = createPool(config.databaseUrl);
  const storage = createStorage(config);
  await storage.ensureBuckets();
  const queues = createQueues(config);
  // Shared with ingest on this node: the frame stream prefix and the segment ring.
  const ingest = loadCameraNodeSettings(config);

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
    ...(leaseTtlMs ? { leaseTtlMs } : {}),
    storage,
    // Emit once the segment holding the clip's end is closed (segment length + margin), so cutting never waits.
    clipsFor: (cameraId) => ingestClips(cameraId, storage, ingest.segmentDir, log),
    clipBeforeSeconds: 3,
    clipAfterSeconds: 3,
    emitDelaySeconds: 3 + ingest.segmentSeconds + 1,
    sink: async (event) => {
      await queues.enqueue('violation.created', event);
    },
  });
  await worker.start();
  log.info({ detector: detector.name, node: config.nodeId }, 'detector started');

  // Liveness for the container probe (healthcheck.ts --file $HEALTH_FILE --max-age S): touched every 5 s while
  // the lease rounds succeed (leases renewed within a TTL) and Redis answers. Live figures go out every 5 s on
  // `<INGEST_REDIS_PREFIX>detector-stats` (DetectorWorker).
  const health = startHealthFileHeartbeat(() => worker.health(), log);

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
