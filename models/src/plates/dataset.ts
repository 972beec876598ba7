// Synthetic plate-reader training data: plates rendered with sharp from the project's SVG renderer
// into a pool of grey rasters (refreshed as training goes, so texts keep changing), then every
// example is warped (perspective, rotation, loose or tight localiser box, vehicle background around
// the plate) and degraded (blur, low resolution, glare, dirt, night, noise) straight into the
// reader's 32x128 input. Rendering is the slow part (a few ms per plate); the warp is ~0.1 ms.
import sharp from 'sharp';
import type { Box, PlateLayout, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { createRng, generatePlate, type GeneratedPlate, type GenerateOptions, type Rng } from '@phatnguoi/core/plates/generate';
import { plateChars, plateLines } from '@phatnguoi/core/plates/format';
import { renderPlateSvg, type PlateTypeface } from '@phatnguoi/core/plates/render';
import { buildReaderInput, READER_ALPHABET, READER_HEIGHT, READER_WIDTH, standardise, type GreySampler } from '@phatnguoi/detector/plates/input';

export interface PlateRaster {
  plate: GeneratedPlate;
  grey: Float32Array;
  width: number;
  height: number;
  /** Label as reader class indices: first line's characters, then the second line's. */
  label: number[];
}

/** Base raster width per physical plate (a little above the reader's resolution). */
function rasterWidth(plate: GeneratedPlate): number {
  if (plate.layout === 'one-line') return 200;
  return /^\d{2}-/.test(plate.text) ? 100 : 130;
}

export function labelOf(text: string, layout: PlateLayout): number[] {
  return plateLines(text, layout)
    .flatMap((line) => [...plateChars(line)])
    .map((c) => {
      const i = READER_ALPHABET.indexOf(c);
      if (i < 0) throw new Error(`character ${c} not in the reader alphabet`);
      return i;
    });
}

/** Renders a plate to a grey raster `width` pixels wide; `blurSigma` > 0 blurs it at that size (camera softness). */
export async function renderPlateRaster(
  plate: GeneratedPlate,
  width = rasterWidth(plate),
  border = true,
  blurSigma = 0,
  typeface?: PlateTypeface,
): Promise<PlateRaster> {
  const r = renderPlateSvg(plate, { width, border, ...(typeface ? { typeface } : {}) });
  let img = sharp(Buffer.from(r.svg)).removeAlpha();
  if (blurSigma > 0) img = img.blur(Math.max(0.3, blurSigma));
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const grey = new Float32Array(info.width * info.height);
  for (let i = 0, p = 0; i < grey.length; i++, p += info.channels) {
    grey[i] = 0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!;
  }
  return { plate, grey, width: info.width, height: info.height, label: labelOf(plate.text, plate.layout) };
}

/** Solves the homography mapping 4 source points onto 4 destination points (returns 3x3 row-major). */
export function homography(src: [number, number][], dst: [number, number][]): number[] {
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [u, v] = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8x9 augmented matrix.
  for (let c = 0; c < 8; c++) {
    let piv = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    const d = A[c]![c]!;
    for (let k = c; k < 9; k++) A[c]![k]! /= d;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r]![c]!;
      if (f === 0) continue;
      for (let k = c; k < 9; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  return [...A.map((row) => row[8]!), 1];
}

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
}
const uni = (rng: Rng, a: number, b: number): number => a + (b - a) * rng();

/**
 * The real plate typeface with the variation seen on real plates: long one-line plates with wide, thin
 * glyphs; two-line plates a little narrower; now and then the older narrow bold font and its flat-topped 3.
 */
export function realTypeface(rng: Rng, layout: PlateLayout): PlateTypeface {
  // Short or long flag on the '1' (real plates show both; a short flag was read as '7' by a long-flag-only reader),
  // the older open '4', and characters spread across the line (old 4-digit numbers) on some plates.
  const variants = { oneFlag: rng(), openFour: rng() < 0.3, spacing: layout === 'two-line' && rng() < 0.4 ? rng() : 0 };
  if (rng() < 0.15) return { kind: 'stroke', stroke: uni(rng, 0.15, 0.17), width: uni(rng, 0.72, 0.8), flatThree: rng() < 0.6, ...variants };
  if (layout === 'one-line') return { kind: 'stroke', stroke: uni(rng, 0.08, 0.13), width: uni(rng, 0.8, 0.98), flatThree: rng() < 0.1, ...variants };
  // Two-line plates: motorbike plates often have narrow glyphs with wide gaps (width down to ~0.6 of the cell).
  return { kind: 'stroke', stroke: uni(rng, 0.1, 0.15), width: uni(rng, 0.6, 0.92), flatThree: rng() < 0.25, ...variants };
}

export interface AugmentStrength {
  /** 0 = clean crops (evaluation of the clean case), 1 = full training augmentation. */
  level: number;
}

/**
 * Writes one augmented example of `raster` into `out` at `offset` (standardised reader input).
 * Returns nothing: the label is the raster's.
 */
export function synthesiseExample(raster: PlateRaster, rng: Rng, out: Float32Array, offset: number, level = 1, tilt = 1): void {
  const { width: pw, height: ph, grey } = raster;
  // Plate corners in a scene where the plate sits at (0,0)-(pw,ph), perturbed for perspective and rotation.
  // `tilt` scales rotation and shear (real plates on motorbikes hang at angles of 10° and more).
  const rot = gauss(rng) * 0.05 * level * tilt;
  const persp = 0.07 * level;
  const cx = pw / 2;
  const cy = ph / 2;
  const shearX = gauss(rng) * 0.08 * level * tilt;
  const corners: [number, number][] = (
    [
      [0, 0],
      [pw, 0],
      [pw, ph],
      [0, ph],
    ] as [number, number][]
  ).map(([x, y]) => {
    const jx = x + uni(rng, -persp, persp) * pw + shearX * (y - cy);
    const jy = y + uni(rng, -persp, persp) * ph;
    const dx = jx - cx;
    const dy = jy - cy;
    return [cx + dx * Math.cos(rot) - dy * Math.sin(rot), cy + dx * Math.sin(rot) + dy * Math.cos(rot)];
  });
  // Scene → plate mapping (inverse warp).
  const h = homography(corners, [
    [0, 0],
    [pw, 0],
    [pw, ph],
    [0, ph],
  ]);
  // The localiser's box: the quad's bounds, loosened or tightened a little on each side.
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const bx1 = Math.min(...xs);
  const bx2 = Math.max(...xs);
  const by1 = Math.min(...ys);
  const by2 = Math.max(...ys);
  const bw = bx2 - bx1;
  const bh = by2 - by1;
  const jit = 0.06 * level;
  const box: Box = [
    bx1 + uni(rng, -jit - 0.03 * level, jit + 0.03 * level) * bw,
    by1 + uni(rng, -jit - 0.04 * level, jit) * bh,
    bx2 + uni(rng, -jit - 0.03 * level, jit + 0.03 * level) * bw,
    by2 + uni(rng, -jit, jit + 0.04 * level) * bh,
  ];
  // Background around the plate: a vehicle body (any grey level) with a gradient and speckle.
  const bg = uni(rng, 10, 240);
  const bgGrad = uni(rng, -1, 1);
  const sample: GreySampler = (x, y) => {
    const w = h[6]! * x + h[7]! * y + 1;
    const u = (h[0]! * x + h[1]! * y + h[2]!) / w;
    const v = (h[3]! * x + h[4]! * y + h[5]!) / w;
    if (u < 0 || v < 0 || u >= pw - 1 || v >= ph - 1) return bg + bgGrad * (y - cy) + ((x * 7.3 + y * 13.1) % 9);
    const u0 = Math.floor(u);
    const v0 = Math.floor(v);
    const au = u - u0;
    const av = v - v0;
    const i = v0 * pw + u0;
    return (grey[i]! * (1 - au) + grey[i + 1]! * au) * (1 - av) + (grey[i + pw]! * (1 - au) + grey[i + pw + 1]! * au) * av;
  };
  buildReaderInput(sample, box, raster.plate.layout, out, offset, 0.5 + gauss(rng) * 0.02 * level * tilt);
  degrade(out, offset, rng, level);
  standardise(out, offset, READER_HEIGHT * READER_WIDTH);
}

/** A crop with no plate in it (vehicle body, grille, road): the reader must learn to say nothing. */
export function synthesiseNegative(rng: Rng, out: Float32Array, offset: number): void {
  const W = READER_WIDTH;
  const H = READER_HEIGHT;
  const base = uni(rng, 0, 255);
  const gx = uni(rng, -2, 2);
  const gy = uni(rng, -4, 4);
  const stripes = rng() < 0.5 ? uni(rng, 3, 14) : 0; // grille-like bars
  const stripeAmp = uni(rng, 10, 90);
  const verticalBars = rng() < 0.5;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = base + gx * (x - W / 2) + gy * (y - H / 2);
      if (stripes) v += Math.sin((verticalBars ? x : y) * (6.28 / stripes)) * stripeAmp;
      out[offset + y * W + x] = v;
    }
  }
  // A few blobs and edges.
  const blobs = Math.floor(uni(rng, 0, 5));
  for (let b = 0; b < blobs; b++) {
    const bx = uni(rng, 0, W);
    const by = uni(rng, 0, H);
    const r = uni(rng, 2, 20);
    const a = uni(rng, -120, 120);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = ((x - bx) ** 2 + (y - by) ** 2) / (r * r);
        if (d < 1) out[offset + y * W + x]! += a * (1 - d);
      }
    }
  }
  degrade(out, offset, rng, 1);
  standardise(out, offset, H * W);
}

