// Ground-plane calibration of a fixed camera: a homography between image pixels and road coordinates in metres,
// fitted from four or more marked road points (direct linear transform with Hartley normalisation). Pure maths,
// shared by the detector (speed), the api (validation) and the geometry editor (ground grid, reprojection error).

export type Vec2 = readonly [number, number];
/** Row-major 3x3 matrix. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

export interface GroundPoint {
  /** Where the point is in the image (reference pixels). */
  image: Vec2;
  /** Where it is on the road, metres in any right-handed frame lying on the road surface. */
  ground: Vec2;
}

export interface GroundCalibration {
  /** Image pixels → ground metres. */
  imageToGround: Mat3;
  /** Ground metres → image pixels. */
  groundToImage: Mat3;
  /** Root-mean-square distance between each marked ground point and its image point mapped onto the ground, metres. */
  rmsErrorM: number;
  /** Largest such distance, metres. */
  maxErrorM: number;
  /** Root-mean-square reprojection error in the image, pixels. */
  rmsErrorPx: number;
  /** Longest distance between two marked points, metres: the span over which the calibration was measured. */
  spanM: number;
}

export class CalibrationError extends Error {}

export function applyHomography(h: Mat3, p: Vec2): [number, number] {
  const w = h[6] * p[0] + h[7] * p[1] + h[8];
  return [(h[0] * p[0] + h[1] * p[1] + h[2]) / w, (h[3] * p[0] + h[4] * p[1] + h[5]) / w];
}

export function invert3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new CalibrationError('the homography is singular');
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

function multiply3(x: Mat3, y: Mat3): Mat3 {
  const r: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r.push(x[i * 3]! * y[j]! + x[i * 3 + 1]! * y[3 + j]! + x[i * 3 + 2]! * y[6 + j]!);
  return r as unknown as Mat3;
}

/** Similarity that moves the points' centroid to the origin and their mean distance from it to √2 (Hartley). */
function normaliser(points: readonly Vec2[]): Mat3 {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  const mean = points.reduce((s, p) => s + Math.hypot(p[0] - cx, p[1] - cy), 0) / points.length;
  if (mean === 0) throw new CalibrationError('the points coincide');
  const k = Math.SQRT2 / mean;
  return [k, 0, -k * cx, 0, k, -k * cy, 0, 0, 1];
}

/** Solves the square system a·x = b by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      if (f !== 0) for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Homography taking `from` points onto `to` points (least squares for more than four pairs, h33 = 1). */
export function fitHomography(from: readonly Vec2[], to: readonly Vec2[]): Mat3 {
  if (from.length !== to.length) throw new CalibrationError('every point needs both an image and a ground position');
  if (from.length < 4) throw new CalibrationError('at least 4 points are needed');
  const tf = normaliser(from);
  const tt = normaliser(to);
  // Normal equations of the 2n x 8 linear system in the normalised coordinates.
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  for (let i = 0; i < from.length; i++) {
    const [x, y] = applyHomography(tf, from[i]!);
    const [u, v] = applyHomography(tt, to[i]!);
    const rows: [number[], number][] = [
      [[x, y, 1, 0, 0, 0, -u * x, -u * y], u],
      [[0, 0, 0, x, y, 1, -v * x, -v * y], v],
    ];
    for (const [row, rhs] of rows) {
      for (let r = 0; r < 8; r++) {
        atb[r]! += row[r]! * rhs;
        for (let c = 0; c < 8; c++) ata[r]![c]! += row[r]! * row[c]!;
      }
    }
  }
  const h = solve(ata, atb);
  if (!h) throw new CalibrationError('the points are degenerate (three or more on one line, or repeated)');
  const hn: Mat3 = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1];
  const full = multiply3(invert3(tt), multiply3(hn, tf));
  const scale = full[8];
  if (Math.abs(scale) < 1e-12) throw new CalibrationError('the points are degenerate');
  return full.map((v) => v / scale) as unknown as Mat3;
}

/** True when no three of the points lie (nearly) on one line, relative to their spread. */
function generalPosition(points: readonly Vec2[]): boolean {
  const span = Math.max(...points.flatMap((a) => points.map((b) => Math.hypot(a[0] - b[0], a[1] - b[1]))));
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++)
      for (let k = j + 1; k < points.length; k++) {
        const [a, b, c] = [points[i]!, points[j]!, points[k]!];
        const area2 = Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
        if (area2 < 1e-3 * span * span) return false;
      }
  return true;
}

