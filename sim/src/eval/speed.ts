// Scoring speed measurements: error of every measured speed against the vehicle's true average speed over the
// zone, and speeding precision/recall per fine band. Pure: truth and predictions in, figures out.
import type { TruthFile } from '../truth';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { iou } from '../world/project';
import type { MatchedPair, PredictedViolation } from './match';

/** Decree 168/2024 bands of excess speed (after the tolerance), km/h: [5, 10), [10, 20], (20, 35], (35, ∞). */
export const SPEED_BANDS = ['5-10', '10-20', '20-35', '>35'] as const;
export type SpeedBand = (typeof SPEED_BANDS)[number];

export function bandOf(excessKmh: number): SpeedBand | null {
  if (excessKmh < 5) return null;
  if (excessKmh < 10) return '5-10';
  if (excessKmh <= 20) return '10-20';
  if (excessKmh <= 35) return '20-35';
  return '>35';
}

export interface SpeedErrorStats {
  n: number;
  medianAbsKmh: number | null;
  p95AbsKmh: number | null;
  worstKmh: number | null;
  /** Mean signed error (measured − true), km/h: a calibration or timing bias shows here. */
  biasKmh: number | null;
}

export interface SpeedReport {
  errors: SpeedErrorStats;
  /** Every measured error, for combining scenes. */
  samples: { trackId: string; trueKmh: number; measuredKmh: number }[];
  bands: Record<SpeedBand, { truth: number; predicted: number; correct: number }>;
  /** Vehicles fined that were under the first band after the tolerance (must be 0). */
  finedUnderThreshold: number;
}

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function errorStats(samples: SpeedReport['samples']): SpeedErrorStats {
  const errs = samples.map((s) => s.measuredKmh - s.trueKmh);
  const abs = errs.map(Math.abs).sort((a, b) => a - b);
  return {
    n: samples.length,
    medianAbsKmh: quantile(abs, 0.5),
    p95AbsKmh: quantile(abs, 0.95),
    worstKmh: abs.length ? abs[abs.length - 1]! : null,
    biasKmh: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : null,
  };
}

/** The truth vehicle a prediction's box covers at its time (IoU ≥ 0.3 on the nearest truth frame); null when none. */
export function truthTrackAt(truth: TruthFile, timeS: number, box: Box | null | undefined): string | null {
  if (!box || !truth.frames.length) return null;
  let frame = truth.frames[0]!;
  for (const f of truth.frames) if (Math.abs(f.t - timeS) < Math.abs(frame.t - timeS)) frame = f;
  let best: { id: string; iou: number } | null = null;
  for (const o of frame.objects) {
    if (!o.box) continue;
    const v = iou(o.box, box);
    if (v >= 0.3 && (!best || v > best.iou)) best = { id: o.trackId, iou: v };
  }
  return best?.id ?? null;
}

/**
 * Scores speeding predictions already matched to the truth's violations (`matches` from evaluate) and the
 * false alarms among them, using the truth's passages for every vehicle (fined or not).
 */
export function scoreSpeeds(truth: TruthFile, predictions: PredictedViolation[], matches: MatchedPair[]): SpeedReport {
  const passages = new Map((truth.speeds ?? []).map((p) => [p.trackId, p]));
  const bands = Object.fromEntries(SPEED_BANDS.map((b) => [b, { truth: 0, predicted: 0, correct: 0 }])) as SpeedReport['bands'];
  for (const v of truth.violations) {
    const p = v.type === 'speeding' ? passages.get(v.trackId) : undefined;
    const b = p ? bandOf(p.excessKmh) : null;
    if (b) bands[b].truth++;
  }
  const samples: SpeedReport['samples'] = [];
  let finedUnderThreshold = 0;
  predictions.forEach((pred, i) => {
    if (pred.type !== 'speeding' || !pred.speed) return;
    const predBand = bandOf(pred.speed.excessKmh);
    if (predBand) bands[predBand].predicted++;
    const match = matches.find((m) => m.predIndex === i && m.type === 'speeding');
    const trackId = match?.truthTrack ?? truthTrackAt(truth, pred.timeS, pred.box);
    const passage = trackId ? passages.get(trackId) : undefined;
    if (passage) {
      samples.push({ trackId: passage.trackId, trueKmh: passage.speedKmh, measuredKmh: pred.speed.measuredKmh });
      if (passage.excessKmh < 5) finedUnderThreshold++;
      if (match && predBand && bandOf(passage.excessKmh) === predBand) bands[predBand].correct++;
    }
  });
  return { errors: errorStats(samples), samples, bands, finedUnderThreshold };
}
