// Speeding ("quá tốc độ"): the speed a track held over its passage through a calibrated speed zone, less the
// measurement tolerance, over the posted limit for its class by at least the first fine band. A measurement whose
// own uncertainty is larger than the tolerance can deduct proves nothing and is not a case.
import { createHash } from 'node:crypto';
import type { CameraGeometry, SpeedZone } from '@phatnguoi/core/contracts/camera-geometry';
import { calibrateGround, type GroundCalibration } from '@phatnguoi/core/geometry/ground-calibration';
import { groundPoint, pointInPolygon } from '../geometry/geometry';
import { measureSpeed, speedToleranceKmh, type SpeedMeasureConfig, type SpeedTolerance } from './speed';
import { none, pending, type RuleResult, type TrackView } from './types';

export interface SpeedingConfig {
  measure: SpeedMeasureConfig;
  tolerance: SpeedTolerance;
  /** Smallest excess over the limit that is an offence (Decree 168/2024: 5 km/h). */
  firstBandKmh: number;
  /** The tolerance must cover this many standard deviations of the measurement. */
  sigmaCoverage: number;
}

export interface SpeedCalibration {
  calibration: GroundCalibration;
  /** SHA-256 of the calibration points as stored, so a case names the calibration it was measured with. */
  hash: string;
}

const calibrations = new WeakMap<object, SpeedCalibration | null>();

/** The camera's fitted calibration (cached per geometry object); null when it has none. */
export function speedCalibration(geometry: CameraGeometry): SpeedCalibration | null {
  const input = geometry.calibration;
  if (!input) return null;
  let cached = calibrations.get(input);
  if (cached === undefined) {
    cached = { calibration: calibrateGround(input.points), hash: calibrationHash(input) };
    calibrations.set(input, cached);
  }
  return cached;
}

export function calibrationHash(input: NonNullable<CameraGeometry['calibration']>): string {
  return createHash('sha256')
    .update(JSON.stringify({ method: input.method, points: input.points.map((p) => [p.image, p.ground]) }))
    .digest('hex');
}

/**
 * The track's passage through the zone: its observations inside the zone, up to the first that has left it again.
 * 'never' while none has been inside; 'inside' while the track is still in the zone and has not ended.
 */
export function zonePassage(track: TrackView, zone: SpeedZone): TrackView['points'] | 'never' | 'inside' {
  const inside = track.points.map((p) => pointInPolygon(groundPoint(p.box), zone.polygon));
  const start = inside.indexOf(true);
  if (start < 0) return 'never';
  let end = start;
  while (end + 1 < inside.length && inside[end + 1]) end++;
  if (end + 1 >= inside.length && !track.ended) return 'inside';
  return track.points.slice(start, end + 1);
}

export function speedingRule(track: TrackView, zone: SpeedZone, cal: SpeedCalibration, config: SpeedingConfig): RuleResult {
  const limit = zone.limits.find((l) => l.classes.includes(track.cls));
  if (!limit) return none(`no posted limit for ${track.cls} in zone ${zone.id}`);
  const passage = zonePassage(track, zone);
  if (passage === 'never') return track.ended ? none('never in the zone') : pending('not in the zone yet');
  if (passage === 'inside') return pending('in the zone');
  const m = measureSpeed(passage, cal.calibration, { ...config.measure, windowDistanceM: Number.POSITIVE_INFINITY });
  if (!m) return none('passage too short to measure');
  const toleranceKmh = speedToleranceKmh(m.kmh, config.tolerance);
  if (config.sigmaCoverage * m.sigmaKmh > toleranceKmh) {
    return none(`measurement uncertain: ±${m.sigmaKmh.toFixed(1)} km/h is more than the tolerance covers`);
  }
  const reducedKmh = m.kmh - toleranceKmh;
  const excessKmh = reducedKmh - limit.limitKmh;
  if (excessKmh < config.firstBandKmh) return none(`within the limit after the tolerance (${reducedKmh.toFixed(1)} km/h, limit ${limit.limitKmh})`);
  return {
    status: 'violation',
    violation: {
      type: 'speeding',
      rule: 'speedingRule',
      phaseId: `zone:${zone.id}`,
      summary: `${reducedKmh.toFixed(1)} km/h after the ${toleranceKmh.toFixed(1)} km/h tolerance (measured ${m.kmh.toFixed(1)} ± ${m.sigmaKmh.toFixed(1)}) in a ${limit.limitKmh} km/h zone`,
      t: m.to.t,
      seq: m.to.seq,
      box: m.to.box,
      laneId: null,
      signalHeadId: null,
      signal: null,
      beforeSeq: m.from.seq,
      afterSeq: m.to.seq,
      speed: {
        zoneId: zone.id,
        measuredKmh: round1(m.kmh),
        uncertaintyKmh: round1(m.sigmaKmh),
        toleranceKmh: round1(toleranceKmh),
        reducedKmh: round1(reducedKmh),
        limitKmh: limit.limitKmh,
        excessKmh: round1(excessKmh),
        distanceM: Math.round(m.distanceM * 100) / 100,
        seconds: Math.round((m.to.t - m.from.t) * 1000) / 1000,
        from: { seq: m.from.seq, box: m.from.box },
        to: { seq: m.to.seq, box: m.to.box },
        calibrationHash: cal.hash,
      },
    },
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