function boxBlur(buf: Float32Array, offset: number, r: number, horizontal: boolean, vertical: boolean): void {
  const W = READER_WIDTH;
  const H = READER_HEIGHT;
  const tmp = new Float32Array(W * H);
  if (horizontal) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        let n = 0;
        for (let k = -r; k <= r; k++) {
          const xx = x + k;
          if (xx < 0 || xx >= W) continue;
          s += buf[offset + y * W + xx]!;
          n++;
        }
        tmp[y * W + x] = s / n;
      }
    }
    buf.set(tmp, offset);
  }
  if (vertical) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        let n = 0;
        for (let k = -r; k <= r; k++) {
          const yy = y + k;
          if (yy < 0 || yy >= H) continue;
          s += buf[offset + yy * W + x]!;
          n++;
        }
        tmp[y * W + x] = s / n;
      }
    }
    buf.set(tmp, offset);
  }
}

/** Resolution loss: average-down by `f`, then bilinear back up. */
function lowRes(buf: Float32Array, offset: number, f: number): void {
  const W = READER_WIDTH;
  const H = READER_HEIGHT;
  const sw = Math.max(8, Math.round(W / f));
  const sh = Math.max(4, Math.round(H / f));
  const small = new Float32Array(sw * sh);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      let s = 0;
      let n = 0;
      for (let yy = Math.floor((y * H) / sh); yy < Math.floor(((y + 1) * H) / sh); yy++) {
        for (let xx = Math.floor((x * W) / sw); xx < Math.floor(((x + 1) * W) / sw); xx++) {
          s += buf[offset + yy * W + xx]!;
          n++;
        }
      }
      small[y * sw + x] = n ? s / n : 0;
    }
  }
  for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max(((y + 0.5) * sh) / H - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const ay = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max(((x + 0.5) * sw) / W - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const ax = fx - x0;
      buf[offset + y * W + x] =
        (small[y0 * sw + x0]! * (1 - ax) + small[y0 * sw + x1]! * ax) * (1 - ay) + (small[y1 * sw + x0]! * (1 - ax) + small[y1 * sw + x1]! * ax) * ay;
    }
  }
}

