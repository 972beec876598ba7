// The pure parts of detection on real traffic cameras: where to run the model (tiles over the region of
// interest at a scale where a motorbike is big enough, plus one pass over the whole region for vehicles close
// to the camera), and how to turn the passes' boxes into one box per vehicle (boxes cut by a tile edge dropped,
// duplicates across tiles and classes suppressed, riders merged into their motorbike or bicycle, rider-less
// people on the road read as riders where the config says so). No I/O; tf-detector.ts runs the model.
import type { Box, Detection, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { iou } from './decode';

export interface TilingOptions {
  /** Model-input pixels per image pixel inside a tile (1 = native resolution). */
  tileScale: number;
  /** Least overlap between neighbouring tiles, as a fraction of the tile size. */
  overlap: number;
  /** Tiles cover only the top part of the region (the far side of the road, where vehicles are small): 0–1 of its height. */
  tiledFraction: number;
  /**
   * With tiledFraction < 1: the rest of the region (the near side, where vehicles are big) gets tiles too, at this
   * scale (below tileScale, so fewer of them), overlapping the far tiles by `overlap`; 0 = no near tiles. Not
   * counted in maxTiles.
   */
  nearScale: number;
  /** Also run one pass over the whole region, letterboxed into the model input (vehicles near the camera). */
  whole: boolean;
  /** At most this many tiles: with more, the tile scale is lowered until they fit. */
  maxTiles: number;
  /** A tile's box that comes this close (model-input pixels) to an edge the tile shares with another pass is cut: dropped. */
  edgeMargin: number;
}

export interface MergeOptions {
  /** Boxes of any two classes overlapping more than this are one vehicle: the higher score wins. */
  crossClassIou: number;
  /** A person box sitting on a motorbike or bicycle box is its rider: merged into it. */
  riders: boolean;
  /** A person left without a vehicle is read as a rider whose motorbike the model missed (dense queues), not a pedestrian. */
  lonePersonAsMotorbike: boolean;
  /** A car/bus/truck box that holds this many two-wheelers whole is a group of motorbikes the model took for one vehicle: dropped (0 = off). */
  groupOfTwoWheelers: number;
  /** A box of the same group lying this much (share of its own area) inside a higher-scoring one is a piece of it: dropped (1 = off). */
  containment: number;
}

/** One pass of the model: a region of the image and whether it is a tile (its inner edges cut boxes). */
export interface Pass {
  region: Box;
  kind: 'whole' | 'tile';
}

/** Start offsets of `n` windows of `size` spread evenly over [from, to]. */
function spread(from: number, to: number, size: number, overlap: number): number[] {
  const span = to - from;
  if (size >= span) return [from];
  const step = size * (1 - overlap);
  const n = Math.ceil((span - size) / step) + 1;
  return Array.from({ length: n }, (_, i) => from + ((span - size) * i) / (n - 1));
}

/**
 * The passes for one frame: tiles of (inputWidth x inputHeight) / tileScale image pixels over the top
 * `tiledFraction` of `roi`, overlapping by at least `overlap`, then with `nearScale` coarser tiles over the rest
 * (perspective: near vehicles are big), plus the whole region when `whole`. A region small enough to fit one tile
 * at tileScale gets one pass.
 */
export function planPasses(roi: Box, input: { width: number; height: number }, t: TilingOptions): Pass[] {
  const [x1, y1, x2, y2] = roi;
  const w = x2 - x1;
  const h = y2 - y1;
  if (w <= input.width / t.tileScale && h <= input.height / t.tileScale) return [{ region: roi, kind: 'whole' }];
  const tiledH = h * Math.min(1, Math.max(0, t.tiledFraction));
  let scale = t.tileScale;
  let tiles: Pass[] = [];
  for (let guard = 0; guard < 64; guard++) {
    const tw = Math.min(w, input.width / scale);
    const th = Math.min(tiledH, input.height / scale);
    tiles = [];
    if (tiledH > 0) {
      for (const ty of spread(y1, y1 + tiledH, th, t.overlap)) {
        for (const tx of spread(x1, x2, tw, t.overlap)) tiles.push({ region: [tx, ty, tx + tw, ty + th], kind: 'tile' });
      }
    }
    if (tiles.length <= t.maxTiles) break;
    scale *= 0.9;
  }
  if (t.nearScale > 0 && tiledH > 0 && tiledH < h) {
    // The near band starts inside the far tiles' last row, so that a vehicle cut by their bottom edge is whole here.
    const farTileH = Math.min(tiledH, input.height / scale);
    const top = Math.max(y1, y1 + tiledH - t.overlap * farTileH);
    const tw = Math.min(w, input.width / t.nearScale);
    const th = Math.min(y2 - top, input.height / t.nearScale);
    for (const ty of spread(top, y2, th, t.overlap)) {
      for (const tx of spread(x1, x2, tw, t.overlap)) tiles.push({ region: [tx, ty, tx + tw, ty + th], kind: 'tile' });
    }
  }
  return t.whole || tiles.length === 0 ? [{ region: roi, kind: 'whole' }, ...tiles] : tiles;
}

/**
 * Whether a box found in a tile touches one of the tile's edges that lies inside the region of interest (so
 * the vehicle may go on past it): such a box is a piece of a vehicle that another pass sees whole.
 */
export function cutByTileEdge(box: Box, tile: Box, roi: Box, margin: number): boolean {
  const inner = (edge: number, roiEdge: number) => Math.abs(edge - roiEdge) > 0.5;
  return (
    (inner(tile[0], roi[0]) && box[0] - tile[0] <= margin) ||
    (inner(tile[1], roi[1]) && box[1] - tile[1] <= margin) ||
    (inner(tile[2], roi[2]) && tile[2] - box[2] <= margin) ||
    (inner(tile[3], roi[3]) && tile[3] - box[3] <= margin)
  );
}

const TWO_WHEELERS: ReadonlySet<VehicleClass> = new Set(['motorbike', 'bicycle']);
const FOUR_WHEELERS: ReadonlySet<VehicleClass> = new Set(['car', 'bus', 'truck']);

const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
function intersection(a: Box, b: Box): number {
  const ix = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return ix > 0 && iy > 0 ? ix * iy : 0;
}

const sameGroup = (a: VehicleClass, b: VehicleClass) =>
  a === b || (TWO_WHEELERS.has(a) && TWO_WHEELERS.has(b)) || (FOUR_WHEELERS.has(a) && FOUR_WHEELERS.has(b));

/**
 * Greedy NMS over every class at once: of two boxes overlapping more than `iouThreshold`, the higher score stays.
 * With `containment` < 1, a box of the same class group lying that much inside a kept box goes too (a piece of
 * a vehicle found in a tile, beside the whole vehicle).
 */
export function crossClassNms(dets: Detection[], iouThreshold: number, containment = 1): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    const dup = kept.some(
      (k) => iou(k.box, d.box) > iouThreshold || (containment < 1 && sameGroup(k.cls, d.cls) && intersection(k.box, d.box) > containment * area(d.box)),
    );
    if (!dup) kept.push(d);
  }
  return kept;
}

