// Projection of a vehicle's cuboid into the image: its faces (for drawing) and its 2-D box (for truth).
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { Camera } from './camera';
import type { VehicleDims } from './vehicles';

export interface Pt {
  u: number;
  v: number;
}

export interface ProjectedVehicle {
  /** Bounding box of the whole cuboid, unclipped. */
  box: Box;
  /** Visible faces, each a quad in image pixels; `face` names which side of the vehicle it is. */
  faces: { face: 'rear' | 'front' | 'left' | 'right' | 'top'; quad: Pt[] }[];
  /** Camera depth of the vehicle centre (for painter's order). */
  depth: number;
  /** Ground point nearest the camera (middle of the nearest footprint edge), world metres. */
  ref: { x: number; z: number };
}

export function footprintRef(x: number, z: number, heading: number, d: VehicleDims): { x: number; z: number } {
  const fx = Math.sin(heading);
  const fz = Math.cos(heading);
  const rx = fz;
  const rz = -fx;
  const corners = [
    [1, 1],
    [1, -1],
    [-1, -1],
    [-1, 1],
  ].map(([a, b]) => ({ x: x + (fx * d.l * a!) / 2 + (rx * d.w * b!) / 2, z: z + (fz * d.l * a!) / 2 + (rz * d.w * b!) / 2 }));
  corners.sort((p, q) => p.z - q.z);
  return { x: (corners[0]!.x + corners[1]!.x) / 2, z: (corners[0]!.z + corners[1]!.z) / 2 };
}

export function projectVehicle(cam: Camera, x: number, z: number, heading: number, d: VehicleDims): ProjectedVehicle {
  const fx = Math.sin(heading);
  const fz = Math.cos(heading);
  const rx = fz;
  const rz = -fx;
  const c = (a: number, b: number, y: number) => {
    const wx = x + (fx * d.l * a) / 2 + (rx * d.w * b) / 2;
    const wz = z + (fz * d.l * a) / 2 + (rz * d.w * b) / 2;
    const p = cam.project(wx, y, wz);
    return { u: p.u, v: p.v };
  };
  // Corners: (a = +1 front / -1 rear, b = +1 right / -1 left, y = 0 / h)
  const P = (a: number, b: number, top: boolean) => c(a, b, top ? d.h : 0);
  const faces: ProjectedVehicle['faces'] = [];
  const camX = cam.p.offsetXM;
  const camY = cam.p.heightM;
  const visible = (nx: number, nz: number, px: number, pz: number, py: number, ny = 0) => (camX - px) * nx + (0 - pz) * nz + (camY - py) * ny > 0;
  // Side faces first, then the end face, then the top, so the painter's order inside one vehicle is right.
  const sides: [ProjectedVehicle['faces'][number]['face'], number, number][] = [
    ['left', -1, 0],
    ['right', 1, 0],
  ];
  for (const [face, b] of sides) {
    const nx = rx * b;
    const nz = rz * b;
    const px = x + (rx * d.w * b) / 2;
    const pz = z + (rz * d.w * b) / 2;
    if (visible(nx, nz, px, pz, d.h / 2)) faces.push({ face, quad: [P(-1, b, false), P(1, b, false), P(1, b, true), P(-1, b, true)] });
  }
  for (const [face, a] of [
    ['rear', -1],
    ['front', 1],
  ] as const) {
    const nx = fx * a;
    const nz = fz * a;
    const px = x + (fx * d.l * a) / 2;
    const pz = z + (fz * d.l * a) / 2;
    if (visible(nx, nz, px, pz, d.h / 2)) faces.push({ face, quad: [P(a, -1, true), P(a, 1, true), P(a, 1, false), P(a, -1, false)] });
  }
  faces.push({ face: 'top', quad: [P(-1, -1, true), P(-1, 1, true), P(1, 1, true), P(1, -1, true)] });
  const all = [P(1, 1, false), P(1, -1, false), P(-1, 1, false), P(-1, -1, false), P(1, 1, true), P(1, -1, true), P(-1, 1, true), P(-1, -1, true)];
  const box: Box = [Math.min(...all.map((p) => p.u)), Math.min(...all.map((p) => p.v)), Math.max(...all.map((p) => p.u)), Math.max(...all.map((p) => p.v))];
  return { box, faces, depth: cam.depth(x, d.h / 2, z), ref: footprintRef(x, z, heading, d) };
}

export function clipBox(b: Box, w: number, h: number): Box | null {
  const c: Box = [Math.max(0, b[0]), Math.max(0, b[1]), Math.min(w, b[2]), Math.min(h, b[3])];
  return c[2] - c[0] >= 1 && c[3] - c[1] >= 1 ? c : null;
}

export function boxArea(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const u = boxArea(a) + boxArea(b) - inter;
  return u > 0 ? inter / u : 0;
}
