// Pixel conversion between the ring's frame format (raw I420) and the packed RGB the detector, plate reader,
// evidence stills and snapshots work on.
import { frameBytes, type RawFrame } from './frames';

/**
 * I420 (limited range, BT.601) to packed RGB, full resolution: what the detector, plate reader and
 * evidence stills work on. `out` (width * height * 3 bytes) is reused when given.
 */
export function i420ToRgb(frame: Pick<RawFrame, 'width' | 'height' | 'data'>, out?: Uint8Array): Uint8Array {
  const { width: w, height: h, data } = frame;
  if (data.length < frameBytes(w, h)) throw new Error(`I420 frame ${w}x${h} needs ${frameBytes(w, h)} bytes, got ${data.length}`);
  const cw = Math.ceil(w / 2);
  const uBase = w * h;
  const vBase = uBase + cw * Math.ceil(h / 2);
  const rgb = out ?? new Uint8Array(w * h * 3);
  if (rgb.length < w * h * 3) throw new Error('output buffer too small');
  // A clamped view does the 0..255 clamp on store; the tables hold the fixed-point (x1024) terms of
  // R = 1.164(Y-16) + 1.596(V-128); G = 1.164(Y-16) - 0.392(U-128) - 0.813(V-128); B = 1.164(Y-16) + 2.017(U-128).
  const dst = new Uint8ClampedArray(rgb.buffer, rgb.byteOffset, w * h * 3);
  const t = yuvTables();
  for (let y = 0; y < h; y++) {
    const yRow = y * w;
    const cRow = (y >> 1) * cw;
    let o = yRow * 3;
    for (let x = 0; x < w; x += 2) {
      const c = cRow + (x >> 1);
      const u = data[uBase + c]!;
      const v = data[vBase + c]!;
      const rv = t.rv[v]!;
      const guv = t.gu[u]! + t.gv[v]!;
      const bu = t.bu[u]!;
      let l = t.y[data[yRow + x]!]!;
      dst[o] = (l + rv) >> 10;
      dst[o + 1] = (l - guv) >> 10;
      dst[o + 2] = (l + bu) >> 10;
      if (x + 1 < w) {
        l = t.y[data[yRow + x + 1]!]!;
        dst[o + 3] = (l + rv) >> 10;
        dst[o + 4] = (l - guv) >> 10;
        dst[o + 5] = (l + bu) >> 10;
      }
      o += 6;
    }
  }
  return rgb;
}

let tables: { y: Int32Array; rv: Int32Array; gu: Int32Array; gv: Int32Array; bu: Int32Array } | null = null;
function yuvTables() {
  if (tables) return tables;
  const y = new Int32Array(256);
  const rv = new Int32Array(256);
  const gu = new Int32Array(256);
  const gv = new Int32Array(256);
  const bu = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    y[i] = (i - 16) * 1192 + 512; // + 512: round to nearest on the final shift
    rv[i] = 1634 * (i - 128);
    gu[i] = 401 * (i - 128);
    gv[i] = 832 * (i - 128);
    bu[i] = 2066 * (i - 128);
  }
  tables = { y, rv, gu, gv, bu };
  return tables;
}

/** Packed RGB to I420 (limited range, BT.601; chroma averaged over 2x2): test fixtures and simulated frames. */
export function rgbToI420(rgb: Uint8Array, width: number, height: number): Buffer {
  if (rgb.length < width * height * 3) throw new Error(`RGB image ${width}x${height} needs ${width * height * 3} bytes, got ${rgb.length}`);
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const out = Buffer.alloc(frameBytes(width, height));
  const uBase = width * height;
  const vBase = uBase + cw * ch;
  for (let i = 0, p = 0; i < width * height; i++, p += 3) {
    out[i] = Math.round(16 + 0.257 * rgb[p]! + 0.504 * rgb[p + 1]! + 0.098 * rgb[p + 2]!);
  }
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const x = cx * 2 + dx;
          const y = cy * 2 + dy;
          if (x >= width || y >= height) continue;
          const p = (y * width + x) * 3;
          r += rgb[p]!;
          g += rgb[p + 1]!;
          b += rgb[p + 2]!;
          n++;
        }
      }
      r /= n;
      g /= n;
      b /= n;
      out[uBase + cy * cw + cx] = Math.max(0, Math.min(255, Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b)));
      out[vBase + cy * cw + cx] = Math.max(0, Math.min(255, Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b)));
    }
  }
  return out;
}
