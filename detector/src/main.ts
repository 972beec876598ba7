// The detector process: `tsx detector/src/main.ts`, with the model named by DETECTOR_CONFIG (default: the
// project's trained vehicle detector under models/vehicle-detector). See detector-process.ts for the wiring.
import { loadConfig } from '@phatnguoi/core/config';
import { createLogger } from '@phatnguoi/core/logger';
import { runDetectorProcess } from './detector-process';
import { loadDetector } from './models/load-detector';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('detector', { level: config.logLevel });
  const detector = await loadDetector(process.env.DETECTOR_CONFIG || undefined);
  await runDetectorProcess({ config, log, detector });
}

main().catch((err: Error) => {
  createLogger('detector').fatal({ err: err.message }, 'detector failed to start');
  process.exit(1);
});