/** Fits the calibration from marked points and reports how well it agrees with them. */
export function calibrateGround(points: readonly GroundPoint[]): GroundCalibration {
  if (points.length < 4) throw new CalibrationError('at least 4 road points are needed');
  for (const p of points) if (![...p.image, ...p.ground].every(Number.isFinite)) throw new CalibrationError('every coordinate must be a finite number');
  const image = points.map((p) => p.image);
  const ground = points.map((p) => p.ground);
  // Four points with three on a line leave the plane's perspective undetermined (more points may still pin it down).
  if (points.length === 4 && (!generalPosition(image) || !generalPosition(ground)))
    throw new CalibrationError('three of the four points lie on one line: mark points that span the road in both directions');
  const imageToGround = fitHomography(image, ground);
  const groundToImage = invert3(imageToGround);
  const groundErrors = points.map((p) => {
    const g = applyHomography(imageToGround, p.image);
    return Math.hypot(g[0] - p.ground[0], g[1] - p.ground[1]);
  });
  const imageErrors = points.map((p) => {
    const q = applyHomography(groundToImage, p.ground);
    return Math.hypot(q[0] - p.image[0], q[1] - p.image[1]);
  });
  const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
  const spanM = Math.max(...ground.flatMap((a) => ground.map((b) => Math.hypot(a[0] - b[0], a[1] - b[1]))));
  // A camera sees the road in front of it: every marked point must map with positive depth (w > 0 after scaling).
  const w = (p: Vec2) => imageToGround[6] * p[0] + imageToGround[7] * p[1] + imageToGround[8];
  const signs = image.map((p) => Math.sign(w(p)));
  if (signs.some((s) => s !== signs[0])) throw new CalibrationError('the points put part of the road behind the camera: check their order');
  return { imageToGround, groundToImage, rmsErrorM: rms(groundErrors), maxErrorM: Math.max(...groundErrors), rmsErrorPx: rms(imageErrors), spanM };
}

export interface MeasuredDistance {
  /** Indexes of the two points. */
  a: number;
  b: number;
  metres: number;
}

/**
 * Ground positions of points known only by the distances between them (what an officer measures with a tape or
 * reads off lane markings): classical multidimensional scaling in two dimensions. Every pair must be measured.
 * The result is one of the mirror images of the layout; distances, and so speeds, are the same in both.
 */
export function groundFromDistances(count: number, distances: readonly MeasuredDistance[]): [number, number][] {
  if (count < 4) throw new CalibrationError('at least 4 points are needed');
  const d = Array.from({ length: count }, () => new Array<number>(count).fill(Number.NaN));
  for (let i = 0; i < count; i++) d[i]![i] = 0;
  for (const m of distances) {
    if (!(m.metres > 0) || !Number.isFinite(m.metres)) throw new CalibrationError(`distance ${m.a + 1}–${m.b + 1} must be a positive number of metres`);
    if (m.a === m.b || m.a < 0 || m.b < 0 || m.a >= count || m.b >= count) throw new CalibrationError(`distance ${m.a + 1}–${m.b + 1} names an unknown point`);
    d[m.a]![m.b] = m.metres;
    d[m.b]![m.a] = m.metres;
  }
  const missing: string[] = [];
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) if (Number.isNaN(d[i]![j]!)) missing.push(`${i + 1}–${j + 1}`);
  if (missing.length) throw new CalibrationError(`distances missing between points ${missing.join(', ')}`);
  // Double-centred squared distances B = -½ J D² J; its top two eigenvectors scaled by √λ are the coordinates.
  const sq = d.map((row) => row.map((v) => v * v));
  const rowMean = sq.map((row) => row.reduce((s, v) => s + v, 0) / count);
  const all = rowMean.reduce((s, v) => s + v, 0) / count;
  const b = sq.map((row, i) => row.map((v, j) => -0.5 * (v - rowMean[i]! - rowMean[j]! + all)));
  const coords: number[][] = Array.from({ length: count }, () => []);
  const deflated = b.map((row) => [...row]);
  for (let k = 0; k < 2; k++) {
    let v = Array.from({ length: count }, (_, i) => 1 + i * 0.37 + k);
    let lambda = 0;
    for (let iter = 0; iter < 500; iter++) {
      const next = deflated.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
      const n = Math.hypot(...next);
      if (n === 0) break;
      next.forEach((x, i) => (next[i] = x / n));
      lambda = n;
      const change = Math.hypot(...next.map((x, i) => x - v[i]!));
      v = next;
      if (change < 1e-12) break;
    }
    if (!(lambda > 1e-9)) throw new CalibrationError('the distances put every point on one line');
    for (let i = 0; i < count; i++) coords[i]!.push(v[i]! * Math.sqrt(lambda));
    for (let i = 0; i < count; i++) for (let j = 0; j < count; j++) deflated[i]![j]! -= lambda * v[i]! * v[j]!;
  }
  return coords.map((c) => [c[0]!, c[1]!]);
}

/** Metres on the ground per image pixel at an image point, along the image's x and y axes (local Jacobian). */
export function metresPerPixel(cal: Pick<GroundCalibration, 'imageToGround'>, p: Vec2): { x: number; y: number } {
  const g = applyHomography(cal.imageToGround, p);
  const gx = applyHomography(cal.imageToGround, [p[0] + 1, p[1]]);
  const gy = applyHomography(cal.imageToGround, [p[0], p[1] + 1]);
  return { x: Math.hypot(gx[0] - g[0], gx[1] - g[1]), y: Math.hypot(gy[0] - g[0], gy[1] - g[1]) };
}
