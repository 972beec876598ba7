// Factory for vehicle detectors: a config file (or object) in, a ready VehicleDetector out.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { initTf } from '../tf/runtime';
import { loadGraphModelFromFile, loadLayersModelFromFile } from '../tf/file-io';
import { parseDetectorConfig, readDetectorConfig, resolveModelPath, type DetectorConfig, type DetectorConfigInput } from './config';
import { TfVehicleDetector, type LoadedModel } from './tf-detector';

/** The project's own trained model (models/vehicle-detector), used when no config is given. */
export const DEFAULT_DETECTOR_CONFIG = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../models/vehicle-detector/detector.json',
);

/**
 * Loads a detector from a config file path or a config object (an object's relative `modelPath` is taken
 * from the working directory). Initialises TF.js (best backend) first if nobody did.
 */
export async function loadDetector(config: string | DetectorConfigInput | DetectorConfig = DEFAULT_DETECTOR_CONFIG): Promise<TfVehicleDetector> {
  await initTf();
  const cfg = typeof config === 'string' ? await readDetectorConfig(config) : parseDetectorConfig(config);
  const modelPath = resolveModelPath(cfg.modelPath, process.cwd());
  let loaded: LoadedModel;
  try {
    loaded =
      cfg.format === 'graph'
        ? { kind: 'graph', model: await loadGraphModelFromFile(modelPath) }
        : { kind: 'layers', model: await loadLayersModelFromFile(modelPath) };
  } catch (err) {
    throw new Error(`detector ${cfg.name}: cannot load ${cfg.format} model ${modelPath}: ${(err as Error).message}`);
  }
  return new TfVehicleDetector({ ...cfg, modelPath }, loaded);
}

export type { VehicleDetector };
