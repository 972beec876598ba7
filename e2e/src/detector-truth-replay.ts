// The detector process (the role's wiring in detector/src/detector-process.ts) with the truth-replay detector instead of the
// trained vehicle model: boxes come from the simulator's truth file (DETECTOR_TRUTH_FILE), everything
// after detection — tracking, signal state read from the frames' lamps, rules, plate reading, evidence,
// `violation.created` — is the real pipeline. For end-to-end tests and demos before a model is trained;
// never for production. Video time is counted from the first frame the camera delivered, so this fits a
// camera serving that one scenario from its start (the simulator's RTSP camera does, per client).
import { loadConfig } from '@phatnguoi/core/config';
import { createLogger } from '@phatnguoi/core/logger';
import { runDetectorProcess } from '@phatnguoi/detector/detector-process';
import { TruthReplayDetector, truthFramesFromSim } from '@phatnguoi/detector/pipeline/truth-replay-detector';
import { readTruth } from '@phatnguoi/sim/truth';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('detector', { level: config.logLevel });
  const truthFile = process.env.DETECTOR_TRUTH_FILE;
  if (!truthFile) throw new Error('DETECTOR_TRUTH_FILE (a simulator .truth.json) is required by the truth-replay detector');
  const detector = new TruthReplayDetector(truthFramesFromSim(await readTruth(truthFile)), { jitterPx: 1, seed: 5 });
  const leaseTtlMs = process.env.DETECTOR_LEASE_TTL_MS ? Number(process.env.DETECTOR_LEASE_TTL_MS) : undefined;
  await runDetectorProcess({ config, log, detector, ...(leaseTtlMs ? { leaseTtlMs } : {}) });
}

main().catch((err: Error) => {
  createLogger('detector').fatal({ err: err.message }, 'detector failed to start');
  process.exit(1);
});
