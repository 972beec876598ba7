// Pure helpers of the speed-calibration editor: the fit the detector will use, the ground grid drawn over the
// snapshot so a wrong mark shows as a bent or skewed grid, and the default speed zone.
import type { CameraGeometry, GroundCalibrationInput, Point, SpeedZone } from '@phatnguoi/core/contracts/camera-geometry';
import { applyHomography, calibrateGround, CalibrationError, type GroundCalibration } from '@phatnguoi/core/geometry/ground-calibration';

export type CalibrationFit = { ok: true; fit: GroundCalibration; residualsM: number[] } | { ok: false; reason: 'too_few' | 'invalid' };

export function fitCalibration(cal: GroundCalibrationInput | undefined): CalibrationFit {
  if (!cal || cal.points.length < 4) return { ok: false, reason: 'too_few' };
  try {
    const fit = calibrateGround(cal.points);
    const residualsM = cal.points.map((p) => {
      const g = applyHomography(fit.imageToGround, p.image);
      return Math.hypot(g[0] - p.ground[0], g[1] - p.ground[1]);
    });
    return { ok: true, fit, residualsM };
  } catch (e) {
    if (e instanceof CalibrationError) return { ok: false, reason: 'invalid' };
    throw e;
  }
}

/**
 * Ground grid lines (metres) over the marked area, widened by a fifth on each side, every `stepM`, as image
 * polylines; samples beyond the horizon or far outside the image are dropped.
 */
export function groundGrid(fit: GroundCalibration, cal: GroundCalibrationInput, size: { width: number; height: number }, stepM?: number): Point[][] {
  const xs = cal.points.map((p) => p.ground[0]);
  const ys = cal.points.map((p) => p.ground[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const padX = (x1 - x0) * 0.2;
  const padY = (y1 - y0) * 0.2;
  const span = Math.max(x1 - x0, y1 - y0);
  const step = stepM ?? (span > 40 ? 5 : span > 12 ? 2 : 1);
  const lines: Point[][] = [];
  const sample = (a: [number, number], b: [number, number]) => {
    const pts: Point[] = [];
    for (let k = 0; k <= 24; k++) {
      const g: [number, number] = [a[0] + ((b[0] - a[0]) * k) / 24, a[1] + ((b[1] - a[1]) * k) / 24];
      const w = fit.groundToImage[6] * g[0] + fit.groundToImage[7] * g[1] + fit.groundToImage[8];
      if (w <= 0) continue;
      const p = applyHomography(fit.groundToImage, g);
      if (Math.abs(p[0]) > size.width * 3 || Math.abs(p[1]) > size.height * 3) continue;
      pts.push([Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10]);
    }
    if (pts.length >= 2) lines.push(pts);
  };
  const start = (v: number) => Math.ceil(v / step) * step;
  for (let x = start(x0 - padX); x <= x1 + padX; x += step) sample([x, y0 - padY], [x, y1 + padY]);
  for (let y = start(y0 - padY); y <= y1 + padY; y += step) sample([x0 - padX, y], [x1 + padX, y]);
  return lines;
}

/** A new calibration point at the image centre, at the ground origin until the officer types its position. */
export function addCalibrationPoint(g: CameraGeometry): CameraGeometry {
  const points = [...(g.calibration?.points ?? [])];
  const n = points.length;
  points.push({ image: [Math.round(g.reference.width / 2 + (n % 4) * 20), Math.round(g.reference.height / 2 + Math.floor(n / 4) * 20)], ground: [0, 0] });
  return { ...g, calibration: { method: g.calibration?.method ?? 'measured_points', points } };
}

export function removeCalibrationPoint(g: CameraGeometry, index: number): CameraGeometry {
  const points = (g.calibration?.points ?? []).filter((_, i) => i !== index);
  if (points.length === 0) {
    const { calibration: _c, speedZones: _z, ...rest } = g;
    return rest;
  }
  return { ...g, calibration: { method: g.calibration!.method, points } };
}

/** The default zone: the quadrilateral of the first four calibration points (where the calibration holds best). */
export function defaultSpeedZone(g: CameraGeometry): SpeedZone {
  const pts = (g.calibration?.points ?? []).slice(0, 4).map((p) => p.image);
  const c: Point = [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
  const polygon = [...pts].sort((a, b) => Math.atan2(a[1] - c[1], a[0] - c[0]) - Math.atan2(b[1] - c[1], b[0] - c[0]));
  return { id: `zone-${(g.speedZones?.length ?? 0) + 1}`, polygon, limits: [{ classes: ['motorbike', 'car', 'bus', 'truck'], limitKmh: 50 }] };
}
