// Plate localisation inside a vehicle crop, classical: a plate is the place where dense, short
// vertical strokes (characters) sit in a compact horizontal band on a flat background. We score
// vertical-edge density, keep compact plate-shaped blobs, and hand the reader the few best boxes.
// A blob's box is refined to the raw edges inside it (the density window alone left boxes ~15 % too
// wide per side on two-line plates, which the reader then cut wrongly), with a few alternative boxes
// per blob. The reader is the verifier (a box whose read fails format validation is dropped), so a
// loose candidate list costs only reader time, never a wrong plate.
import type { Box, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';

export interface PlateCandidate {
  box: Box;
  /** Other boxes for the same plate; the reader reads them too and votes across the format-valid reads. */
  alternatives: Box[];
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
      out[y * w + x] = (ii[yb * (w + 1) + xb]! - ii[ya * (w + 1) + xb]! - ii[yb * (w + 1) + xa]! + ii[ya * (w + 1) + xa]!) / ((xb - xa) * (yb - ya));
    }
  }
  return out;
}

/**
 * Bounds of the raw edge pixels of one component (label `id`, bounding box x1..x2, y1..y2), trimmed
 * by 3 % of the edge pixels at each end: the density window dilates a component by its radius, the
 * edges themselves stop at the plate's outline (or at its text where the plate does not contrast with
 * the body).
 */
function edgeBounds(
  edges: Float32Array,
  label: Int32Array,
  id: number,
  W: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): [number, number, number, number] {
  const cols = new Float64Array(x2 - x1 + 1);
  const rows = new Float64Array(y2 - y1 + 1);
  let total = 0;
  for (let y = y1; y <= y2; y++) {
    for (let x = x1; x <= x2; x++) {
      const i = y * W + x;
      if (label[i] !== id || !edges[i]) continue;
      cols[x - x1]!++;
      rows[y - y1]!++;
      total++;
    }
  }
  const trim = (counts: Float64Array): [number, number] => {
    const cut = total * 0.03;
    let lo = 0;
    for (let acc = counts[0]!; acc <= cut && lo < counts.length - 1; acc += counts[++lo]!);
    let hi = counts.length - 1;
    for (let acc = counts[hi]!; acc <= cut && hi > lo; acc += counts[--hi]!);
    return [lo, hi];
  };
  if (total === 0) return [x1, y1, x2, y2];
  const [cx1, cx2] = trim(cols);
  const [ry1, ry2] = trim(rows);
  return [x1 + cx1, y1 + ry1, x1 + cx2, y1 + ry2];
}

/** `box` grown by `dx` of its width on the left and right and by `dy` of its height above and below. */
function grow(box: Box, dx: number, dy: number): Box {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  return [box[0] - dx * w, box[1] - dy * h, box[2] + dx * w, box[3] + dy * h];
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
  const moto = vehicleClass === 'motorbike' || vehicleClass === 'bicycle';
  const bands = moto ? [0.05, 0.08, 0.12] : [0.03, 0.05, 0.08];
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
      // Side edges of the plate are vertical strokes, its top and bottom edges are not: the edge rows
      // stop a little inside the plate, so the box grows vertically. Where the plate does not contrast
      // with the body the edges stop at the text, whose margin to the border the wider variant adds.
      const [ex1, ey1, ex2, ey2] = edgeBounds(edges, label, start, W, x1, y1, x2, y2);
      const th = ey2 - ey1 + 1;
      const toCrop = (bx1: number, by1: number, bx2: number, by2: number): Box => [
        Math.max(0, bx1 / scale),
        Math.max(0, by1 / scale),
        Math.min(img.width, bx2 / scale),
        Math.min(img.height, by2 / scale),
      ];
      const by1 = ey1 - th * 0.12;
      const by2 = ey2 + 1 + th * 0.09;
      const box = toCrop(ex1 - 0.5, by1, ex2 + 1.5, by2);
      const margin = (ex2 - ex1 + 1) * 0.1;
      const wider = toCrop(ex1 - margin, by1, ex2 + 1 + margin, by2);
      // The component's own bounds, padded: a plate whose text splits into several components (wide
      // gaps at '-' and '.') is better served by the dilated bounds than by the edges of one piece.
      const padX = bw * (aspect > 2.5 ? 0.08 : 0.03) + rx * 0.2;
      const padY = bh * 0.06 + ry * 0.2;
      const dilated = toCrop(x1 - padX, y1 - padY, x2 + 1 + padX, y2 + 1 + padY);
      const alternatives = [wider, dilated];
      // Square car/truck plates are small (two lines of ~12 px): a few nudged boxes give the reader
      // more looks at them, and the vote across boxes outweighs one box's misread.
      const boxAspect = (box[2] - box[0]) / (box[3] - box[1]);
      if (!moto && boxAspect <= 2.6) alternatives.push(...[-0.05, 0.05].flatMap((d) => [grow(box, d, 0), grow(box, 0, d)]));
      results.push({ box, alternatives, score, aspect: boxAspect });
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
