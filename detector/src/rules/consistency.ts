// Last checks before a violation becomes a case (pure):
// - its own evidence must support it: the signal read at the frames that go into the evidence is the state the
//   rule judged by, the vehicle is in those frames on the right sides of the line, and its movement is that
//   of one vehicle (no track switch). A violation its evidence would contradict is dropped and counted.
// - one vehicle, one case: a violation of a vehicle already reported (track fragments, a stream that looped,
//   was cut or restarted) is dropped. Identity by plate, or by position, time and appearance.
import type { Box, VehicleClass } from '@phatnguoi/core/contracts/detection';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { dot, groundPoint, orientedLine, signedDistance, sub, unit } from '../geometry/geometry';
import type { TrackPoint } from '../tracking/tracker';
import type { RuleViolation, SignalHistory } from './types';
import { metresPerPixel } from '@phatnguoi/core/geometry/ground-calibration';
import { speedCalibration } from './speeding';

const height = (b: Box) => b[3] - b[1];
const width = (b: Box) => b[2] - b[0];

/** Why the violation's own evidence contradicts it, or null when every frame supports it. */
export function evidenceContradiction(
  v: RuleViolation,
  points: readonly TrackPoint[],
  geometry: CameraGeometry,
  signal: SignalHistory | undefined,
): string | null {
  const before = points.find((p) => p.seq === v.beforeSeq);
  const after = points.find((p) => p.seq === v.afterSeq);
  if (!before || !after) return 'the vehicle is not in the frames of the evidence';
  // One vehicle: its size does not jump between the two frames (a track that switched vehicles does). A speeding
  // measurement's frames are metres apart, so there the size is first scaled by how much nearer or farther the
  // second position is (the calibration's scale at each ground point): only the change perspective does not explain counts.
  const perspective = v.type === 'speeding' ? apparentScale(geometry, before.box, after.box) : 1;
  const ratio = height(after.box) / Math.max(1, height(before.box)) / perspective;
  const wratio = width(after.box) / Math.max(1, width(before.box)) / perspective;
  if (ratio > 2 || ratio < 0.5 || wratio > 2.2 || wratio < 0.45) return 'the box changes size between the evidence frames (not one vehicle)';
  if (v.type === 'red_light') {
    if (!signal || !v.signal) return 'no signal reading behind the violation';
    const stop = geometry.stopLines.find((s) => s.id === v.stopLineId);
    if (!stop) return 'stop line not in the geometry';
    const line = orientedLine(stop.a, stop.b, stop.beforePoint);
    if (signedDistance(line, groundPoint(before.box)) > 0) return 'the "before" frame shows the vehicle already past the line';
    if (signedDistance(line, groundPoint(after.box)) <= 0) return 'the "after" frame shows the vehicle before the line';
    const now = signal.at(v.t);
    if (now.round !== v.signal.round) return `the signal at the crossing now reads ${now.round}, not ${v.signal.round}`;
    for (const p of [before, after]) {
      const s = signal.at(p.t);
      if (s.round === 'green' || s.round === 'unknown') return `the evidence frame at ${p.t.toFixed(2)} s shows the signal ${s.round}`;
    }
    // An arrow that permits the movement the rule found must not be lit in the evidence.
    if (v.turn && now.arrowsLit.length > 0 && v.signal.arrowsLit.join(',') !== now.arrowsLit.join(',')) return 'the arrows lit at the crossing changed';
  }
  if (v.type === 'wrong_way') {
    const lane = geometry.lanes.find((l) => l.id === v.laneId);
    if (!lane) return 'lane not in the geometry';
    const against = -dot(sub(groundPoint(after.box), groundPoint(before.box)), unit(lane.direction));
    if (against < (v.distancePx ?? 0) * 0.5 || against <= 0) return 'the evidence frames do not show movement against the lane direction';
  }
  return null;
}

/**
 * How much larger a vehicle should look at `to` than at `from` from perspective alone: the ratio of the road's metres
 * per pixel across the picture at the two ground points (1 without a calibration).
 */
