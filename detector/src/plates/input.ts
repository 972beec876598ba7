// The plate reader's input, built the same way at training and at inference time.
// A plate crop becomes one grey strip READER_HEIGHT x READER_WIDTH: a one-line plate is resized to
// the strip; a two-line plate is cut at mid-height and its two lines are laid side by side (first
// line left, second line right). The reader then reads one line of text left to right with CTC, and a
// character's time step tells which printed line it came from (steps < T/2: first line).
import type { Box, PlateLayout, RgbImage } from '@phatnguoi/core/contracts/detection';

export const READER_HEIGHT = 32;
export const READER_WIDTH = 128;
/** CTC time steps (the reader downsamples width by 4). */
export const READER_STEPS = READER_WIDTH / 4;
/** Output classes: the plate alphabet, then the CTC blank last. */
export const READER_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZĐ';
export const READER_BLANK = READER_ALPHABET.length;
export const READER_CLASSES = READER_ALPHABET.length + 1;

/** Samples grey (0–255) at a continuous source position. */
export type GreySampler = (x: number, y: number) => number;

/** Bilinear grey sampler over an RGB image (outside pixels clamp to the edge). */
export function rgbGreySampler(img: RgbImage): GreySampler {
  const { data, width, height } = img;
  const grey = new Float32Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) {
    grey[i] = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  }
  return (x, y) => {
    const fx = Math.min(Math.max(x - 0.5, 0), width - 1);
    const fy = Math.min(Math.max(y - 0.5, 0), height - 1);
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const x1 = Math.min(x0 + 1, width - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const ax = fx - x0;
    const ay = fy - y0;
    const top = grey[y0 * width + x0]! * (1 - ax) + grey[y0 * width + x1]! * ax;
    const bot = grey[y1 * width + x0]! * (1 - ax) + grey[y1 * width + x1]! * ax;
    return top * (1 - ay) + bot * ay;
  };
}

/**
 * Writes the reader input for the plate inside `box` (source pixels) into `out` at `offset`
 * (READER_HEIGHT * READER_WIDTH grey levels; call `standardise` before feeding the reader).
 * `split` is the fraction of the box height where a two-line plate's lines meet. `slope` (box heights per
 * box width) shears the sampling rows: a plate tilted or sheared by that slope comes out level.
 */
export function buildReaderInput(sample: GreySampler, box: Box, layout: PlateLayout, out: Float32Array, offset = 0, split = 0.5, slope = 0): void {
  const [x1, y1, x2, y2] = box;
  const bw = x2 - x1;
  const bh = y2 - y1;
  const src = sample;
  const at: GreySampler = slope === 0 ? src : (x, y) => src(x, y + slope * bh * ((x - x1) / bw - 0.5));
  const H = READER_HEIGHT;
  const W = READER_WIDTH;
  const half = W / 2;
  for (let oy = 0; oy < H; oy++) {
    for (let ox = 0; ox < W; ox++) {
      let sx: number;
      let sy: number;
      if (layout === 'one-line') {
        sx = x1 + ((ox + 0.5) / W) * bw;
        sy = y1 + ((oy + 0.5) / H) * bh;
      } else {
        const second = ox >= half;
        const lx = second ? ox - half : ox;
        sx = x1 + ((lx + 0.5) / half) * bw;
        const top = second ? y1 + split * bh : y1;
        const lh = second ? (1 - split) * bh : split * bh;
        sy = top + ((oy + 0.5) / H) * lh;
      }
      out[offset + oy * W + ox] = at(sx, sy);
    }
  }
}

export interface LineGeometry {
  /** Fraction of the box height where the two lines of a two-line plate meet (along the slope). */
  split: number;
  /** Tilt of the text lines, box heights per box width (buildReaderInput's `slope`). */
  slope: number;
}

const GEO_W = 48;
const GEO_H = 40;
const SLOPES = [-0.36, -0.27, -0.18, -0.12, -0.06, 0, 0.06, 0.12, 0.18, 0.27, 0.36];

