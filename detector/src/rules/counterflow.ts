// Wrong way through a crowd: a rider going against a queue of waiting motorbikes is hidden behind them in
// every other frame, and the tracker hands its boxes to the queued bikes it passes, so no single track holds
// its movement (held-out random-900006: eight fragments of 2-4 frames each). This rule follows the movement
// itself: a chain of detections, frame after frame, each one a step against the lane's direction from the last,
// of about the same size and speed, where the vehicle left its previous place empty (a queue of vehicles that
// stay where they are is not a vehicle moving through them).
import type { Lane } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box, Detection } from '@phatnguoi/core/contracts/detection';
import { boxIoU, crossZ, dot, groundPoint, pointInPolygon, sub, unit } from '../geometry/geometry';
import { boxHeight } from './track-geometry';
import type { RulesConfig } from './types';

/** One frame's detections (confident ones), oldest frame first in the list the rule gets. */
export interface DetectionFrame {
  seq: number;
  t: number;
  detections: readonly Detection[];
}

export interface CounterflowConfig {
  /** Observations in a chain (about a second at 5 fps). */
  minObservations: number;
  /** A step moves against the direction by at least this fraction of the box height (it really moves) ... */
  minStepHeights: number;
  /** ... and at most this many box heights per second. */
  maxHeightsPerSecond: number;
  /** Consecutive steps differ in length by at most this factor (steady movement). */
  maxStepRatio: number;
  /** Sideways drift per step, as a fraction of the step along the lane plus this many box heights. */
  maxLateralHeights: number;
  /** Box heights of consecutive observations differ by at most this factor. */
  maxSizeRatio: number;
  /** A frame may miss the vehicle (hidden behind another): look back this many frames. */
  maxGapFrames: number;
}

export const DEFAULT_COUNTERFLOW_CONFIG: CounterflowConfig = {
  minObservations: 6,
  minStepHeights: 0.04,
  maxHeightsPerSecond: 4,
  maxStepRatio: 3,
  maxLateralHeights: 0.3,
  maxSizeRatio: 1.35,
  maxGapFrames: 2,
};

const TWO_WHEELERS = new Set(['motorbike', 'bicycle']);

export interface CounterflowChain {
  /** Observations oldest first, with the frame each is from. */
  points: { seq: number; t: number; box: Box; det: Detection }[];
  /** Distance moved against the lane direction, pixels. */
  against: number;
}

/**
 * The longest chain of detections that ends in the latest frame and moves steadily against the lane's direction
 * inside the lane, if it reaches the wrong-way distance; else null. Pure.
 */
export function counterflowChain(
  frames: readonly DetectionFrame[],
  lane: Lane,
  config: RulesConfig,
  cf: CounterflowConfig = DEFAULT_COUNTERFLOW_CONFIG,
): CounterflowChain | null {
  const dir = unit(lane.direction);
  const last = frames.length - 1;
  if (last < cf.minObservations - 1) return null;
  const inLane = (d: Detection) => pointInPolygon(groundPoint(d.box), lane.polygon);
  let best: CounterflowChain | null = null;
  for (const end of frames[last]!.detections) {
    if (!inLane(end)) continue;
    const chain = [{ seq: frames[last]!.seq, t: frames[last]!.t, box: end.box, det: end }];
    let i = last;
    let prevStep: number | null = null;
    while (chain.length < 60) {
      const cur = chain[0]!;
      const g = groundPoint(cur.box);
      const h = boxHeight(cur.box);
      let pick: { k: number; d: Detection; step: number } | null = null;
      for (let k = i - 1; k >= Math.max(0, i - 1 - cf.maxGapFrames) && !pick; k--) {
        const dt = cur.t - frames[k]!.t;
        for (const d of frames[k]!.detections) {
          if (!inLane(d) || TWO_WHEELERS.has(d.cls) !== TWO_WHEELERS.has(cur.det.cls)) continue;
          const ratio = boxHeight(d.box) / Math.max(1, h);
          if (ratio > cf.maxSizeRatio || ratio < 1 / cf.maxSizeRatio) continue;
          const move = sub(g, groundPoint(d.box));
          const step = -dot(move, dir); // against the direction: positive
          if (step < cf.minStepHeights * h || step > cf.maxHeightsPerSecond * h * dt) continue;
          if (Math.abs(crossZ(dir, move)) > 0.5 * step + cf.maxLateralHeights * h) continue;
          const perFrame = step / Math.max(1, i - k);
          if (prevStep !== null && (perFrame > cf.maxStepRatio * prevStep || perFrame * cf.maxStepRatio < prevStep)) continue;
          // It left that place: nothing of its size stands there in the frames that follow (a queued vehicle stays).
          const stayed = frames.slice(k + 1, i + 1).some((f) => f.detections.some((o) => o !== cur.det && boxIoU(o.box, d.box) > 0.6));
          if (stayed) continue;
          if (!pick || perFrame < pick.step) pick = { k, d, step: perFrame };
        }
      }
      if (!pick) break;
      chain.unshift({ seq: frames[pick.k]!.seq, t: frames[pick.k]!.t, box: pick.d.box, det: pick.d });
      prevStep = pick.step;
      i = pick.k;
    }
    if (chain.length < cf.minObservations) continue;
    const against = -dot(sub(groundPoint(chain.at(-1)!.box), groundPoint(chain[0]!.box)), dir);
    const minDistance = Math.max(config.wrongWayMinPx, config.wrongWayMinHeights * boxHeight(chain[0]!.box));
    if (against >= minDistance && (!best || against > best.against)) best = { points: chain, against };
  }
  return best;
}
