// The detector process (same wiring as detector/src/main.ts) with the truth-replay detector instead of the
// trained vehicle model: boxes come from the simulator's truth file (DETECTOR_TRUTH_FILE), everything
// after detection — tracking, signal state read from the frames' lamps, rules, plate reading, evidence,
// `violation.created` — is the real pipeline. For end-to-end tests and demos before a model is trained;
// never for production. Video time is counted from the first frame the camera delivered, so this fits a
// camera serving that one scenario from its start (the simulator's RTSP camera does, per client).
import { loadConfig } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { createLogger } from '@phatnguoi/core/logger';
import { createQueues } from '@phatnguoi/core/queue';
import { createStorage } from '@phatnguoi/core/storage';
import { loadIngestSettings } from '@phatnguoi/ingest/settings';
import { ingestClips } from '@phatnguoi/detector/evidence/ingest-clips';
import type { PlatePort } from '@phatnguoi/detector/pipeline/camera-pipeline';
import { DetectorWorker } from '@phatnguoi/detector/pipeline/detector-worker';
import { TruthReplayDetector, truthFramesFromSim } from '@phatnguoi/detector/pipeline/truth-replay-detector';
import { readTruth } from '@phatnguoi/sim/truth';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('detector', { level: config.logLevel });
  const truthFile = process.env.DETECTOR_TRUTH_FILE;
  if (!truthFile) throw new Error('DETECTOR_TRUTH_FILE (a simulator .truth.json) is required by the truth-replay detector');
  const db = createPool(config.databaseUrl);
  const storage = createStorage(config);
  await storage.ensureBuckets();
  const queues = createQueues(config);
  const ingest = loadIngestSettings(config);

  const detector = new TruthReplayDetector(truthFramesFromSim(await readTruth(truthFile)), { jitterPx: 1, seed: 5 });
  let plates: PlatePort | undefined;
  try {
    const { createPlateReader } = await import('@phatnguoi/detector/plates/index');
    const { platePortFrom } = await import('@phatnguoi/detector/pipeline/plate-port');
    plates = platePortFrom(await createPlateReader());
  } catch (err) {
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
    clipsFor: (cameraId) => ingestClips(cameraId, storage, ingest.segmentDir, log),
    clipBeforeSeconds: 3,
    clipAfterSeconds: 3,
    emitDelaySeconds: 3 + ingest.segmentSeconds + 1,
    ...(process.env.DETECTOR_LEASE_TTL_MS ? { leaseTtlMs: Number(process.env.DETECTOR_LEASE_TTL_MS) } : {}),
    sink: async (event) => {
      await queues.enqueue('violation.created', event);
    },
  });
  await worker.start();
  log.info({ detector: detector.name, node: config.nodeId }, 'detector started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'detector stopping');
    await worker.stop();
    await queues.close();
    await db.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: Error) => {
  createLogger('detector').fatal({ err: err.message }, 'detector failed to start');
  process.exit(1);
});
