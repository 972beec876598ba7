// The scenario's camera geometry in the detector's format (core/contracts/camera-geometry), projected
// from the world layout: lane polygons on the approach, stop line, solid lines, lamp regions.
import { parseGeometry, type CameraGeometry, type Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { VehicleClass } from '@phatnguoi/core/contracts/detection';
import type { SimResult } from './world/simulate';
import { CLASS_OF } from './world/vehicles';
import { subRng, uniform } from './random';

type P = [number, number];

/** Sutherland–Hodgman clip of a polygon to the image rectangle. */
export function clipPolygon(poly: P[], w: number, h: number): P[] {
  const edges: [(p: P) => boolean, (a: P, b: P) => P][] = [
    [(p) => p[0] >= 0, (a, b) => lerpAt(a, b, 0, 0)],
    [(p) => p[0] <= w, (a, b) => lerpAt(a, b, 0, w)],
    [(p) => p[1] >= 0, (a, b) => lerpAt(a, b, 1, 0)],
    [(p) => p[1] <= h, (a, b) => lerpAt(a, b, 1, h)],
  ];
  let out = poly;
  for (const [inside, cut] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i]!;
      const prev = input[(i + input.length - 1) % input.length]!;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) out.push(cut(prev, cur));
    }
    if (!out.length) break;
  }
  return dedupe(out.map((p) => [round1(p[0]), round1(p[1])] as P));
}