/**
 * How well person box `p` sits on two-wheeler box `v` as its rider: the share of the person's box inside the
 * vehicle's (0 when the person is not above the vehicle's centre or is much wider than it).
 */
export function riderFit(p: Box, v: Box): number {
  const pCy = (p[1] + p[3]) / 2;
  const vCy = (v[1] + v[3]) / 2;
  if (pCy > vCy) return 0;
  const pCx = (p[0] + p[2]) / 2;
  if (pCx < v[0] || pCx > v[2]) return 0;
  if (p[2] - p[0] > 2 * (v[2] - v[0])) return 0;
  return intersection(p, v) / Math.max(1e-9, area(p));
}

/** The smallest box holding both. */
export function union(a: Box, b: Box): Box {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/**
 * Riders into their vehicles: each person box whose fit on a motorbike/bicycle box is at least `minFit` joins
 * the best-fitting one (the vehicle's box grows to hold the rider, as one vehicle's box does in the labels). With
 * `lonePersonAsMotorbike`, a person left alone becomes a motorbike box reaching half its height below its feet.
 */
export function mergeRiders(dets: Detection[], opts: Pick<MergeOptions, 'lonePersonAsMotorbike'>, minFit = 0.2): Detection[] {
  const vehicles = dets.filter((d) => TWO_WHEELERS.has(d.cls)).map((d) => ({ ...d, box: [...d.box] as Box }));
  const originals = vehicles.map((v) => v.box);
  const out: Detection[] = dets.filter((d) => d.cls !== 'pedestrian' && !TWO_WHEELERS.has(d.cls));
  for (const p of dets.filter((d) => d.cls === 'pedestrian')) {
    let best = -1;
    let bestFit = minFit;
    originals.forEach((v, i) => {
      const f = riderFit(p.box, v);
      if (f >= bestFit) {
        bestFit = f;
        best = i;
      }
    });
    if (best >= 0) {
      const v = vehicles[best]!;
      v.box = union(v.box, p.box);
      v.score = Math.max(v.score, p.score);
    } else if (opts.lonePersonAsMotorbike) {
      const [x1, y1, x2, y2] = p.box;
      const h = y2 - y1;
      const w = x2 - x1;
      out.push({ box: [x1 - w * 0.15, y1, x2 + w * 0.15, y2 + h * 0.5], cls: 'motorbike', score: p.score });
    } else {
      out.push(p);
    }
  }
  return [...out, ...vehicles];
}

/** Drops car/bus/truck boxes that hold at least `n` two-wheeler boxes almost whole (a queue of motorbikes taken for one vehicle). */
export function dropGroupBoxes(dets: Detection[], n: number): Detection[] {
  if (n <= 0) return dets;
  const twos = dets.filter((d) => TWO_WHEELERS.has(d.cls));
  return dets.filter((d) => {
    if (!FOUR_WHEELERS.has(d.cls)) return true;
    const inside = twos.filter((t) => intersection(t.box, d.box) >= 0.8 * area(t.box)).length;
    return inside < n;
  });
}

/**
 * The passes' boxes (image pixels, each with the pass it came from) → one box per vehicle: boxes cut by a
 * tile's inner edge dropped, duplicates across passes and classes suppressed, riders merged, groups dropped,
 * then one last suppression across classes (a merged rider's box may now cover a duplicate).
 */
export function mergePasses(
  found: Array<{ pass: Pass; detections: Detection[] }>,
  roi: Box,
  opts: MergeOptions & { edgeMarginPx: (pass: Pass) => number; maxDetections: number },
): Detection[] {
  const all: Detection[] = [];
  for (const { pass, detections } of found) {
    for (const d of detections) {
      if (pass.kind === 'tile' && cutByTileEdge(d.box, pass.region, roi, opts.edgeMarginPx(pass))) continue;
      all.push(d);
    }
  }
  // People and vehicles first apart (a rider's box must not suppress its motorbike's), then riders merged.
  const people = crossClassNms(
    all.filter((d) => d.cls === 'pedestrian'),
    opts.crossClassIou,
  );
  const vehicles = crossClassNms(
    all.filter((d) => d.cls !== 'pedestrian'),
    opts.crossClassIou,
    opts.containment,
  );
  let merged = opts.riders ? mergeRiders([...vehicles, ...people], opts) : [...vehicles, ...people];
  merged = dropGroupBoxes(merged, opts.groupOfTwoWheelers);
  const kept = [
    ...crossClassNms(
      merged.filter((d) => d.cls !== 'pedestrian'),
      opts.crossClassIou,
      opts.containment,
    ),
    ...merged.filter((d) => d.cls === 'pedestrian'),
  ];
  return kept.sort((a, b) => b.score - a.score).slice(0, opts.maxDetections);
}
