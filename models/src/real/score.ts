// Scoring detections on labelled real frames: per class group, greedy one-to-one matching by score at an IoU
// threshold; a detection matches only a labelled box of its own group. Pure.
import type { Box, Detection, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { iou } from '@phatnguoi/detector/models/decode';
import type { FrameLabel } from './labels';

export interface LabelledFrame {
  label: FrameLabel;
  image: RgbImage;
}

/** Class groups scored apart: what the rules tell apart, and what the bars name. */
export const GROUPS = [
  { name: 'motorbike', classes: ['motorbike', 'bicycle'] as VehicleClass[] },
  { name: 'vehicle', classes: ['car', 'bus', 'truck'] as VehicleClass[] },
  { name: 'pedestrian', classes: ['pedestrian'] as VehicleClass[] },
] as const;
type GroupName = (typeof GROUPS)[number]['name'];

export const groupOf = (cls: VehicleClass): GroupName => GROUPS.find((g) => g.classes.includes(cls))!.name;

export interface GroupScore {
  truth: number;
  matched: number;
  recall: number;
}

export interface FrameScore {
  iou: number;
  frames: number;
  groups: Record<GroupName, GroupScore>;
  predictions: number;
  truePositives: number;
  precision: number;
  falsePerFrame: number;
}

const centreIn = (b: Box, r: Box) => {
  const cx = (b[0] + b[2]) / 2;
  const cy = (b[1] + b[3]) / 2;
  return cx >= r[0] && cx <= r[2] && cy >= r[1] && cy <= r[3];
};

/** Matches one frame: returns, per group, how many labelled boxes were found, and how many detections matched. */
export function matchFrame(truth: Array<{ cls: VehicleClass; box: Box }>, predictions: Detection[], iouMin: number) {
  const found: Record<GroupName, number> = { motorbike: 0, vehicle: 0, pedestrian: 0 };
  const total: Record<GroupName, number> = { motorbike: 0, vehicle: 0, pedestrian: 0 };
  for (const t of truth) total[groupOf(t.cls)]++;
  const taken = new Set<number>();
  let matched = 0;
  for (const p of [...predictions].sort((a, b) => b.score - a.score)) {
    const g = groupOf(p.cls);
    let best = -1;
    let bestIou = iouMin;
    truth.forEach((t, i) => {
      if (taken.has(i) || groupOf(t.cls) !== g) return;
      const v = iou(p.box, t.box);
      if (v >= bestIou) {
        bestIou = v;
        best = i;
      }
    });
    if (best >= 0) {
      taken.add(best);
      found[g]++;
      matched++;
    }
  }
  return { found, total, matched };
}

export function scoreFrames(frames: LabelledFrame[], predictions: Detection[][], iouMin: number): FrameScore {
  const groups = Object.fromEntries(GROUPS.map((g) => [g.name, { truth: 0, matched: 0, recall: NaN }])) as Record<GroupName, GroupScore>;
  let preds = 0;
  let tp = 0;
  frames.forEach((f, i) => {
    const roi = f.label.roi;
    const truth = roi ? f.label.boxes.filter((b) => centreIn(b.box, roi)) : f.label.boxes;
    const ps = roi ? predictions[i]!.filter((p) => centreIn(p.box, roi)) : predictions[i]!;
    const m = matchFrame(truth, ps, iouMin);
    for (const g of GROUPS) {
      groups[g.name].truth += m.total[g.name];
      groups[g.name].matched += m.found[g.name];
    }
    preds += ps.length;
    tp += m.matched;
  });
  for (const g of Object.values(groups)) g.recall = g.truth > 0 ? g.matched / g.truth : NaN;
  return {
    iou: iouMin,
    frames: frames.length,
    groups,
    predictions: preds,
    truePositives: tp,
    precision: preds > 0 ? tp / preds : NaN,
    falsePerFrame: frames.length > 0 ? (preds - tp) / frames.length : 0,
  };
}
