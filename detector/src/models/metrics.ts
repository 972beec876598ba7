// Detection accuracy: per-class average precision (VOC-style, all points) and recall at an IoU threshold.
import type { Box } from '@phatnguoi/core/contracts/detection';
import { iou } from './decode';

export interface LabelledBox {
  box: Box;
  cls: string;
}
export interface ScoredBox extends LabelledBox {
  score: number;
}

export interface ClassMetrics {
  cls: string;
  groundTruth: number;
  predictions: number;
  /** Area under the interpolated precision-recall curve. */
  ap: number;
  /** Recall over all predictions (the best this model reaches at any threshold kept). */
  maxRecall: number;
  /** Precision and recall counting predictions with score ≥ `operatingScore`. */
  precisionAtScore: number;
  recallAtScore: number;
}

export interface DetectionMetrics {
  iouThreshold: number;
  operatingScore: number;
  perClass: ClassMetrics[];
  /** Mean AP over classes that have ground truth. */
  mAP: number;
}

/** `images[i]` pairs the ground truth and predictions of one image. */
export function evaluateDetections(
  images: Array<{ truth: LabelledBox[]; predictions: ScoredBox[] }>,
  classes: readonly string[],
  iouThreshold = 0.5,
  operatingScore = 0.3,
): DetectionMetrics {
  const perClass: ClassMetrics[] = classes.map((cls) => {
    const preds: Array<{ image: number; p: ScoredBox }> = [];
    let groundTruth = 0;
    images.forEach((im, image) => {
      groundTruth += im.truth.filter((t) => t.cls === cls).length;
      for (const p of im.predictions) if (p.cls === cls) preds.push({ image, p });
    });
    preds.sort((a, b) => b.p.score - a.p.score);
    const used = images.map((im) => im.truth.map(() => false));
    const tp: boolean[] = [];
    for (const { image, p } of preds) {
      const truth = images[image]!.truth;
      let best = -1;
      let bestIou = iouThreshold;
      truth.forEach((t, i) => {
        if (t.cls !== cls || used[image]![i]) return;
        const v = iou(t.box, p.box);
        if (v >= bestIou) {
          bestIou = v;
          best = i;
        }
      });
      if (best >= 0) used[image]![best] = true;
      tp.push(best >= 0);
    }
    // Precision/recall curve and its monotone envelope.
    const precision: number[] = [];
    const recall: number[] = [];
    let cumTp = 0;
    tp.forEach((hit, i) => {
      if (hit) cumTp++;
      precision.push(cumTp / (i + 1));
      recall.push(groundTruth > 0 ? cumTp / groundTruth : 0);
    });
    for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
    let ap = 0;
    let prevRecall = 0;
    recall.forEach((r, i) => {
      ap += (r - prevRecall) * precision[i]!;
      prevRecall = r;
    });
    const atScore = preds.map((x, i) => ({ s: x.p.score, hit: tp[i]! })).filter((x) => x.s >= operatingScore);
    const hitsAtScore = atScore.filter((x) => x.hit).length;
    return {
      cls,
      groundTruth,
      predictions: preds.length,
      ap: groundTruth > 0 ? ap : 0,
      maxRecall: groundTruth > 0 ? cumTp / groundTruth : 0,
      precisionAtScore: atScore.length > 0 ? hitsAtScore / atScore.length : 0,
      recallAtScore: groundTruth > 0 ? hitsAtScore / groundTruth : 0,
    };
  });
  const withTruth = perClass.filter((c) => c.groundTruth > 0);
  const mAP = withTruth.length > 0 ? withTruth.reduce((a, c) => a + c.ap, 0) / withTruth.length : 0;
  return { iouThreshold, operatingScore, perClass, mAP };
}
