// The detector process for process-kill fault tests: the production wiring (runDetectorProcess: leases,
// frame stream, tracking, signal state from the lamps, rules, plates, evidence, `violation.created`) with
// truth replay as vehicle detector, its video time read from the picture (LoopingTruthReplay), so it stays
// right when the simulator's camera loops or restarts its video for a new ingest session. Test-only.
//   DETECTOR_TRUTH_FILE  the simulator's .truth.json      DETECTOR_VIDEO_FILE  the rendered .mp4 it serves
import { loadConfig } from '@phatnguoi/core/config';
import { createLogger } from '@phatnguoi/core/logger';
import { runDetectorProcess } from '@phatnguoi/detector/detector-process';
import { TruthReplayDetector, truthFramesFromSim } from '@phatnguoi/detector/pipeline/truth-replay-detector';
import { readTruth } from '@phatnguoi/sim/truth';
import { LoopingTruthReplay, VideoClock } from './video-clock';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('detector', { level: config.logLevel });
  const truthFile = process.env.DETECTOR_TRUTH_FILE;
  const videoFile = process.env.DETECTOR_VIDEO_FILE;
  if (!truthFile || !videoFile) throw new Error('DETECTOR_TRUTH_FILE and DETECTOR_VIDEO_FILE are required');
  const truth = await readTruth(truthFile);
  const clock = await VideoClock.fromVideo(videoFile, truth.video);
  const detector = new LoopingTruthReplay(new TruthReplayDetector(truthFramesFromSim(truth), { jitterPx: 1, seed: 5 }), clock);
  const leaseTtlMs = process.env.DETECTOR_LEASE_TTL_MS ? Number(process.env.DETECTOR_LEASE_TTL_MS) : undefined;
  await runDetectorProcess({ config, log, detector, ...(leaseTtlMs ? { leaseTtlMs } : {}) });
}

main().catch((err: Error) => {
  createLogger('detector').fatal({ err: err.message }, 'detector failed to start');
  process.exit(1);
});
