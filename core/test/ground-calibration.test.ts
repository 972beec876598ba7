import { describe, expect, it } from 'vitest';
import { applyHomography, calibrateGround, CalibrationError, groundFromDistances, type Mat3 } from '../src/geometry/ground-calibration';
import { validateGeometry } from '../src/contracts/camera-geometry';

// A camera looking down a road: ground (x across, y along, metres) → image pixels through a known homography.
const TRUE_G2I: Mat3 = [40, 12, 640, 0, -6, 700, 0, 0.045, 1];
const project = (g: [number, number]) => applyHomography(TRUE_G2I, g);
const groundPts: [number, number][] = [
  [-3.5, 2],
  [3.5, 2],
  [3.5, 30],
  [-3.5, 30],
  [0, 15],
];

describe('calibrateGround', () => {
  it('recovers ground positions of unmarked image points from four or more marked ones', () => {
    const cal = calibrateGround(groundPts.map((g) => ({ image: project(g), ground: g })));
    expect(cal.rmsErrorM).toBeLessThan(1e-6);
    expect(cal.spanM).toBeCloseTo(Math.hypot(7, 28), 6);
    for (const g of [
      [1.2, 7],
      [-2, 22],
      [0.5, 40],
    ] as [number, number][]) {
      const back = applyHomography(cal.imageToGround, project(g));
      expect(back[0]).toBeCloseTo(g[0], 6);
      expect(back[1]).toBeCloseTo(g[1], 6);
    }
  });

  it('reports the disagreement of inconsistent marks instead of hiding it', () => {
    const pts = groundPts.map((g, i) => ({ image: project(g), ground: (i === 4 ? [g[0] + 0.8, g[1]] : g) as [number, number] }));
    const cal = calibrateGround(pts);
    expect(cal.maxErrorM).toBeGreaterThan(0.3);
    expect(cal.rmsErrorPx).toBeGreaterThan(1);
  });

  it('refuses too few points and three of four on one line', () => {
    expect(() => calibrateGround(groundPts.slice(0, 3).map((g) => ({ image: project(g), ground: g })))).toThrow(CalibrationError);
    const collinear: [number, number][] = [
      [0, 2],
      [0, 10],
      [0, 20],
      [3, 5],
    ];
    expect(() => calibrateGround(collinear.map((g) => ({ image: project(g), ground: g })))).toThrow(/one line/);
  });
});

describe('groundFromDistances', () => {
  it('lays out points from their measured distances, preserving every distance', () => {
    const truth: [number, number][] = [
      [0, 0],
      [7, 0],
      [7, 12],
      [0, 12],
    ];
    const distances = [];
    for (let a = 0; a < 4; a++)
      for (let b = a + 1; b < 4; b++) distances.push({ a, b, metres: Math.hypot(truth[a]![0] - truth[b]![0], truth[a]![1] - truth[b]![1]) });
    const layout = groundFromDistances(4, distances);
    for (const d of distances) expect(Math.hypot(layout[d.a]![0] - layout[d.b]![0], layout[d.a]![1] - layout[d.b]![1])).toBeCloseTo(d.metres, 6);
  });

  it('names the missing distances', () => {
    expect(() => groundFromDistances(4, [{ a: 0, b: 1, metres: 3 }])).toThrow(/1–3/);
  });
});

describe('camera geometry with a calibration', () => {
  const base = {
    version: 1,
    reference: { width: 1280, height: 720 },
    stopLines: [],
    lanes: [
      {
        id: 'L1',
        polygon: [
          [100, 700],
          [1200, 700],
          [700, 300],
          [600, 300],
        ],
        direction: [0, -1],
        allowedClasses: ['car'],
        turns: ['straight'],
      },
    ],
    solidLines: [],
    signalHeads: [],
  };
  it('accepts a calibrated speed zone and rejects a zone without calibration', () => {
    const zone = {
      id: 'Z1',
      polygon: [
        [100, 700],
        [1200, 700],
        [700, 300],
        [600, 300],
      ],
      limits: [{ classes: ['car', 'motorbike'], limitKmh: 50 }],
    };
    const calibration = { method: 'measured_points', points: groundPts.slice(0, 4).map((g) => ({ image: project(g), ground: g })) };
    expect(validateGeometry({ ...base, calibration, speedZones: [zone] }).ok).toBe(true);
    const r = validateGeometry({ ...base, speedZones: [zone] });
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.path)).toContain('$.speedZones[0]');
  });
  it('rejects a degenerate calibration with the reason', () => {
    const pts: [number, number][] = [
      [0, 2],
      [0, 10],
      [0, 20],
      [3, 5],
    ];
    const r = validateGeometry({ ...base, calibration: { method: 'measured_points', points: pts.map((g) => ({ image: project(g), ground: g })) } });
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ path: '$.calibration.points' });
  });
});
