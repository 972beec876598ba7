// Speed of a track from its ground-plane positions: the box's ground point mapped through the camera's calibration
// (image → road metres), fitted over a measured stretch of road rather than one pair of frames, with an uncertainty
// built from the calibration's error, the box bottom's noise and the frame-time jitter. Pure.
import { applyHomography, metresPerPixel, type GroundCalibration } from '@phatnguoi/core/geometry/ground-calibration';
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { TrackPoint } from '../tracking/tracker';

export interface SpeedMeasureConfig {
  /** Shortest stretch of road a measurement may cover, metres. */
  minDistanceM: number;
  /** Fewest observations in a measurement. */
  minPoints: number;
  /** The measurement uses the most recent observations that cover this much road (metres), or all of them. */
  windowDistanceM: number;
  /** Noise of the box's bottom edge and centre, reference pixels (1 sigma), for a small box. */
  boxNoisePx: number;
  /** ... growing with the box: this fraction of its height adds (in quadrature). */
  boxNoiseFraction: number;
  /** Jitter of the frame times the stream gives, seconds (1 sigma). */
  frameTimeJitterS: number;
  /** Smallest relative scale error assumed for any calibration (tape, marking tolerances). */
  minCalibrationRelError: number;
  /** A position further from the fitted line than this many (robust) noise units gets no weight (Tukey's biweight). */
  outlierCutoff: number;
}

export const DEFAULT_SPEED_MEASURE: SpeedMeasureConfig = {
  minDistanceM: 8,
  minPoints: 4,
  windowDistanceM: 20,
  // Measured on the simulator's training speed scenes (seeds 101-107, 25 fps) for the project's detector: the bottom
  // edge scatters about 3 px on small boxes and more on large ones (about 9 px at 350 px tall).
  boxNoisePx: 3,
  boxNoiseFraction: 0.025,
  frameTimeJitterS: 0.004,
  minCalibrationRelError: 0.005,
  outlierCutoff: 4.685,
};

export interface SpeedMeasurement {
  /** Fitted speed, km/h. */
  kmh: number;
  /** One standard deviation of the fitted speed, km/h. */
  sigmaKmh: number;
  /** Road covered between the first and last observation used, metres. */
  distanceM: number;
  /** First and last observation used. */
  from: { seq: number; t: number; ground: [number, number]; box: Box };
  to: { seq: number; t: number; ground: [number, number]; box: Box };
  points: number;
}

/** Ground contact of a box (bottom centre), in the calibration's reference pixels. */
function groundPixel(box: Box, scale: { x: number; y: number }): [number, number] {
  return [((box[0] + box[2]) / 2) * scale.x, box[3] * scale.y];
}

/**
 * Measures the track's speed over its latest stretch of road. `scale` maps frame pixels to the calibration's
 * reference pixels. Returns null while the track has not covered `minDistanceM` with `minPoints` observations.
 */
export function measureSpeed(
  points: readonly TrackPoint[],
  calibration: Pick<GroundCalibration, 'imageToGround' | 'rmsErrorM' | 'spanM'>,
  config: SpeedMeasureConfig = DEFAULT_SPEED_MEASURE,
  scale: { x: number; y: number } = { x: 1, y: 1 },
): SpeedMeasurement | null {
  if (points.length < config.minPoints) return null;
  const ground = points.map((p) => applyHomography(calibration.imageToGround, groundPixel(p.box, scale)));
  // Walk back from the newest observation until the window covers windowDistanceM of road.
  const last = points.length - 1;
  let first = last;
  while (first > 0) {
    first--;
    const d = Math.hypot(ground[last]![0] - ground[first]![0], ground[last]![1] - ground[first]![1]);
    if (d >= config.windowDistanceM) break;
  }
  const n = last - first + 1;
  const distanceM = Math.hypot(ground[last]![0] - ground[first]![0], ground[last]![1] - ground[first]![1]);
  if (n < config.minPoints || distanceM < config.minDistanceM) return null;
  const span = points[last]!.t - points[first]!.t;
  if (!(span > 0)) return null;

  // Robust weighted line fit of x(t) and y(t): each position weighs by its own noise in metres (far is coarser).
  const idx = Array.from({ length: n }, (_, k) => first + k);
  const sigmaPos = idx.map((i) => {
    const box = points[i]!.box;
    const mpp = metresPerPixel(calibration, groundPixel(box, scale));
    const px = Math.hypot(config.boxNoisePx, config.boxNoiseFraction * (box[3] - box[1]) * scale.y);
    return px * Math.max(mpp.x, mpp.y);
  });
  const fit = robustLineFit(
    idx.map((i) => points[i]!.t),
    idx.map((i) => ground[i]!),
    sigmaPos,
    config.outlierCutoff,
  );
  if (fit.inliers < config.minPoints) return null;
  const speed = Math.hypot(fit.vx, fit.vy); // m/s
  // Fit noise: the model's variance, scaled up when the residuals say the positions scatter more than assumed
  // (a braking or accelerating vehicle, a box that changes shape).
  const dof = Math.max(1, 2 * fit.inliers - 4);
  const chi2 = fit.residual / dof;
  const sigmaFit = Math.sqrt(Math.max(1, chi2) / fit.stt);
  const sigmaTime = (speed * config.frameTimeJitterS * Math.SQRT2) / span;
  const relCal = Math.max(config.minCalibrationRelError, calibration.rmsErrorM / Math.max(calibration.spanM, 1e-6));
  const sigmaCal = speed * relCal;
  const sigma = Math.sqrt(sigmaFit ** 2 + sigmaTime ** 2 + sigmaCal ** 2);
  const at = (i: number) => ({ seq: points[i]!.seq, t: points[i]!.t, ground: ground[i]!, box: points[i]!.box });
  return { kmh: speed * 3.6, sigmaKmh: sigma * 3.6, distanceM, from: at(first), to: at(last), points: n };
}

