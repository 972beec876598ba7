import { describe, expect, it } from 'vitest';
import { applyHomography, calibrateGround, metresPerPixel, type Mat3 } from '@phatnguoi/core/geometry/ground-calibration';
import type { CameraGeometry, SpeedZone } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { DEFAULT_RULES_CONFIG, evaluateTrack, measureSpeed, speedCalibration, speedingRule, speedToleranceKmh, type TrackView } from '../../src/rules';
import type { TrackPoint } from '../../src/tracking/tracker';
import { evidenceContradiction } from '../../src/rules/consistency';
import { trackSpeeds } from '../../src/speed-report';

// Ground (x across, y along the road, metres) → image pixels of a 1280x720 camera looking down the road.
const G2I: Mat3 = [40, 12, 640, 0, -6, 700, 0, 0.045, 1];
const project = (g: [number, number]) => applyHomography(G2I, g);
const marks: [number, number][] = [
  [-3.5, 2],
  [3.5, 2],
  [3.5, 40],
  [-3.5, 40],
  [0, 20],
];
const calibration = { method: 'measured_points' as const, points: marks.map((g) => ({ image: project(g) as [number, number], ground: g })) };
const cal = { calibration: calibrateGround(calibration.points), hash: 'a'.repeat(64) };
const zonePolygon: [number, number][] = [project([-3.5, 4]), project([3.5, 4]), project([3.5, 36]), project([-3.5, 36])];
const zone: SpeedZone = { id: 'Z1', polygon: zonePolygon, limits: [{ classes: ['car', 'motorbike'], limitKmh: 50 }] };

