// Geometry of a track against lines and lanes (pure helpers shared by the rules).
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { TrackPoint } from '../tracking/tracker';
import { groundPoint, signedDistance, type OrientedLine, type Point } from '../geometry/geometry';

export function boxHeight(box: Box): number {
  return box[3] - box[1];
}

/** Whether a box reaches the edge of a region (within `margin` px): a vehicle there is going out of the detector's sight. */
export function atRegionEdge(box: Box, region: Box, margin: number): boolean {
  return box[0] <= region[0] + margin || box[1] <= region[1] + margin || box[2] >= region[2] - margin || box[3] >= region[3] - margin;
}

/** Linear interpolation of the track's box at time t (clamped to the observed range). */
export function boxAt(points: readonly TrackPoint[], t: number): Box {
  if (t <= points[0]!.t) return points[0]!.box;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (t <= b.t) {
      const f = (t - a.t) / (b.t - a.t || 1);
      return a.box.map((v, k) => v + (b.box[k]! - v) * f) as Box;
    }
  }
  return points[points.length - 1]!.box;
}

/**
 * The frontmost point of the vehicle's footprint along `direction`: the footprint is approximated
 * by the lower half of the box (the part at ground level in a raised camera's view).
 */
export function frontPoint(box: Box, direction: Point): Point {
  const ymid = (box[1] + box[3]) / 2;
  const corners: Point[] = [
    [box[0], ymid],
    [box[2], ymid],
    [box[0], box[3]],
    [box[2], box[3]],
  ];
  let best = corners[0]!;
  for (const c of corners) if (c[0] * direction[0] + c[1] * direction[1] > best[0] * direction[0] + best[1] * direction[1]) best = c;
  return best;
}

/** Time at which signed distance crosses `level` between two observations (linear). */
export function crossingTime(line: OrientedLine, a: TrackPoint, b: TrackPoint, level: number): number {
  const da = signedDistance(line, groundPoint(a.box));
  const db = signedDistance(line, groundPoint(b.box));
  if (db === da) return b.t;
  const f = Math.min(1, Math.max(0, (level - da) / (db - da)));
  return a.t + f * (b.t - a.t);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
}
