// Motion gating for one camera's stream: a model pass (a tile, or the whole region) is run again only when its
// part of the picture has changed since it last ran; otherwise its last boxes are carried (what stood still is
// where it was). Change is measured on a small luma thumbnail (one mean per cell of pixels), so the check costs
// about a millisecond at 720p against a few hundred per model pass. Optionally at most N passes run per frame,
// the stalest changed ones first (the others carry their boxes one more frame). No I/O.
import type { Box, Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import type { Pass } from './real-traffic';

export interface GatingOptions {
  /** Thumbnail cell size in image pixels (one luma mean per cell x cell block). */
  cell: number;
  /** A cell has changed when its luma moved by more than this (0–255) since the pass last ran. */
  pixelDelta: number;
  /**
   * A pass runs again when its changed cells add up to a square of this side in the pass's model-input pixels
   * (about the smallest vehicle the pass can see): a native-scale tile reacts to one small motorbike, the
   * squeezed whole-region pass only to something its own scale could detect.
   */
  minChangedModelPx: number;
  /** A pass runs at the latest after this many frames, changed or not (0 = only on change). */
  maxAge: number;
  /** At most this many passes per frame once every pass has run once (0 = no limit): the stalest changed ones first. */
  maxPasses: number;
}

/** One luma mean per cell, row-major. */
export interface LumaThumb {
  data: Float32Array;
  cols: number;
  rows: number;
  cell: number;
}

/** The luma thumbnail of an RGB image: mean luma over each cell x cell block, sampled every second pixel each way. */
export function lumaThumb(image: RgbImage, cell: number): LumaThumb {
  const cols = Math.ceil(image.width / cell);
  const rows = Math.ceil(image.height / cell);
  const sum = new Float32Array(cols * rows);
  const count = new Uint16Array(cols * rows);
  const { data, width, height } = image;
  for (let y = 0; y < height; y += 2) {
    const rowBase = Math.floor(y / cell) * cols;
    for (let x = 0; x < width; x += 2) {
      const i = (y * width + x) * 3;
      const k = rowBase + Math.floor(x / cell);
      sum[k]! += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      count[k]!++;
    }
  }
  for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! / Math.max(1, count[k]!);
  return { data: sum, cols, rows, cell };
}

/** Image area (pixels) of the cells inside `region` whose luma moved by more than `pixelDelta` between the thumbnails. */
export function changedArea(before: LumaThumb, after: LumaThumb, region: Box, pixelDelta: number): number {
  if (before.cols !== after.cols || before.rows !== after.rows || before.cell !== after.cell) return Infinity;
  const c = after.cell;
  const c0 = Math.max(0, Math.floor(region[0] / c));
  const r0 = Math.max(0, Math.floor(region[1] / c));
  const c1 = Math.min(after.cols, Math.ceil(region[2] / c));
  const r1 = Math.min(after.rows, Math.ceil(region[3] / c));
  let cells = 0;
  for (let r = r0; r < r1; r++) {
    for (let k = r * after.cols + c0; k < r * after.cols + c1; k++) if (Math.abs(after.data[k]! - before.data[k]!) > pixelDelta) cells++;
  }
  return cells * c * c;
}

/** What one pass remembers: the thumbnail of the frame it last ran on, how many frames ago, and what it found. */
export interface PassState {
  thumb: LumaThumb;
  age: number;
  detections: Detection[];
}

/** Why a pass runs on this frame (or that it carries its boxes). */
export type PassDecision = 'first' | 'changed' | 'stale' | 'carried';

/**
 * Which passes run on this frame. A pass that never ran (or whose region moved) always runs; a pass whose region
 * changed by at least (minChangedModelPx / scale)² image pixels, or that is `maxAge` frames old, runs too, at most
 * `maxPasses` of those (the stalest first, then the most changed); every other pass carries its last boxes.
 * `scale` is the pass's model-input pixels per image pixel.
 */
export function choosePasses(
  passes: Array<{ state: PassState | undefined; changed: number; scale: number }>,
  opts: Pick<GatingOptions, 'minChangedModelPx' | 'maxAge' | 'maxPasses'>,
): PassDecision[] {
  const decisions: PassDecision[] = passes.map(({ state, changed, scale }) => {
    if (!state) return 'first';
    const side = opts.minChangedModelPx / scale;
    if (changed >= side * side) return 'changed';
    if (opts.maxAge > 0 && state.age + 1 >= opts.maxAge) return 'stale';
    return 'carried';
  });
  if (opts.maxPasses <= 0) return decisions;
  const wanted = passes
    .map((p, i) => ({ i, age: p.state?.age ?? 0, changed: p.changed }))
    .filter(({ i }) => decisions[i] === 'changed' || decisions[i] === 'stale')
    .sort((a, b) => b.age - a.age || b.changed - a.changed);
  const budget = Math.max(0, opts.maxPasses - decisions.filter((d) => d === 'first').length);
  for (const { i } of wanted.slice(budget)) decisions[i] = 'carried';
  return decisions;
}

const passKey = (p: Pass) => `${p.kind}:${p.region.map((v) => v.toFixed(1)).join(',')}`;

/**
 * One camera stream's memory of its passes. `plan` says which passes run on a frame; after running them,
 * `record` stores what they found, and `carried` gives the boxes of the passes that did not run.
 */
export class PassMemory {
  private states = new Map<string, PassState>();

  constructor(private readonly opts: GatingOptions) {}

  /** Decisions for this frame's passes (the thumbnail of the frame and each pass's model-input scale given). */
  plan(passes: Pass[], thumb: LumaThumb, scaleOf: (p: Pass) => number): PassDecision[] {
    const keys = new Set(passes.map(passKey));
    for (const k of this.states.keys()) if (!keys.has(k)) this.states.delete(k);
    return choosePasses(
      passes.map((p) => {
        const state = this.states.get(passKey(p));
        return { state, changed: state ? changedArea(state.thumb, thumb, p.region, this.opts.pixelDelta) : Infinity, scale: scaleOf(p) };
      }),
      this.opts,
    );
  }

  /** After a frame: passes that ran store their boxes and this frame's thumbnail; the others grow one frame older. */
  record(passes: Pass[], decisions: PassDecision[], thumb: LumaThumb, found: Map<number, Detection[]>): void {
    passes.forEach((p, i) => {
      const key = passKey(p);
      const state = this.states.get(key);
      if (decisions[i] !== 'carried') this.states.set(key, { thumb, age: 0, detections: found.get(i) ?? [] });
      else if (state) state.age++;
    });
  }

  /** The boxes pass `p` found when it last ran. */
  carried(p: Pass): Detection[] {
    return this.states.get(passKey(p))?.detections ?? [];
  }
}
