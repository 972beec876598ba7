// Plate localisation inside a vehicle crop, classical: a plate is the place where dense, short
// vertical strokes (characters) sit in a compact horizontal band on a flat background. We score
// vertical-edge density, keep compact plate-shaped blobs, and hand the reader the few best boxes;
// the reader is the verifier (a box whose read fails format validation is dropped), so a loose
// candidate list costs only reader time, never a wrong plate.
import type { Box, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';

export interface PlateCandidate {
  box: Box;
  score: number;
  /** Width / height of the box: > ~3 is a one-line plate, below it a two-line plate. */
  aspect: number;
}

export interface LocaliseOptions {
  /** Working width in pixels (the crop is resampled to it); default 160. */
  workWidth?: number;
  maxCandidates?: number;
}

function greyResized(img: RgbImage, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  const sx = img.width / w;
  const sy = img.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let s = 0;
      let n = 0;
      for (let yy = y0; yy < Math.min(y1, img.height); yy++) {
        for (let xx = x0; xx < Math.min(x1, img.width); xx++) {
          const p = (yy * img.width + xx) * 3;
          s += 0.299 * img.data[p]! + 0.587 * img.data[p + 1]! + 0.114 * img.data[p + 2]!;
          n++;
        }
      }
      out[y * w + x] = n ? s / n : 0;
    }
  }
  return out;
}

/** Sum over a (2rx+1)x(2ry+1) window, via an integral image. */
function boxSum(src: Float32Array, w: number, h: number, rx: number, ry: number): Float32Array {
  const ii = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x]!;
      ii[(y + 1) * (w + 1) + x + 1] = ii[y * (w + 1) + x + 1]! + row;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const ya = Math.max(0, y - ry);
    const yb = Math.min(h, y + ry + 1);
    for (let x = 0; x < w; x++) {
      const xa = Math.max(0, x - rx);
      const xb = Math.min(w, x + rx + 1);
      out[y * w + x] =
        (ii[yb * (w + 1) + xb]! - ii[ya * (w + 1) + xb]! - ii[yb * (w + 1) + xa]! + ii[ya * (w + 1) + xa]!) /
        ((xb - xa) * (yb - ya));
    }
  }
  return out;
}

/** Candidate plate boxes in the crop's pixels, best first. */
export function localisePlates(img: RgbImage, vehicleClass: VehicleClass, opts: LocaliseOptions = {}): PlateCandidate[] {
  if (img.width < 8 || img.height < 8) return [];
  const W = Math.min(opts.workWidth ?? 160, img.width * 2);
  const scale = W / img.width;
  const H = Math.max(8, Math.round(img.height * scale));
  const grey = greyResized(img, W, H);

  // Vertical strokes: horizontal gradient magnitude, thresholded against the crop's own statistics.
  const grad = new Float32Array(W * H);
  let sum = 0;
  let sq = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 1; x < W - 1; x++) {
      const g = Math.abs(grey[y * W + x + 1]! - grey[y * W + x - 1]!);
      grad[y * W + x] = g;
      sum += g;
      sq += g * g;
    }
  }
  const n = W * H;
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sq / n - mean * mean));
  const thr = Math.max(18, mean + 1.0 * std);
  const edges = new Float32Array(n);
  for (let i = 0; i < n; i++) edges[i] = grad[i]! > thr ? 1 : 0;

  const results: PlateCandidate[] = [];
  // Plates at several sizes: the character band height relative to the crop differs between a
  // motorbike (plate is large) and a truck (plate is small).
  const bands = vehicleClass === 'motorbike' || vehicleClass === 'bicycle' ? [0.05, 0.08, 0.12] : [0.03, 0.05, 0.08];
  for (const band of bands) {
    const ry = Math.max(1, Math.round(H * band * 0.5));
    const rx = Math.max(2, Math.round(ry * 2));
    const density = boxSum(edges, W, H, rx, ry);
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = density[i]! > 0.22 ? 1 : 0;
    // Connected components (4-neighbour) with their bounds and mean density.
    const label = new Int32Array(n).fill(-1);
    const stack: number[] = [];
    for (let start = 0; start < n; start++) {
      if (!mask[start] || label[start]! >= 0) continue;
      let x1 = W;
      let y1 = H;
      let x2 = 0;
      let y2 = 0;
      let area = 0;
      let dens = 0;
      stack.push(start);
      label[start] = start;
      while (stack.length) {
        const i = stack.pop()!;
        const x = i % W;
        const y = (i - x) / W;
        area++;
        dens += density[i]!;
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
        for (const j of [i - 1, i + 1, i - W, i + W]) {
          if (j < 0 || j >= n) continue;
          if ((j === i - 1 && x === 0) || (j === i + 1 && x === W - 1)) continue;
          if (mask[j] && label[j]! < 0) {
            label[j] = start;
            stack.push(j);
          }
        }
      }
      const bw = x2 - x1 + 1;
      const bh = y2 - y1 + 1;
      if (bw < 6 || bh < 3 || area < 20) continue;
      const aspect = bw / bh;
      if (aspect < 0.8 || aspect > 9) continue;
      const fill = area / (bw * bh);
      const cxRel = (x1 + x2) / 2 / W;
      const cyRel = (y1 + y2) / 2 / H;
      // Plates are centred left-right and sit low on the vehicle; whole-crop blobs are not plates.
      const position = (1 - Math.abs(cxRel - 0.5)) * (0.6 + 0.4 * cyRel);
      const sizePenalty = bw * bh > 0.35 * n ? 0.3 : 1;
      const score = (dens / area) * fill * position * sizePenalty;
      // The edge band covers the characters; the plate reaches a little beyond them.
      // Wide bands are one-line plates, whose printed text leaves a wider margin to the border.
      const padX = bw * (aspect > 2.5 ? 0.08 : 0.03) + rx * 0.2;
      const padY = bh * 0.06 + ry * 0.2;
      const box: Box = [
        Math.max(0, (x1 - padX) / scale),
        Math.max(0, (y1 - padY) / scale),
        Math.min(img.width, (x2 + 1 + padX) / scale),
        Math.min(img.height, (y2 + 1 + padY) / scale),
      ];
      results.push({ box, score, aspect: (box[2] - box[0]) / (box[3] - box[1]) });
    }
  }
  results.sort((a, b) => b.score - a.score);
  // Drop near-duplicates (same plate found at two band sizes).
  const kept: PlateCandidate[] = [];
  for (const c of results) {
    if (kept.some((k) => iou(k.box, c.box) > 0.6)) continue;
    kept.push(c);
    if (kept.length >= (opts.maxCandidates ?? 4)) break;
  }
  return kept;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}
