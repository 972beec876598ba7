// Evidence stills with sharp: scene images with the overlay burned in, and crops.
import sharp, { type Sharp } from 'sharp';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { overlaySvg, type OverlaySpec } from './overlay';

/** A frame as the pipeline keeps it: packed RGB while recent, a JPEG once older (see `StoredFrame`). */
export interface StillSource {
  pixels: { kind: 'rgb'; data: Uint8Array } | { kind: 'jpeg'; data: Buffer };
  width: number;
  height: number;
}

function load(src: StillSource): Sharp {
  if (src.pixels.kind === 'jpeg') return sharp(src.pixels.data);
  const { data } = src.pixels;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width: src.width, height: src.height, channels: 3 } });
}

export async function renderScene(src: StillSource, overlay: Omit<OverlaySpec, 'width' | 'height'>): Promise<Buffer> {
  const svg = overlaySvg({ ...overlay, width: src.width, height: src.height });
  return load(src)
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Crop of `box` grown by `margin` (fraction of its size), upscaled so the short side is at least `minSide`, with a banner. */
export async function renderCrop(src: StillSource, box: Box, opts: { margin?: number; minSide?: number; text: string[] }): Promise<Buffer> {
  const m = opts.margin ?? 0.15;
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const left = Math.max(0, Math.floor(box[0] - w * m));
  const top = Math.max(0, Math.floor(box[1] - h * m));
  const right = Math.min(src.width, Math.ceil(box[2] + w * m));
  const bottom = Math.min(src.height, Math.ceil(box[3] + h * m));
  const cw = Math.max(1, right - left);
  const ch = Math.max(1, bottom - top);
  const minSide = opts.minSide ?? 240;
  const scale = Math.max(1, minSide / Math.min(cw, ch));
  const ow = Math.round(cw * scale);
  const oh = Math.round(ch * scale);
  const crop = await load(src).extract({ left, top, width: cw, height: ch }).resize(ow, oh, { kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  const svg = overlaySvg({ width: ow, height: oh, text: opts.text });
  return sharp(crop.data, { raw: { width: crop.info.width, height: crop.info.height, channels: crop.info.channels } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: 92 })
    .toBuffer();
}
