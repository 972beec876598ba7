// Scoring speed measurements: error of every measured speed against the vehicle's true average speed over the
// zone, and speeding precision/recall per fine band. Pure: truth and predictions in, figures out.
import type { TruthFile } from '../truth';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { iou } from '../world/project';
import type { MatchedPair, PredictedViolation } from './match';
import { trueSpeedBetween } from '../world/violations';

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
  /**
   * Every measurement, for combining scenes: the vehicle's true average speed over the zone (`trueKmh`) and over the
   * stretch of time the measurement covered (`stretchKmh`, null when the truth has no path): they differ when the
   * measurement covers part of the zone and the vehicle changed speed in the rest.
   */
  samples: { trackId: string; trueKmh: number; stretchKmh: number | null; measuredKmh: number }[];
  bands: Record<SpeedBand, { truth: number; predicted: number; correct: number }>;
  /** Vehicles fined that were under the first band after the tolerance (must be 0). */
  finedUnderThreshold: number;
}

function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Error statistics of measurements against `against` (the zone average, or the true speed over the measured stretch). */
export function errorStats(samples: SpeedReport['samples'], against: 'zone' | 'stretch' = 'zone'): SpeedErrorStats {
  const errs = samples.flatMap((s) => {
    const truth = against === 'zone' ? s.trueKmh : s.stretchKmh;
    return truth === null ? [] : [s.measuredKmh - truth];
  });
  const abs = errs.map(Math.abs).sort((a, b) => a - b);
  return {
    n: errs.length,
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
      const seconds = pred.speed.seconds;
      const stretchKmh = seconds !== undefined ? trueSpeedBetween(passage, pred.timeS - seconds, pred.timeS) : null;
      samples.push({
        trackId: passage.trackId,
        trueKmh: passage.speedKmh,
        stretchKmh: stretchKmh === null ? null : round3(stretchKmh),
        measuredKmh: pred.speed.measuredKmh,
      });
      if (passage.excessKmh < 5) finedUnderThreshold++;
      if (match && predBand && bandOf(passage.excessKmh) === predBand) bands[predBand].correct++;
    }
  });
  return { errors: errorStats(samples), samples, bands, finedUnderThreshold };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
