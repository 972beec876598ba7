import { describe, expect, it } from 'vitest';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { applyHomography, type Mat3 } from '@phatnguoi/core/geometry/ground-calibration';
import { addCalibrationPoint, defaultSpeedZone, fitCalibration, groundGrid, removeCalibrationPoint } from '../src/geometry/calibration-model';

const G2I: Mat3 = [40, 12, 640, 0, -6, 700, 0, 0.045, 1];
const at = (x: number, y: number) => applyHomography(G2I, [x, y]).map((v) => Math.round(v * 10) / 10) as [number, number];
const base: CameraGeometry = {
  version: 1,
  reference: { width: 1280, height: 720 },
  stopLines: [],
  solidLines: [],
  signalHeads: [],
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
};
const marked: CameraGeometry = {
  ...base,
  calibration: {
    method: 'measured_points',
    points: (
      [
        [-3.5, 4],
        [3.5, 4],
        [3.5, 30],
        [-3.5, 30],
      ] as [number, number][]
    ).map(([x, y]) => ({ image: at(x, y), ground: [x, y] })),
  },
};

describe('speed calibration editor model', () => {
  it('asks for four points, then fits and draws a ground grid whose lines pass through the marks', () => {
    let g = base;
    for (let i = 0; i < 3; i++) g = addCalibrationPoint(g);
    expect(fitCalibration(g.calibration)).toEqual({ ok: false, reason: 'too_few' });
    const fit = fitCalibration(marked.calibration);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(Math.max(...fit.residualsM)).toBeLessThan(0.01);
    const grid = groundGrid(fit.fit, marked.calibration!, marked.reference, 1);
    expect(grid.length).toBeGreaterThan(20);
    // The across line at y = 4 m runs through marks 1 and 2 (the grid is the calibration drawn back).
    const near = (p: [number, number]) => grid.some((line) => line.some((q) => Math.hypot(q[0] - p[0], q[1] - p[1]) < 40));
    expect(near(marked.calibration!.points[0]!.image) && near(marked.calibration!.points[2]!.image)).toBe(true);
  });

  it('says a degenerate set of points is invalid instead of drawing nonsense', () => {
    const pts = (
      [
        [0, 2],
        [0, 10],
        [0, 20],
        [3, 5],
      ] as [number, number][]
    ).map(([x, y]) => ({ image: at(x, y), ground: [x, y] as [number, number] }));
    expect(fitCalibration({ method: 'measured_points', points: pts })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('makes a default zone the shared validator accepts, and removing the last point drops calibration and zones', () => {
    const g = { ...marked, speedZones: [defaultSpeedZone(marked)] };
    expect(validateGeometry(g).ok).toBe(true);
    let h: CameraGeometry = g;
    for (let i = 0; i < 4; i++) h = removeCalibrationPoint(h, 0);
    expect(h.calibration).toBeUndefined();
    expect(h.speedZones).toBeUndefined();
  });
});
