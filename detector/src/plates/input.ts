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
 * `split` is the fraction of the box height where a two-line plate's lines meet.
 */
export function buildReaderInput(
  sample: GreySampler,
  box: Box,
  layout: PlateLayout,
  out: Float32Array,
  offset = 0,
  split = 0.5,
): void {
  const [x1, y1, x2, y2] = box;
  const bw = x2 - x1;
  const bh = y2 - y1;
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
      out[offset + oy * W + ox] = sample(sx, sy);
    }
  }
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