function apparentScale(geometry: CameraGeometry, from: Box, to: Box): number {
  const cal = speedCalibration(geometry);
  if (!cal) return 1;
  const mpp = (b: Box) => metresPerPixel(cal.calibration, groundPoint(b)).x;
  const scale = mpp(from) / mpp(to);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/** A violation's vehicle as the duplicate check compares it. */
export interface ViolationVehicle {
  type: string;
  phaseId: string;
  /** When the violation happened (seconds). */
  t: number;
  box: Box;
  cls: VehicleClass;
  plate: string | null;
  /** Red light: how long after red onset it crossed (a replay of the stream repeats it). */
  secondsAfterRed?: number;
}

export interface ReportedVehicle extends ViolationVehicle {
  /** When and where the reported track was last seen. */
  lastT: number;
  lastBox: Box;
}

export interface DuplicateConfig {
  /**
   * The same plate and offence within this many seconds is one vehicle reported twice (loops, restarts): an hour, so a
   * looping stream (a demo camera replaying its file) does not report every vehicle again every few minutes.
   */
  plateWindowSeconds: number;
  /** A track starting this soon after a reported one ended, near where it ended, continues it (seconds). */
  fragmentGapSeconds: number;
  /** ... within this many of the vehicle's box heights. */
  fragmentDistanceHeights: number;
  /**
   * After a stream discontinuity (a loop replays the footage, a restart resends it), the same offence of the same kind
   * of vehicle at the same place (within `fragmentDistanceHeights`), for red light this close in seconds after red
   * onset, is the vehicle seen again.
   */
  replaySeconds: number;
}

export const DEFAULT_DUPLICATE_CONFIG: DuplicateConfig = { plateWindowSeconds: 3600, fragmentGapSeconds: 2, fragmentDistanceHeights: 1.5, replaySeconds: 0.5 };

const compact = (s: string | null) => (s ? s.replace(/[^A-Z0-9]/gi, '').toUpperCase() : null);

/**
 * The earlier report a new violation duplicates, or null. `first` is the new track's first observation (a
 * fragment starts near where the reported track was lost, shortly after). `discontinuities`: times of the stream's
 * recent discontinuities (cuts, loops, restarts), seconds.
 */
export function duplicateOf<R extends ReportedVehicle>(
  candidate: ViolationVehicle & { first: TrackPoint },
  reported: readonly R[],
  config: DuplicateConfig = DEFAULT_DUPLICATE_CONFIG,
  discontinuities: readonly number[] = [],
): R | null {
  const plate = compact(candidate.plate);
  for (const r of reported) {
    if (r.type !== candidate.type) continue;
    if (plate && plate.length >= 6 && compact(r.plate) === plate && Math.abs(candidate.t - r.t) <= config.plateWindowSeconds) return r;
    const sameClass = r.cls === candidate.cls || (r.cls !== 'motorbike' && candidate.cls !== 'motorbike');
    if (!sameClass) continue;
    if (discontinuities.some((c) => c > r.t && c <= candidate.t)) {
      // The stream jumped between the two: the same offence at the same place (as long after red) is a replay.
      const h = Math.max(height(r.box), height(candidate.box));
      const samePlace = Math.hypot(...sub(groundPoint(candidate.box), groundPoint(r.box))) <= config.fragmentDistanceHeights * h;
      const sameTiming =
        candidate.type !== 'red_light' ||
        (r.secondsAfterRed !== undefined &&
          candidate.secondsAfterRed !== undefined &&
          Math.abs(r.secondsAfterRed - candidate.secondsAfterRed) <= config.replaySeconds);
      if (samePlace && sameTiming) return r;
    }
    const gap = candidate.first.t - r.lastT;
    if (gap < -0.5 || gap > config.fragmentGapSeconds) continue;
    const h = Math.max(height(r.lastBox), height(candidate.first.box));
    const d = Math.hypot(...sub(groundPoint(candidate.first.box), groundPoint(r.lastBox)));
    const sizeRatio = height(candidate.first.box) / Math.max(1, height(r.lastBox));
    if (d <= config.fragmentDistanceHeights * h && sizeRatio > 0.5 && sizeRatio < 2) {
      // Red light counts once per vehicle per phase: a fragment in another phase is a new crossing.
      if (r.type === 'red_light' && r.phaseId !== candidate.phaseId) continue;
      return r;
    }
  }
  return null;
}
