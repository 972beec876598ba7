// Tiny software rasteriser over an RGB buffer: convex polygons, circles, textured quads (affine), overlays.
// Every draw also stamps an object id into `ids` so occlusion can be measured on what was really drawn.

export interface Canvas {
  width: number;
  height: number;
  /** RGB, row-major, 3 bytes per pixel. */
  data: Uint8Array;
  /** Object index per pixel (-1 background, -2 static foreground). */
  ids: Int16Array;
}

export interface Sprite {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Uint8Array;
}

export type Rgb = [number, number, number];

export function createCanvas(width: number, height: number, background?: Uint8Array): Canvas {
  const data = new Uint8Array(width * height * 3);
  if (background) data.set(background);
  const ids = new Int16Array(width * height).fill(-1);
  return { width, height, data, ids };
}

export function hexToRgb(hex: string): Rgb {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

export function shade(c: Rgb, f: number): Rgb {
  return [Math.min(255, c[0] * f), Math.min(255, c[1] * f), Math.min(255, c[2] * f)];
}

/** Fill a convex polygon (pixel centres inside are painted). Returns the number of pixels written. */
export function fillConvex(cv: Canvas, pts: { u: number; v: number }[], rgb: Rgb, alpha = 1, id = -1): number {
  let minV = Infinity;
  let maxV = -Infinity;
  for (const p of pts) {
    if (p.v < minV) minV = p.v;
    if (p.v > maxV) maxV = p.v;
  }
  const y0 = Math.max(0, Math.ceil(minV - 0.5));
  const y1 = Math.min(cv.height - 1, Math.floor(maxV - 0.5));
  const n = pts.length;
  let count = 0;
  const a = alpha;
  const ia = 1 - a;
  for (let y = y0; y <= y1; y++) {
    const yc = y + 0.5;
    let xl = Infinity;
    let xr = -Infinity;
    for (let i = 0; i < n; i++) {
      const p = pts[i]!;
      const q = pts[(i + 1) % n]!;
      if ((p.v <= yc && q.v > yc) || (q.v <= yc && p.v > yc)) {
        const x = p.u + ((yc - p.v) / (q.v - p.v)) * (q.u - p.u);
        if (x < xl) xl = x;
        if (x > xr) xr = x;
      }
    }
    if (xl > xr) continue;
    const xa = Math.max(0, Math.ceil(xl - 0.5));
    const xb = Math.min(cv.width - 1, Math.floor(xr - 0.5));
    let o = (y * cv.width + xa) * 3;
    for (let x = xa; x <= xb; x++, o += 3) {
      if (a >= 1) {
        cv.data[o] = rgb[0];
        cv.data[o + 1] = rgb[1];
        cv.data[o + 2] = rgb[2];
      } else {
        cv.data[o] = cv.data[o]! * ia + rgb[0] * a;
        cv.data[o + 1] = cv.data[o + 1]! * ia + rgb[1] * a;
        cv.data[o + 2] = cv.data[o + 2]! * ia + rgb[2] * a;
      }
      if (id !== -1 && a >= 0.5) cv.ids[y * cv.width + x] = id;
      count++;
    }
  }
  return count;
}

export function fillCircle(cv: Canvas, cx: number, cy: number, r: number, rgb: Rgb, alpha = 1): void {
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(cv.height - 1, Math.ceil(cy + r));
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(cv.width - 1, Math.ceil(cx + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      // one pixel of soft edge
      const cov = Math.max(0, Math.min(1, r - d + 0.5)) * alpha;
      if (cov <= 0) continue;
      const o = (y * cv.width + x) * 3;
      cv.data[o] = cv.data[o]! * (1 - cov) + rgb[0] * cov;
      cv.data[o + 1] = cv.data[o + 1]! * (1 - cov) + rgb[1] * cov;
      cv.data[o + 2] = cv.data[o + 2]! * (1 - cov) + rgb[2] * cov;
    }
  }
}

/** Additive glow (halo) around a lamp. */
export function glow(cv: Canvas, cx: number, cy: number, r: number, rgb: Rgb, strength: number): void {
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(cv.height - 1, Math.ceil(cy + r));
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(cv.width - 1, Math.ceil(cx + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / r;
      if (d >= 1) continue;
      const k = strength * (1 - d) * (1 - d);
      const o = (y * cv.width + x) * 3;
      cv.data[o] = Math.min(255, cv.data[o]! + rgb[0] * k);
      cv.data[o + 1] = Math.min(255, cv.data[o + 1]! + rgb[1] * k);
      cv.data[o + 2] = Math.min(255, cv.data[o + 2]! + rgb[2] * k);
    }
  }
}

/**
 * Draw a sprite onto a quad [topLeft, topRight, bottomRight, bottomLeft] with an affine map (exact for
 * parallelograms, close for the near-rectangles of vehicle faces). Bilinear sampling, alpha blended.
 * Returns the number of pixels covered at alpha >= 0.5.
 */
export function drawSpriteQuad(cv: Canvas, sp: Sprite, quad: { u: number; v: number }[], alpha = 1, id = -1): number {
  const [tl, tr, br, bl] = quad as [{ u: number; v: number }, { u: number; v: number }, { u: number; v: number }, { u: number; v: number }];
  // Average the opposite edges so a trapezoid maps without gaps.
  const ox = tl.u;
  const oy = tl.v;
  const ax = (tr.u - tl.u + br.u - bl.u) / 2;
  const ay = (tr.v - tl.v + br.v - bl.v) / 2;
  const bx = (bl.u - tl.u + br.u - tr.u) / 2;
  const by = (bl.v - tl.v + br.v - tr.v) / 2;
  const det = ax * by - ay * bx;
  if (Math.abs(det) < 1e-6) return 0;
  const us = [tl.u, tr.u, br.u, bl.u, ox + ax + bx];
  const vs = [tl.v, tr.v, br.v, bl.v, oy + ay + by];
  const x0 = Math.max(0, Math.floor(Math.min(...us)));
  const x1 = Math.min(cv.width - 1, Math.ceil(Math.max(...us)));
  const y0 = Math.max(0, Math.floor(Math.min(...vs)));
  const y1 = Math.min(cv.height - 1, Math.ceil(Math.max(...vs)));
  const sw = sp.width;
  const sh = sp.height;
  const sd = sp.data;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5 - oy;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - ox;
      const a = (px * by - py * bx) / det;
      const b = (ax * py - ay * px) / det;
      if (a < 0 || a >= 1 || b < 0 || b >= 1) continue;
      const fx = a * sw - 0.5;
      const fy = b * sh - 0.5;
      const ix = Math.max(0, Math.min(sw - 2, Math.floor(fx)));
      const iy = Math.max(0, Math.min(sh - 2, Math.floor(fy)));
      const dx = Math.max(0, Math.min(1, fx - ix));
      const dy = Math.max(0, Math.min(1, fy - iy));
      const i00 = (iy * sw + ix) * 4;
      const i10 = i00 + 4;
      const i01 = i00 + sw * 4;
      const i11 = i01 + 4;
      const w00 = (1 - dx) * (1 - dy);
      const w10 = dx * (1 - dy);
      const w01 = (1 - dx) * dy;
      const w11 = dx * dy;
      const sa = (sd[i00 + 3]! * w00 + sd[i10 + 3]! * w10 + sd[i01 + 3]! * w01 + sd[i11 + 3]! * w11) / 255;
      if (sa <= 0.01) continue;
      // premultiplied-style average of colour weighted by alpha keeps edges clean
      const wa00 = w00 * sd[i00 + 3]!;
      const wa10 = w10 * sd[i10 + 3]!;
      const wa01 = w01 * sd[i01 + 3]!;
      const wa11 = w11 * sd[i11 + 3]!;
      const wsum = wa00 + wa10 + wa01 + wa11;
      const o = (y * cv.width + x) * 3;
      const k = sa * alpha;
      for (let c = 0; c < 3; c++) {
        const col = (sd[i00 + c]! * wa00 + sd[i10 + c]! * wa10 + sd[i01 + c]! * wa01 + sd[i11 + c]! * wa11) / wsum;
        cv.data[o + c] = cv.data[o + c]! * (1 - k) + col * k;
      }
      if (k >= 0.5) {
        if (id !== -1) cv.ids[y * cv.width + x] = id;
        count++;
      }
    }
  }
  return count;
}

/** Composite a full-frame RGBA overlay (static foreground), marking its opaque pixels as id -2. */
export function overlay(cv: Canvas, rgba: Uint8Array): void {
  const n = cv.width * cv.height;
  for (let i = 0; i < n; i++) {
    const a = rgba[i * 4 + 3]!;
    if (a === 0) continue;
    const k = a / 255;
    const o = i * 3;
    cv.data[o] = cv.data[o]! * (1 - k) + rgba[i * 4]! * k;
    cv.data[o + 1] = cv.data[o + 1]! * (1 - k) + rgba[i * 4 + 1]! * k;
    cv.data[o + 2] = cv.data[o + 2]! * (1 - k) + rgba[i * 4 + 2]! * k;
    if (a >= 128) cv.ids[i] = -2;
  }
}