/** A track driving along the road at `kmh` (plus `accel` m/s²) from y = 2 m, sampled at `fps`, with seeded box noise. */
function track(kmh: number, fps: number, opts: { accel?: number; noisePx?: number; seconds?: number; cls?: 'car' | 'motorbike' } = {}): TrackView {
  const points: TrackPoint[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
  const v = kmh / 3.6;
  for (let i = 0; i * (1 / fps) <= (opts.seconds ?? 3); i++) {
    const t = i / fps;
    const y = 2 + v * t + 0.5 * (opts.accel ?? 0) * t * t;
    const [px, py] = project([0.5, y]);
    const h = 9000 / (py > 0 ? 720 - py + 60 : 60); // nearer is bigger; only the bottom centre matters
    const n = () => rand() * (opts.noisePx ?? 1);
    const box: Box = [px - h + n(), py - h * 0.8, px + h + n(), py + n()];
    points.push({ seq: i, t: 100 + t, box, cls: opts.cls ?? 'car', score: 0.9 });
  }
  return { id: 't1', cls: opts.cls ?? 'car', points, ended: true };
}

describe('measureSpeed', () => {
  for (const fps of [5, 25]) {
    for (const kmh of [20, 50, 80]) {
      it(`measures ${kmh} km/h within 1 km/h at ${fps} fps`, () => {
        const m = measureSpeed(track(kmh, fps, { seconds: Math.max(1.5, 12 / (kmh / 3.6)) }).points, cal.calibration);
        expect(m).not.toBeNull();
        expect(Math.abs(m!.kmh - kmh)).toBeLessThan(1);
        expect(m!.sigmaKmh).toBeGreaterThan(0);
        expect(m!.distanceM).toBeGreaterThan(8);
      });
    }
  }

  it('waits until the track covered the minimum distance', () => {
    const t = track(30, 5, { seconds: 0.6 }); // 5 m
    expect(measureSpeed(t.points, cal.calibration)).toBeNull();
  });

  it('does not let one box that jumped (another edge, an occlusion) pull the measured speed', () => {
    const clean = track(60, 25, { seconds: 1.6 }).points;
    const jumped = clean.map((p, i) => (i === clean.length - 3 ? { ...p, box: [p.box[0], p.box[1], p.box[2], p.box[3] + 60] as Box } : p));
    const plain = { ...DEFAULT_RULES_CONFIG.speeding.measure, windowDistanceM: Number.POSITIVE_INFINITY };
    const robust = measureSpeed(jumped, cal.calibration, plain)!;
    const naive = measureSpeed(jumped, cal.calibration, { ...plain, outlierCutoff: Number.POSITIVE_INFINITY })!;
    expect(Math.abs(robust.kmh - 60)).toBeLessThan(0.5);
    expect(Math.abs(naive.kmh - 60)).toBeGreaterThan(Math.abs(robust.kmh - 60) + 0.5);
  });

  it('grows its uncertainty with the box noise', () => {
    const quiet = measureSpeed(track(60, 5, { noisePx: 0.5 }).points, cal.calibration)!;
    const noisy = measureSpeed(track(60, 5, { noisePx: 12 }).points, cal.calibration)!;
    expect(noisy.sigmaKmh).toBeGreaterThan(quiet.sigmaKmh * 2);
  });
});

describe('speedingRule', () => {
  const config = DEFAULT_RULES_CONFIG.speeding;
  it('fines a car 12 km/h over the limit after deducting the tolerance, with the measurement in the detail', () => {
    const r = speedingRule(track(65, 5, { seconds: 3 }), zone, cal, config);
    expect(r.status).toBe('violation');
    if (r.status !== 'violation') return;
    const s = r.violation.speed!;
    expect(r.violation).toMatchObject({ type: 'speeding', phaseId: 'zone:Z1', rule: 'speedingRule' });
    expect(s.toleranceKmh).toBe(3);
    expect(s.reducedKmh).toBeCloseTo(s.measuredKmh - 3, 1);
    expect(s.excessKmh).toBeGreaterThan(10);
    expect(s.excessKmh).toBeLessThan(14);
    expect(s.from.seq).toBeLessThan(s.to.seq);
    expect(r.violation.beforeSeq).toBe(s.from.seq);
  });

  it('never fines a vehicle under the limit plus the first band after the tolerance', () => {
    for (const kmh of [40, 50, 55, 57.5]) expect(speedingRule(track(kmh, 5, { seconds: 3 }), zone, cal, config).status).toBe('none');
  });

  it('does not decide while the vehicle is still in the zone', () => {
    const t = track(70, 5, { seconds: 1 });
    expect(speedingRule({ ...t, ended: false }, zone, cal, config).status).toBe('pending');
  });

  it('refuses a measurement whose uncertainty the tolerance cannot cover', () => {
    const r = speedingRule(track(75, 5, { seconds: 3, noisePx: 60 }), zone, cal, config);
    expect(r).toMatchObject({ status: 'none' });
    expect(r.status === 'none' && r.reason).toMatch(/uncertain/);
  });

  it('skips classes the zone posts no limit for', () => {
    const truckZone: SpeedZone = { ...zone, limits: [{ classes: ['truck'], limitKmh: 40 }] };
    expect(speedingRule(track(90, 5), truckZone, cal, config)).toMatchObject({ status: 'none' });
  });

  it('runs from the camera geometry through evaluateTrack', () => {
    const geometry = {
      version: 1,
      reference: { width: 1280, height: 720 },
      stopLines: [],
      solidLines: [],
      signalHeads: [],
      lanes: [{ id: 'L1', polygon: zonePolygon, direction: [0, -1], allowedClasses: ['car', 'motorbike'], turns: ['straight'] }],
      calibration,
      speedZones: [zone],
    } as CameraGeometry;
    expect(speedCalibration(geometry)?.hash).toMatch(/^[0-9a-f]{64}$/);
    const found = evaluateTrack(track(80, 5, { seconds: 3 }), geometry, () => undefined, DEFAULT_RULES_CONFIG);
    expect(found.map((v) => v.type)).toEqual(['speeding']);
  });
});

describe('speeding evidence', () => {
  const geometry = {
    version: 1,
    reference: { width: 1280, height: 720 },
    stopLines: [],
    solidLines: [],
    signalHeads: [],
    lanes: [],
    calibration,
    speedZones: [zone],
  } as CameraGeometry;
  /** A 1.8 m wide, 1.5 m tall car driving away at 70 km/h, its box as large as perspective makes it at each position. */
  const receding = (): TrackView => {
    const points: TrackPoint[] = [];
    for (let i = 0; i <= 40; i++) {
      const [px, py] = project([0.5, 2 + (70 / 3.6) * i * 0.05]) as [number, number];
      const m = metresPerPixel(cal.calibration, [px, py]).x;
      points.push({ seq: i, t: i * 0.05, box: [px - 0.9 / m, py - 1.5 / m, px + 0.9 / m, py], cls: 'car', score: 0.9 });
    }
    return { id: 't1', cls: 'car', points, ended: true };
  };

  it('accepts a vehicle that shrinks as it drives away, as perspective says it should', () => {
    const tv = receding();
    const r = speedingRule(tv, zone, cal, DEFAULT_RULES_CONFIG.speeding);
    if (r.status !== 'violation') throw new Error(`expected a violation, got ${r.reason}`);
    const before = tv.points.find((p) => p.seq === r.violation.beforeSeq)!.box;
    const after = tv.points.find((p) => p.seq === r.violation.afterSeq)!.box;
    expect((after[3] - after[1]) / (before[3] - before[1])).toBeLessThan(0.5); // a bare size check would call it two vehicles
    expect(evidenceContradiction(r.violation, tv.points, geometry, undefined)).toBeNull();
  });

  it('refuses one whose last box is far larger than perspective explains (another vehicle)', () => {
    const tv = receding();
    const r = speedingRule(tv, zone, cal, DEFAULT_RULES_CONFIG.speeding);
    if (r.status !== 'violation') throw new Error(`expected a violation, got ${r.reason}`);
    const switched = tv.points.map((p) => {
      if (p.seq !== r.violation.afterSeq) return p;
      const [x1, y1, x2, y2] = p.box;
      return { ...p, box: [x1 - (x2 - x1), y1 - 2 * (y2 - y1), x2 + (x2 - x1), y2] as Box };
    });
    expect(evidenceContradiction(r.violation, switched, geometry, undefined)).toMatch(/not one vehicle/);
  });
});

describe('trackSpeeds', () => {
  it('measures every track that crossed the zone, whatever the limit, and leaves out the others', () => {
    const geometry = {
      version: 1,
      reference: { width: 1280, height: 720 },
      stopLines: [],
      solidLines: [],
      signalHeads: [],
      lanes: [],
      calibration,
      speedZones: [zone],
    } as CameraGeometry;
    const slow = { ...track(30, 5, { seconds: 5 }), id: 'slow' };
    const fast = { ...track(70, 5, { seconds: 3 }), id: 'fast' };
    const away: TrackView = {
      ...fast,
      id: 'away',
      points: fast.points.map((p) => ({ ...p, box: [p.box[0] + 2000, p.box[1], p.box[2] + 2000, p.box[3]] as Box })),
    };
    const speeds = trackSpeeds([slow, fast, away], geometry);
    expect(speeds.map((s) => s.trackId).sort()).toEqual(['fast', 'slow']);
    for (const s of speeds) {
      expect(Math.abs(s.kmh - (s.trackId === 'fast' ? 70 : 30))).toBeLessThan(1);
      expect(s.sigmaKmh).toBeGreaterThan(0);
      expect(s.zoneId).toBe('Z1');
    }
  });
});

describe('speedToleranceKmh', () => {
  it('deducts 3 km/h below 100 km/h and 3 % above', () => {
    expect(speedToleranceKmh(70)).toBe(3);
    expect(speedToleranceKmh(120)).toBeCloseTo(3.6, 6);
  });
});