/**
 * Weighted straight-line fit of 2-D positions over time, robust to single bad boxes: iteratively reweighted least
 * squares with Tukey's biweight on each position's residual in units of its own noise (`sigma`), scaled by the
 * residuals' own median spread, so a box that jumped (another vehicle's edge, an occlusion) stops pulling the line.
 * `cutoff` is the biweight's cut-off in those units. Returns the velocity, the weighted time spread and the weighted
 * squared residuals (for the fit's uncertainty) and how many positions kept any weight.
 */
export function robustLineFit(
  t: readonly number[],
  pos: readonly (readonly [number, number])[],
  sigma: readonly number[],
  cutoff: number,
): { vx: number; vy: number; stt: number; residual: number; inliers: number } {
  const base = sigma.map((s) => 1 / (s * s));
  let w = base.slice();
  let fit = weightedLine(t, pos, w);
  for (let iter = 0; iter < 10; iter++) {
    const r = t.map((ti, k) => Math.hypot(pos[k]![0] - fit.x(ti), pos[k]![1] - fit.y(ti)) / sigma[k]!);
    // Robust spread of the residuals, never below the assumed noise (clean fits keep every point).
    const spread = Math.max(1, 1.4826 * median(r));
    const c = cutoff * spread;
    const next = base.map((b, k) => (r[k]! < c ? b * (1 - (r[k]! / c) ** 2) ** 2 : 0));
    if (next.filter((x) => x > 0).length < 2) break;
    const changed = next.some((x, k) => Math.abs(x - w[k]!) > 1e-9 * base[k]!);
    w = next;
    fit = weightedLine(t, pos, w);
    if (!changed) break;
  }
  const inliers = w.filter((x) => x > 0).length;
  // Residuals of the kept points against their assumed noise (unit weights), so chi² keeps its meaning.
  const kept = w.map((x, k) => (x > 0 ? base[k]! : 0));
  const final = weightedLine(t, pos, kept);
  const residual = t.reduce((a, ti, k) => a + kept[k]! * ((pos[k]![0] - final.x(ti)) ** 2 + (pos[k]![1] - final.y(ti)) ** 2), 0);
  return { vx: final.vx, vy: final.vy, stt: final.stt, residual, inliers };
}

function weightedLine(t: readonly number[], pos: readonly (readonly [number, number])[], w: readonly number[]) {
  const sw = w.reduce((a, b) => a + b, 0);
  const tMean = t.reduce((a, ti, k) => a + w[k]! * ti, 0) / sw;
  const stt = t.reduce((a, ti, k) => a + w[k]! * (ti - tMean) ** 2, 0);
  const mx = pos.reduce((a, p, k) => a + w[k]! * p[0], 0) / sw;
  const my = pos.reduce((a, p, k) => a + w[k]! * p[1], 0) / sw;
  const vx = t.reduce((a, ti, k) => a + w[k]! * (ti - tMean) * (pos[k]![0] - mx), 0) / stt;
  const vy = t.reduce((a, ti, k) => a + w[k]! * (ti - tMean) * (pos[k]![1] - my), 0) / stt;
  return { vx, vy, stt, x: (ti: number) => mx + vx * (ti - tMean), y: (ti: number) => my + vy * (ti - tMean) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface SpeedTolerance {
  /** Deducted below `percentAboveKmh`, km/h. */
  kmh: number;
  /** Deducted at and above `percentAboveKmh`, percent of the measured speed. */
  percent: number;
  percentAboveKmh: number;
}

/** Fixed enforcement practice: 3 km/h below 100 km/h, 3 % above. */
export const DEFAULT_SPEED_TOLERANCE: SpeedTolerance = { kmh: 3, percent: 3, percentAboveKmh: 100 };

export function speedToleranceKmh(measuredKmh: number, tolerance: SpeedTolerance = DEFAULT_SPEED_TOLERANCE): number {
  return measuredKmh >= tolerance.percentAboveKmh ? (measuredKmh * tolerance.percent) / 100 : tolerance.kmh;
}
