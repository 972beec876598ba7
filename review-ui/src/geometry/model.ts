// Pure helpers for the camera-geometry editor: selection, ids, new shapes, moving handles, error paths.
import type { CameraGeometry, Lamp, Lane, Point, SignalHead, SolidLine, StopLine } from '@phatnguoi/core/contracts/camera-geometry';
import type { FieldError as ServerFieldError } from '@phatnguoi/core/contracts/values';

export type ItemKind = 'stopLines' | 'lanes' | 'solidLines' | 'signalHeads';
export interface Selection {
  kind: ItemKind;
  index: number;
}

/** A draggable handle: which item, and which point of it. */
export type HandleRef =
  | { kind: 'stopLines'; index: number; point: 'a' | 'b' | 'beforePoint' }
  | { kind: 'lanes'; index: number; point: number }
  | { kind: 'lanes'; index: number; point: 'direction' }
  | { kind: 'solidLines'; index: number; point: number }
  | { kind: 'signalHeads'; index: number; lamp: number; corner: 0 | 1 };

export type { ServerFieldError };

export function emptyGeometry(width: number, height: number): CameraGeometry {
  return { version: 1, reference: { width, height }, stopLines: [], lanes: [], solidLines: [], signalHeads: [] };
}

export function nextId(existing: { id: string }[], prefix: string): string {
  const ids = new Set(existing.map((e) => e.id));
  for (let n = existing.length + 1; ; n++) if (!ids.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

const round = (v: number) => Math.round(v * 10) / 10;

export function clampPoint(g: CameraGeometry, p: Point): Point {
  return [round(Math.min(g.reference.width, Math.max(0, p[0]))), round(Math.min(g.reference.height, Math.max(0, p[1])))];
}

export function centroid(poly: Point[]): Point {
  const n = poly.length || 1;
  return [poly.reduce((s, p) => s + p[0], 0) / n, poly.reduce((s, p) => s + p[1], 0) / n];
}

/** Where the direction arrow's head is drawn: from the lane's centroid, a fixed length along the direction. */
export function directionHead(lane: Lane, length: number): Point {
  const c = centroid(lane.polygon);
  const len = Math.hypot(lane.direction[0], lane.direction[1]) || 1;
  return [c[0] + (lane.direction[0] / len) * length, c[1] + (lane.direction[1] / len) * length];
}

export function arrowLength(g: CameraGeometry): number {
  return Math.min(g.reference.width, g.reference.height) / 8;
}

export function addItem(g: CameraGeometry, kind: ItemKind): CameraGeometry {
  const { width: w, height: h } = g.reference;
  const cx = w / 2;
  const cy = h / 2;
  const r = (v: number) => Math.round(v);
  switch (kind) {
    case 'stopLines': {
      const s: StopLine = {
        id: nextId(g.stopLines, 'stop'),
        approach: 'approach',
        a: [r(w * 0.25), r(cy)],
        b: [r(w * 0.75), r(cy)],
        beforePoint: [r(cx), r(h * 0.75)],
      };
      return { ...g, stopLines: [...g.stopLines, s] };
    }
    case 'lanes': {
      const lane: Lane = {
        id: nextId(g.lanes, 'lane'),
        polygon: [
          [r(cx - w * 0.1), r(h * 0.95)],
          [r(cx + w * 0.1), r(h * 0.95)],
          [r(cx + w * 0.05), r(h * 0.3)],
          [r(cx - w * 0.05), r(h * 0.3)],
        ],
        direction: [0, -1],
        allowedClasses: ['motorbike', 'car'],
        turns: ['straight'],
      };
      return { ...g, lanes: [...g.lanes, lane] };
    }
    case 'solidLines': {
      const s: SolidLine = {
        id: nextId(g.solidLines, 'solid'),
        points: [
          [r(cx), r(h * 0.95)],
          [r(cx), r(h * 0.4)],
        ],
        kind: 'single',
      };
      return { ...g, solidLines: [...g.solidLines, s] };
    }
    case 'signalHeads': {
      const size = Math.max(8, r(Math.min(w, h) / 30));
      const x = r(w * 0.85);
      const y = r(h * 0.08);
      const lamp = (id: string, colour: Lamp['colour'], i: number): Lamp => ({
        id,
        colour,
        shape: 'round',
        region: [x, y + i * (size + 2), x + size, y + i * (size + 2) + size],
      });
      const head: SignalHead = { id: nextId(g.signalHeads, 'head'), lamps: [lamp('red', 'red', 0), lamp('yellow', 'yellow', 1), lamp('green', 'green', 2)] };
      return { ...g, signalHeads: [...g.signalHeads, head] };
    }
  }
}

export function removeItem(g: CameraGeometry, sel: Selection): CameraGeometry {
  const list = g[sel.kind] as unknown[];
  return { ...g, [sel.kind]: list.filter((_, i) => i !== sel.index) };
}

export function updateItem<K extends ItemKind>(g: CameraGeometry, kind: K, index: number, patch: Partial<CameraGeometry[K][number]>): CameraGeometry {
  const list = g[kind] as CameraGeometry[K][number][];
  return { ...g, [kind]: list.map((it, i) => (i === index ? { ...it, ...patch } : it)) };
}

export function handlePoint(g: CameraGeometry, h: HandleRef): Point | undefined {
  switch (h.kind) {
    case 'stopLines': {
      const s = g.stopLines[h.index];
      return s?.[h.point];
    }
    case 'lanes': {
      const lane = g.lanes[h.index];
      if (!lane) return undefined;
      return h.point === 'direction' ? directionHead(lane, arrowLength(g)) : lane.polygon[h.point];
    }
    case 'solidLines':
      return g.solidLines[h.index]?.points[h.point];
    case 'signalHeads': {
      const r = g.signalHeads[h.index]?.lamps[h.lamp]?.region;
      if (!r) return undefined;
      return h.corner === 0 ? [r[0], r[1]] : [r[2], r[3]];
    }
  }
}

export function moveHandle(g: CameraGeometry, h: HandleRef, to: Point): CameraGeometry {
  const p = clampPoint(g, to);
  switch (h.kind) {
    case 'stopLines':
      return updateItem(g, 'stopLines', h.index, { [h.point]: p } as Partial<StopLine>);
    case 'lanes': {
      const lane = g.lanes[h.index];
      if (!lane) return g;
      if (h.point === 'direction') {
        const c = centroid(lane.polygon);
        const d: Point = [round(p[0] - c[0]), round(p[1] - c[1])];
        if (d[0] === 0 && d[1] === 0) return g;
        return updateItem(g, 'lanes', h.index, { direction: d });
      }
      const idx = h.point;
      return updateItem(g, 'lanes', h.index, { polygon: lane.polygon.map((q, i) => (i === idx ? p : q)) });
    }
    case 'solidLines': {
      const s = g.solidLines[h.index];
      if (!s) return g;
      return updateItem(g, 'solidLines', h.index, { points: s.points.map((q, i) => (i === h.point ? p : q)) });
    }
    case 'signalHeads': {
      const head = g.signalHeads[h.index];
      if (!head) return g;
      const lamps = head.lamps.map((l, i) => {
        if (i !== h.lamp) return l;
        const r = l.region;
        const region: Lamp['region'] = h.corner === 0 ? [p[0], p[1], r[2], r[3]] : [r[0], r[1], p[0], p[1]];
        return { ...l, region };
      });
      return updateItem(g, 'signalHeads', h.index, { lamps });
    }
  }
}

/** Inserts a vertex after `after` (midpoint to the next vertex) in a lane polygon or solid polyline. */
export function insertVertex(g: CameraGeometry, kind: 'lanes' | 'solidLines', index: number, after: number): CameraGeometry {
  const pts = kind === 'lanes' ? g.lanes[index]?.polygon : g.solidLines[index]?.points;
  if (!pts || pts.length === 0) return g;
  const a = pts[after]!;
  const closed = kind === 'lanes';
  const b = pts[(after + 1) % pts.length]!;
  const mid: Point = after === pts.length - 1 && !closed ? [a[0] + 20, a[1] - 20] : [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const next = [...pts.slice(0, after + 1), clampPoint(g, mid), ...pts.slice(after + 1)];
  return kind === 'lanes' ? updateItem(g, 'lanes', index, { polygon: next }) : updateItem(g, 'solidLines', index, { points: next });
}

export function removeVertex(g: CameraGeometry, kind: 'lanes' | 'solidLines', index: number, vertex: number): CameraGeometry {
  const pts = kind === 'lanes' ? g.lanes[index]?.polygon : g.solidLines[index]?.points;
  const min = kind === 'lanes' ? 3 : 2;
  if (!pts || pts.length <= min) return g;
  const next = pts.filter((_, i) => i !== vertex);
  return kind === 'lanes' ? updateItem(g, 'lanes', index, { polygon: next }) : updateItem(g, 'solidLines', index, { points: next });
}

/** Server errors name fields by JSON path (`$.lanes[1].signalHeadId`); these pick the ones for one item or field. */
export function itemPath(sel: Selection): string {
  return `$.${sel.kind}[${sel.index}]`;
}

export function errorsUnder(errors: ServerFieldError[], prefix: string): ServerFieldError[] {
  return errors.filter((e) => e.path === prefix || e.path.startsWith(prefix + '.') || e.path.startsWith(prefix + '['));
}

export function errorsAt(errors: ServerFieldError[], path: string): ServerFieldError[] {
  return errors.filter((e) => e.path === path);
}

/** The item an error path points into, for the error summary's links. */
export function selectionOfPath(path: string): Selection | null {
  const m = /^\$\.(stopLines|lanes|solidLines|signalHeads)\[(\d+)\]/.exec(path);
  return m ? { kind: m[1] as ItemKind, index: Number(m[2]) } : null;
}
