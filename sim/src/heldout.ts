// The fixed held-out scenario set (sim/heldout.json) used for reporting accuracy, and the guard that keeps
// it out of training exports.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolveScenario } from './scenario/resolve';
import type { Scenario } from './scenario/schema';
import { speedScenario } from './scenario/speed';

export const HELDOUT_FILE = fileURLToPath(new URL('../heldout.json', import.meta.url));

export function heldoutRefs(): string[] {
  const json = JSON.parse(readFileSync(HELDOUT_FILE, 'utf8')) as { scenarios: string[] };
  return json.scenarios;
}

export async function heldoutScenarios(): Promise<Scenario[]> {
  return Promise.all(heldoutRefs().map((r) => resolveScenario(r)));
}

/** Layout signature: lane set, separators, layout kind and camera placement. */
export function layoutSignature(s: Scenario): string {
  return JSON.stringify([s.layout.kind, s.layout.lanes.map((l) => [l.id, l.widthM, l.direction]), s.layout.separators, s.layout.stopLineM, s.camera]);
}

export async function heldoutGuard(): Promise<(s: Scenario) => boolean> {
  const held = await heldoutScenarios();
  const seeds = new Set(held.map((s) => s.seed));
  const sigs = new Set(held.map(layoutSignature));
  return (s) => !seeds.has(s.seed) && !sigs.has(layoutSignature(s));
}

/**
 * The speed held-out set: speed scenes from seeds reserved for evaluation (910001-910006), each at 5 and 25 fps with
 * its drawn limit (speeding P/R per band), plus the first four with a 5 km/h limit so every vehicle's measured speed
 * is reported (speed error over 20-80 km/h). Fixed, so figures stay comparable.
 */
export function speedHeldoutScenarios(): Scenario[] {
  const seeds = [910001, 910002, 910003, 910004, 910005, 910006];
  return [
    ...seeds.flatMap((seed) => [5, 25].map((fps) => speedScenario(seed, { fps }))),
    ...seeds.slice(0, 4).flatMap((seed) => [5, 25].map((fps) => speedScenario(seed, { fps, limitKmh: 5 }))),
  ];
}