/**
 * Where a plate's text lines run, from the horizontal-gradient profile of its rows: the tilt whose rows
 * give the most contrasted profile (level text rows and clean gaps), and for two-line plates the deepest
 * valley of that profile between 30 % and 70 % of the height (the gap between the lines), instead of a
 * fixed mid-height cut that is wrong when the top line sits low or the plate is sheared.
 */
export function estimateLineGeometry(sample: GreySampler, box: Box, layout: PlateLayout): LineGeometry {
  const [x1, y1, x2, y2] = box;
  const bw = x2 - x1;
  const bh = y2 - y1;
  // Horizontal gradient magnitude on a small grid, sampled with a margin above and below for the shear.
  const rows = GEO_H * 2;
  const grid = new Float32Array(rows * (GEO_W + 1));
  for (let r = 0; r < rows; r++) {
    const y = y1 + ((r + 0.5) / rows) * 2 * bh - bh / 2;
    for (let c = 0; c <= GEO_W; c++) grid[r * (GEO_W + 1) + c] = sample(x1 + (c / GEO_W) * bw, y);
  }
  const grad = new Float32Array(rows * GEO_W);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < GEO_W; c++) grad[r * GEO_W + c] = Math.abs(grid[r * (GEO_W + 1) + c + 1]! - grid[r * (GEO_W + 1) + c]!);
  }
  let best: { score: number; slope: number; profile: Float32Array } | null = null;
  for (const slope of SLOPES) {
    const profile = new Float32Array(GEO_H);
    for (let c = 0; c < GEO_W; c++) {
      // Row r of the box at this column sits `shift` grid rows lower (the grid covers -0.5..1.5 box heights).
      const shift = Math.round(slope * ((c + 0.5) / GEO_W - 0.5) * GEO_H) + GEO_H / 2;
      for (let r = 0; r < GEO_H; r++) {
        const rr = Math.min(rows - 1, Math.max(0, r + shift));
        profile[r]! += grad[rr * GEO_W + c]!;
      }
    }
    // Contrast of the profile: level text rows are all-ink or all-gap, a wrong tilt smears them.
    let mean = 0;
    for (const v of profile) mean += v;
    mean /= GEO_H;
    let varSum = 0;
    for (const v of profile) varSum += (v - mean) ** 2;
    const score = varSum / (mean * mean + 1e-6) - Math.abs(slope) * 0.05;
    if (!best || score > best.score) best = { score, slope, profile };
  }
  const { slope, profile } = best!;
  if (layout === 'one-line') return { split: 0.5, slope };
  // The gap: the smoothed row between 30 % and 70 % that dips deepest below the text on both sides of it
  // (a plain minimum would also find the empty margin above the first line of a loose box).
  const smooth = profile.map((_, r) => (profile[Math.max(0, r - 1)]! + 2 * profile[r]! + profile[Math.min(GEO_H - 1, r + 1)]!) / 4);
  const reach = Math.round(GEO_H * 0.35);
  let split = 0.5;
  let deepest = -Infinity;
  for (let r = Math.floor(GEO_H * 0.3); r <= Math.ceil(GEO_H * 0.7); r++) {
    let above = 0;
    let below = 0;
    for (let k = Math.max(0, r - reach); k < r; k++) above = Math.max(above, smooth[k]!);
    for (let k = r + 1; k <= Math.min(GEO_H - 1, r + reach); k++) below = Math.max(below, smooth[k]!);
    const depth = Math.min(above, below) - smooth[r]! - Math.abs((r + 0.5) / GEO_H - 0.5) * 1e-3;
    if (depth > deepest) {
      deepest = depth;
      split = (r + 0.5) / GEO_H;
    }
  }
  return { split, slope };
}

/** Zero mean, unit variance in place (makes the reader indifferent to exposure and night gain). */
export function standardise(buf: Float32Array, offset: number, n: number): void {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = buf[offset + i]!;
    sum += v;
    sq += v * v;
  }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(sq / n - mean * mean, 0)) + 4; // +4 grey levels: a flat crop stays flat
  for (let i = 0; i < n; i++) buf[offset + i] = (buf[offset + i]! - mean) / std;
}
