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
  /** Noise of the box's bottom edge and centre, reference pixels (1 sigma). */
  boxNoisePx: number;
  /** Jitter of the frame times the stream gives, seconds (1 sigma). */
  frameTimeJitterS: number;
  /** Smallest relative scale error assumed for any calibration (tape, marking tolerances). */
  minCalibrationRelError: number;
}

export const DEFAULT_SPEED_MEASURE: SpeedMeasureConfig = {
  minDistanceM: 8,
  minPoints: 4,
  windowDistanceM: 20,
  boxNoisePx: 2,
  frameTimeJitterS: 0.004,
  minCalibrationRelError: 0.005,
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

  // Weighted least squares of x(t) and y(t): each position's weight from its own metres-per-pixel (far is coarser).
  const idx = Array.from({ length: n }, (_, k) => first + k);
  const sigmaPos = idx.map((i) => {
    const mpp = metresPerPixel(calibration, groundPixel(points[i]!.box, scale));
    return config.boxNoisePx * Math.max(mpp.x, mpp.y);
  });
  const w = sigmaPos.map((s) => 1 / (s * s));
  const sw = w.reduce((a, b) => a + b, 0);
  const tMean = idx.reduce((a, i, k) => a + w[k]! * points[i]!.t, 0) / sw;
  const stt = idx.reduce((a, i, k) => a + w[k]! * (points[i]!.t - tMean) ** 2, 0);
  const slope = (axis: 0 | 1) => {
    const mean = idx.reduce((a, i, k) => a + w[k]! * ground[i]![axis], 0) / sw;
    const v = idx.reduce((a, i, k) => a + w[k]! * (points[i]!.t - tMean) * (ground[i]![axis] - mean), 0) / stt;
    const residual = idx.reduce((a, i, k) => a + w[k]! * (ground[i]![axis] - mean - v * (points[i]!.t - tMean)) ** 2, 0);
    return { v, residual };
  };
  const sx = slope(0);
  const sy = slope(1);
  const speed = Math.hypot(sx.v, sy.v); // m/s
  // Fit noise: the model's variance, scaled up when the residuals say the positions scatter more than assumed
  // (a braking or accelerating vehicle, a box that changes shape).
  const dof = Math.max(1, 2 * n - 4);
  const chi2 = (sx.residual + sy.residual) / dof;
  const sigmaFit = Math.sqrt(Math.max(1, chi2) / stt);
  const sigmaTime = (speed * config.frameTimeJitterS * Math.SQRT2) / span;
  const relCal = Math.max(config.minCalibrationRelError, calibration.rmsErrorM / Math.max(calibration.spanM, 1e-6));
  const sigmaCal = speed * relCal;
  const sigma = Math.sqrt(sigmaFit ** 2 + sigmaTime ** 2 + sigmaCal ** 2);
  const at = (i: number) => ({ seq: points[i]!.seq, t: points[i]!.t, ground: ground[i]!, box: points[i]!.box });
  return { kmh: speed * 3.6, sigmaKmh: sigma * 3.6, distanceM, from: at(first), to: at(last), points: n };
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