/** Photometric damage in the reader's own resolution: glare, dirt, blur, low resolution, night, noise. */
function degrade(buf: Float32Array, offset: number, rng: Rng, level: number): void {
  const W = READER_WIDTH;
  const H = READER_HEIGHT;
  const n = W * H;
  if (level <= 0) return;
  // Dirt: dark smudges.
  if (rng() < 0.3 * level) {
    const count = 1 + Math.floor(rng() * 4);
    for (let k = 0; k < count; k++) {
      const bx = uni(rng, 0, W);
      const by = uni(rng, 0, H);
      const rx = uni(rng, 2, 10);
      const ry = uni(rng, 1.5, 6);
      const a = uni(rng, 0.2, 0.6);
      const tone = uni(rng, 30, 110);
      for (let y = Math.max(0, Math.floor(by - ry)); y < Math.min(H, by + ry); y++) {
        for (let x = Math.max(0, Math.floor(bx - rx)); x < Math.min(W, bx + rx); x++) {
          const d = ((x - bx) / rx) ** 2 + ((y - by) / ry) ** 2;
          if (d < 1) {
            const i = offset + y * W + x;
            buf[i] = buf[i]! * (1 - a * (1 - d)) + tone * a * (1 - d);
          }
        }
      }
    }
  }
  // Glare: a bright soft spot (headlights, sun on the plate).
  if (rng() < 0.25 * level) {
    const gx = uni(rng, 0, W);
    const gy = uni(rng, 0, H);
    const r = uni(rng, 6, 40);
    const a = uni(rng, 60, 220);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = ((x - gx) ** 2 + (y - gy) ** 2) / (r * r);
        buf[offset + y * W + x]! += a * Math.exp(-d);
      }
    }
  }
  // Focus / motion blur.
  const blur = rng();
  if (blur < 0.25 * level) boxBlur(buf, offset, 1, true, true);
  else if (blur < 0.35 * level) boxBlur(buf, offset, 2, true, rng() < 0.5);
  // Low resolution (distant vehicles): down by up to 3x.
  if (rng() < 0.4 * level) lowRes(buf, offset, uni(rng, 1.3, 3));
  // Exposure: night (dark, low contrast, noisy) or day variation.
  const night = rng() < 0.25 * level;
  const gain = night ? uni(rng, 0.12, 0.45) : uni(rng, 0.6, 1.2);
  const bias = night ? uni(rng, 0, 20) : uni(rng, -30, 30);
  const sigma = (night ? uni(rng, 3, 10) : uni(rng, 0, 6)) * level;
  for (let i = 0; i < n; i++) {
    const v = buf[offset + i]! * gain + bias + gauss(rng) * sigma;
    buf[offset + i] = Math.min(255, Math.max(0, v));
  }
}

