// The truth file written next to every rendered video, and its reader.
import { readFile } from 'node:fs/promises';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { Scenario } from './scenario/schema';
import type { TruthFrame } from './render/compose';
import type { NearMiss, SpeedPassage, TruthViolation } from './world/violations';
import type { SimResult } from './world/simulate';
import type { TruthDiscontinuity } from './world/discontinuities';

export const TRUTH_VERSION = 1;

export interface TruthTrack {
  trackId: string;
  kind: string;
  cls: string;
  behaviour: string;
  scripted: boolean;
  plate: { text: string; layout: 'one-line' | 'two-line'; colour: string };
  /** Movement through the intersection. */
  turn: string;
  laneId: string;
}

export interface TruthFile {
  version: number;
  scenario: Scenario;
  video: { width: number; height: number; fps: number; frames: number; durationS: number };
  geometry: CameraGeometry;
  rules: { redGraceS: number; sustainS: number; mergeGapS: number; crossing: string };
  tracks: TruthTrack[];
  violations: TruthViolation[];
  nearMisses: NearMiss[];
  /** Every vehicle's true passage through the speed zone (scenes with a speed zone only). */
  speeds?: SpeedPassage[];
  /** Hard cuts and loops in the video (scenes that ask for them); no violation in `violations` spans one. */
  discontinuities?: TruthDiscontinuity[];
  frames: TruthFrame[];
}

export function tracksOf(sim: SimResult, seen: Set<string>): TruthTrack[] {
  return [...sim.actors.values()]
    .filter((a) => seen.has(a.id))
    .map((a) => ({ trackId: a.id, kind: a.kind, cls: a.cls, behaviour: a.behaviour, scripted: a.scripted, plate: a.plate, turn: a.turn, laneId: a.laneId }));
}

export async function readTruth(path: string): Promise<TruthFile> {
  const json = JSON.parse(await readFile(path, 'utf8')) as TruthFile;
  if (json.version !== TRUTH_VERSION || !Array.isArray(json.frames) || !Array.isArray(json.violations)) {
    throw new Error(`${path}: not a simulator truth file (version ${String(json.version)})`);
  }
  return json;
}
