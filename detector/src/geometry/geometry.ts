// Plane geometry on image pixels, and camera geometry scaled to the frame size actually received.
import type { CameraGeometry, Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box } from '@phatnguoi/core/contracts/detection';

export type { Point };

/** Ground contact point of a vehicle box: bottom centre. */
export function groundPoint(box: Box): Point {
  return [(box[0] + box[2]) / 2, box[3]];
}

export function sub(a: Point, b: Point): Point {
  return [a[0] - b[0], a[1] - b[1]];
}

export function dot(a: Point, b: Point): number {
  return a[0] * b[0] + a[1] * b[1];
}

export function norm(a: Point): number {
  return Math.hypot(a[0], a[1]);
}

export function unit(a: Point): Point {
  const n = norm(a);
  return n === 0 ? [0, 0] : [a[0] / n, a[1] / n];
}

/** z of the cross product a × b (image coordinates, y down: positive = clockwise on screen). */
export function crossZ(a: Point, b: Point): number {
  return a[0] * b[1] - a[1] * b[0];
}

export function pointInPolygon(p: Point, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A directed line with a "before" side: signed distance is negative before the line and positive after it. */
export interface OrientedLine {
  a: Point;
  b: Point;
  /** Unit normal pointing to the after side. */
  normal: Point;
}

export function orientedLine(a: Point, b: Point, beforePoint: Point): OrientedLine {
  const e = unit(sub(b, a));
  let normal: Point = [-e[1], e[0]];
  if (dot(sub(beforePoint, a), normal) > 0) normal = [-normal[0], -normal[1]];
  return { a, b, normal };
}

export function signedDistance(line: OrientedLine, p: Point): number {
  return dot(sub(p, line.a), line.normal);
}

/** Parameter of p's projection on segment a–b (0 at a, 1 at b). */
export function projectionParam(a: Point, b: Point, p: Point): number {
  const ab = sub(b, a);
  const len2 = dot(ab, ab);
  return len2 === 0 ? 0 : dot(sub(p, a), ab) / len2;
}

/** Whether segments p1–p2 and q1–q2 properly intersect. */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = crossZ(sub(q2, q1), sub(p1, q1));
  const d2 = crossZ(sub(q2, q1), sub(p2, q1));
  const d3 = crossZ(sub(p2, p1), sub(q1, p1));
  const d4 = crossZ(sub(p2, p1), sub(q2, p1));
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/** Distance from p to segment a–b. */
export function distanceToSegment(p: Point, a: Point, b: Point): number {
  const t = Math.max(0, Math.min(1, projectionParam(a, b, p)));
  return norm(sub(p, [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]));
}

export function boxIoU(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Camera geometry scaled from its reference resolution to a frame of `width` x `height`. */
export function scaleGeometry(g: CameraGeometry, width: number, height: number): CameraGeometry {
  const sx = width / g.reference.width;
  const sy = height / g.reference.height;
  if (sx === 1 && sy === 1) return g;
  const p = (q: Point): Point => [q[0] * sx, q[1] * sy];
  return {
    version: 1,
    reference: { width, height },
    stopLines: g.stopLines.map((s) => ({ ...s, a: p(s.a), b: p(s.b), beforePoint: p(s.beforePoint) })),
    lanes: g.lanes.map((l) => ({ ...l, polygon: l.polygon.map(p), direction: p(l.direction) })),
    solidLines: g.solidLines.map((s) => ({ ...s, points: s.points.map(p) })),
    signalHeads: g.signalHeads.map((h) => ({
      ...h,
      lamps: h.lamps.map((l) => ({ ...l, region: [l.region[0] * sx, l.region[1] * sy, l.region[2] * sx, l.region[3] * sy] as typeof l.region })),
    })),
    ...(g.calibration ? { calibration: { ...g.calibration, points: g.calibration.points.map((q) => ({ ...q, image: p(q.image) })) } } : {}),
    ...(g.speedZones ? { speedZones: g.speedZones.map((z) => ({ ...z, polygon: z.polygon.map(p) })) } : {}),
  };
}

/** How far past a stop line the region of interest reaches, as a fraction of its lanes' length. */
export const ROI_PAST_STOP_LINE = 0.5;

/**
 * The detector's region of interest: every lane polygon plus the road just past each stop line (a
 * red-light crossing is only confirmed once the vehicle is well past the line, and wrong-way traffic
 * arrives from there), padded by `pad` of its size and clipped to the image.
 */
export function detectionRoi(g: CameraGeometry, pad = 0.1): Box {
  const pts: Point[] = g.lanes.flatMap((l) => l.polygon);
  for (const s of g.stopLines) {
    for (const lane of g.lanes.filter((l) => l.stopLineId === s.id)) {
      const d = unit(lane.direction);
      const along = lane.polygon.map((q) => dot(q, d));
      const reach = (Math.max(...along) - Math.min(...along)) * ROI_PAST_STOP_LINE;
      for (const q of [s.a, s.b]) pts.push([q[0] + d[0] * reach, q[1] + d[1] * reach]);
    }
  }
  const xs = pts.map((q) => q[0]);
  const ys = pts.map((q) => q[1]);
  const w = Math.max(...xs) - Math.min(...xs);
  const h = Math.max(...ys) - Math.min(...ys);
  return [
    Math.max(0, Math.min(...xs) - w * pad),
    Math.max(0, Math.min(...ys) - h * pad),
    Math.min(g.reference.width, Math.max(...xs) + w * pad),
    Math.min(g.reference.height, Math.max(...ys) + h * pad),
  ];
}