function lerpAt(a: P, b: P, axis: 0 | 1, value: number): P {
  const t = (value - a[axis]) / (b[axis] - a[axis]);
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

function dedupe(ps: P[]): P[] {
  return ps.filter((p, i) => {
    const q = ps[(i + ps.length - 1) % ps.length]!;
    return ps.length === 1 || p[0] !== q[0] || p[1] !== q[1];
  });
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Clip a segment to the image; null when it misses the image. */
function clipSegment(a: P, b: P, w: number, h: number): [P, P] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  for (const [p, q] of [
    [-dx, a[0]],
    [dx, w - a[0]],
    [-dy, a[1]],
    [dy, h - a[1]],
  ] as [number, number][]) {
    if (p === 0) {
      if (q < 0) return null;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
    }
  }
  if (t0 >= t1) return null;
  return [
    [round1(a[0] + dx * t0), round1(a[1] + dy * t0)],
    [round1(a[0] + dx * t1), round1(a[1] + dy * t1)],
  ];
}

export function cameraGeometry(sim: SimResult): CameraGeometry {
  const { scenario: s, layout, camera: cam } = sim;
  const W = s.width;
  const H = s.height;
  const pr = (x: number, z: number, y = 0): P => {
    const p = cam.project(x, y, z);
    return [p.u, p.v];
  };
  const zA = Math.max(0.5, cam.nearZ() - 3);
  const zB = layout.markedToZ;
  const head = layout.heads[0];
  const stopId = 'stop-main';
  const lanes: CameraGeometry['lanes'] = [];
  for (const lane of layout.lanes) {
    const polygon = clipPolygon([pr(lane.x0, zA), pr(lane.x1, zA), pr(lane.x1, zB), pr(lane.x0, zB)], W, H);
    if (polygon.length < 3) continue;
    const a = pr(lane.centre, zA + 3);
    const b = pr(lane.centre, zA + 8);
    const dir: Point = lane.forward ? [round1(b[0] - a[0]), round1(b[1] - a[1])] : [round1(a[0] - b[0]), round1(a[1] - b[1])];
    const allowed = [...new Set(lane.spec.allowed.map((k) => CLASS_OF[k]))] as VehicleClass[];
    const governed = lane.forward && layout.hasSignal && head;
    lanes.push({
      id: lane.spec.id,
      // The lane's name as cases print it: from the text painted in it ("XE MÁY": "làn xe máy").
      ...(lane.spec.label ? { name: `làn ${lane.spec.label.toLocaleLowerCase('vi')}` } : {}),
      polygon,
      direction: dir,
      allowedClasses: allowed,
      turns: lane.spec.turns,
      ...(governed ? { stopLineId: stopId, signalHeadId: head.spec.id } : {}),
      ...(governed && head.spec.rightArrow && lane.spec.turns.includes('right') ? { arrowPermits: [{ lampId: 'green-right', turn: 'right' as const }] } : {}),
    });
  }
  const stopLines: CameraGeometry['stopLines'] = [];
  if (layout.hasSignal && head) {
    const seg = clipSegment(pr(layout.forwardX0, layout.stopZ), pr(layout.forwardX1, layout.stopZ), W, H);
    if (seg) {
      const before = pr((layout.forwardX0 + layout.forwardX1) / 2, layout.stopZ - 3);
      stopLines.push({
        id: stopId,
        approach: 'camera approach',
        a: seg[0],
        b: seg[1],
        beforePoint: [round1(Math.min(W, Math.max(0, before[0]))), round1(Math.min(H, Math.max(0, before[1])))],
      });
    }
  }
  const solidLines: CameraGeometry['solidLines'] = [];
  layout.lanes.slice(0, -1).forEach((lane, i) => {
    const kind = s.layout.separators[i];
    if (kind !== 'solid' && kind !== 'double') return;
    const seg = clipSegment(pr(lane.x1, zA), pr(lane.x1, zB), W, H);
    if (seg) solidLines.push({ id: `solid-${lane.spec.id}-${layout.lanes[i + 1]!.spec.id}`, points: seg, kind: kind === 'double' ? 'double' : 'single' });
  });
  const signalHeads: CameraGeometry['signalHeads'] = layout.heads.map((h) => ({
    id: h.spec.id,
    lamps: h.lamps.map((lamp) => {
      const c = cam.project(lamp.x, lamp.y, lamp.z);
      const r = Math.max(1.5, (cam.f * lamp.r * 1.3) / Math.max(1, c.depth));
      const clamp = (v: number, hi: number) => round1(Math.max(0, Math.min(hi, v)));
      return {
        id: lamp.id,
        colour: lamp.colour,
        shape: lamp.shape,
        region: [clamp(c.u - r, W), clamp(c.v - r, H), clamp(c.u + r, W), clamp(c.v + r, H)] as [number, number, number, number],
      };
    }),
  }));
  return parseGeometry({ version: 1, reference: { width: W, height: H }, stopLines, lanes, solidLines, signalHeads, ...speedGeometry(sim) });
}

/** Motor-vehicle classes a simulated speed zone posts its limit for. */
const MOTOR_CLASSES: VehicleClass[] = ['motorbike', 'car', 'bus', 'truck'];

/**
 * The calibration a surveyor would give for the scene's speed zone (road corners and mid-points at both ends and
 * the middle, with a seeded tape error) and the zone itself over the whole road width.
 */
function speedGeometry(sim: SimResult): Pick<CameraGeometry, 'calibration' | 'speedZones'> {
  const zone = sim.scenario.speedZone;
  if (!zone) return {};
  const { layout, camera: cam, scenario: s } = sim;
  const x0 = layout.lanes[0]!.x0;
  const x1 = layout.lanes[layout.lanes.length - 1]!.x1;
  const rng = subRng(s.seed, 'calibration');
  const err = zone.calibrationErrorM ?? 0.03;
  const points: { image: Point; ground: [number, number] }[] = [];
  for (const z of [zone.fromM, (zone.fromM + zone.toM) / 2, zone.toM]) {
    for (const x of [x0, x1]) {
      const p = cam.project(x, 0, z);
      if (p.depth <= 0 || p.u < 0 || p.v < 0 || p.u > s.width || p.v > s.height) continue;
      const ground: [number, number] = [round3(x + uniform(rng, -err, err)), round3(z + uniform(rng, -err, err))];
      points.push({ image: [round1(p.u), round1(p.v)], ground });
    }
  }
  const polygon = clipPolygon(
    [
      [cam.project(x0, 0, zone.fromM).u, cam.project(x0, 0, zone.fromM).v],
      [cam.project(x1, 0, zone.fromM).u, cam.project(x1, 0, zone.fromM).v],
      [cam.project(x1, 0, zone.toM).u, cam.project(x1, 0, zone.toM).v],
      [cam.project(x0, 0, zone.toM).u, cam.project(x0, 0, zone.toM).v],
    ],
    s.width,
    s.height,
  );
  return {
    calibration: { method: 'measured_points', points },
    speedZones: [{ id: 'speed-zone', polygon, limits: [{ classes: MOTOR_CLASSES, limitKmh: zone.limitKmh }] }],
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