export interface PlatePoolOptions {
  seed: number;
  size: number;
  generate?: GenerateOptions;
  /**
   * Share of plates rendered small, as a distant vehicle's plate is in a vehicle crop (0.3–0.7x the base
   * width, half of them blurred σ 0.5–1.5 px at that size); the reader then sees them upsampled. Default 0.
   */
  distantRate?: number;
  /**
   * Share of plates drawn as square two-line car/truck/bus plates (the rarest and hardest layout end to
   * end; ~10 % of the default mix). Default 0: the default mix only.
   */
  squareRate?: number;
  /**
   * Share of plates drawn in the real plate typeface (realTypeface: stroke glyphs, '1' with a long flag and
   * no foot, wide thin one-line glyphs, the old narrow bold font); the rest in DejaVu. Default 0 (no draw).
   */
  realRate?: number;
}

const SQUARE_CLASSES: VehicleClass[] = ['truck', 'car', 'bus'];

/** A pool of rendered plates; `refresh(k)` replaces k random entries with new plates. */
export class PlatePool {
  readonly rasters: PlateRaster[] = [];
  private readonly rng: Rng;
  constructor(private readonly opts: PlatePoolOptions) {
    this.rng = createRng(opts.seed);
  }

  private async one(): Promise<PlateRaster> {
    // No draw when the option is off, so pools without it stay as they were.
    const squareRate = this.opts.squareRate ?? 0;
    const square = squareRate > 0 && this.rng() < squareRate;
    const plate = generatePlate(
      this.rng,
      square
        ? { ...this.opts.generate, layout: 'two-line', vehicleClass: SQUARE_CLASSES[Math.floor(this.rng() * SQUARE_CLASSES.length)]! }
        : (this.opts.generate ?? {}),
    );
    const realRate = this.opts.realRate ?? 0;
    const typeface = realRate > 0 && this.rng() < realRate ? realTypeface(this.rng, plate.layout) : undefined;
    // Raster width varies a little so stroke widths vary after resampling.
    const base = rasterWidth(plate);
    if (this.rng() < (this.opts.distantRate ?? 0)) {
      const blur = this.rng() < 0.5 ? uni(this.rng, 0.5, 1.5) : 0;
      return renderPlateRaster(plate, Math.round(base * uni(this.rng, 0.3, 0.7)), true, blur, typeface);
    }
    return renderPlateRaster(plate, Math.round(base * uni(this.rng, 0.8, 1.25)), this.rng() < 0.9, 0, typeface);
  }

  async fill(onProgress?: (done: number, total: number) => void): Promise<void> {
    while (this.rasters.length < this.opts.size) {
      const batch = await Promise.all(Array.from({ length: Math.min(16, this.opts.size - this.rasters.length) }, () => this.one()));
      this.rasters.push(...batch);
      onProgress?.(this.rasters.length, this.opts.size);
    }
  }

  async refresh(k: number): Promise<void> {
    for (let i = 0; i < k; i++) {
      const r = await this.one();
      this.rasters[Math.floor(this.rng() * this.rasters.length)] = r;
    }
  }

  sample(rng: Rng): PlateRaster {
    return this.rasters[Math.floor(rng() * this.rasters.length)]!;
  }
}

export interface Batch {
  xs: Float32Array; // [B, H, W, 1]
  labels: number[][];
}

/**
 * A training batch; `negativeRate` of the examples are non-plate crops with an empty label. `tilt` scales
 * rotation, shear and line-cut jitter (1 = as before; real plates need more).
 */
export function makeBatch(pool: PlatePool, rng: Rng, size: number, negativeRate = 0.05, level = 1, tilt = 1): Batch {
  const per = READER_HEIGHT * READER_WIDTH;
  const xs = new Float32Array(size * per);
  const labels: number[][] = [];
  for (let b = 0; b < size; b++) {
    if (rng() < negativeRate) {
      synthesiseNegative(rng, xs, b * per);
      labels.push([]);
    } else {
      const r = pool.sample(rng);
      synthesiseExample(r, rng, xs, b * per, level, tilt);
      labels.push(r.label);
    }
  }
  return { xs, labels };
}
