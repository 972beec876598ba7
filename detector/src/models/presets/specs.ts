// Named detector configs for evaluations and benchmarks (`--detector <name>`), so every command compares the
// same things: the shipped default, the project's own model, COCO NanoDet as one squeezed pass, and NanoDet
// through the real-traffic pipeline. A spec may also be a config file, and either may carry JSON overrides
// after '+': `nanodet-real+{"tiling":{"tileScale":0.8}}`.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDetectorConfig, resolveModelPath, type DetectorConfigInput } from '../config';
import { DEFAULT_DETECTOR_CONFIG, SIM_DETECTOR_CONFIG, loadDetector } from '../load-detector';
import type { TfVehicleDetector } from '../tf-detector';
import { NANODET_PACKAGE_MODEL, nanodetCocoConfig } from './nanodet-coco';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SHARED_NANODET = path.resolve(ROOT, '../shared/data/models/nanodet-coco-tfjs/nanodet.json');

/** name → (config file path | config object) */
export const DETECTOR_SPECS: Record<string, () => string | DetectorConfigInput> = {
  /** Whatever loadDetector() loads with no argument. */
  shipped: () => DEFAULT_DETECTOR_CONFIG,
  /** The project's own model trained on simulated scenes (models/vehicle-detector). */
  'vehicle-net': () => SIM_DETECTOR_CONFIG,
  /** COCO NanoDet from the npm package, one pass over the region, classes mapped as they are. */
  'nanodet-coco': () => nanodetCocoConfig(NANODET_PACKAGE_MODEL, { regMax: 10 }),
  /** COCO NanoDet through the real-traffic pipeline (tiles + whole region, riders merged, one box per vehicle). */
  'nanodet-real': () => DEFAULT_DETECTOR_CONFIG,
  /** The same with every pass on every frame (no motion gating): the shipped default before 2026-12-08. */
  'nanodet-real-every-pass': () => {
    const { gating: _gating, ...rest } = JSON.parse(readFileSync(DEFAULT_DETECTOR_CONFIG, 'utf8')) as DetectorConfigInput;
    return { ...rest, name: 'nanodet-real-every-pass' };
  },
  /** The NanoDet conversion kept in ../shared/data (development only: not shipped), one pass. */
  'nanodet-shared': () => nanodetCocoConfig(SHARED_NANODET, { regMax: 7 }),
};

function deepMerge(base: unknown, patch: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(out[k], v);
  return out;
}

/** Loads a detector from a spec: a name of DETECTOR_SPECS or a config file, optionally `+{json overrides}`. */
export async function loadDetectorSpec(spec: string): Promise<TfVehicleDetector> {
  const plus = spec.indexOf('+{');
  const base = plus >= 0 ? spec.slice(0, plus) : spec;
  const patch = plus >= 0 ? (JSON.parse(spec.slice(plus + 1)) as object) : undefined;
  const named = DETECTOR_SPECS[base];
  if (!named && !base.endsWith('.json'))
    throw new Error(`unknown detector "${base}": a config file (.json) or one of ${Object.keys(DETECTOR_SPECS).join(', ')}`);
  const source = named ? named() : path.resolve(base);
  if (!patch) return loadDetector(source);
  let cfg: unknown;
  if (typeof source === 'string') {
    const json = JSON.parse(await readFile(source, 'utf8')) as { modelPath: string };
    cfg = { ...json, modelPath: json.modelPath.startsWith('npm:') ? json.modelPath : resolveModelPath(json.modelPath, path.dirname(source)) };
  } else cfg = source;
  const merged = deepMerge(cfg, patch) as DetectorConfigInput;
  return loadDetector(parseDetectorConfig({ ...merged, name: `${merged.name}+` }, spec));
}
