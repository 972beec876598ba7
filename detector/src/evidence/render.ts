// Evidence stills with sharp: scene images with the overlay burned in, and crops.
import sharp from 'sharp';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { overlaySvg, type OverlaySpec } from './overlay';

/** A frame as stored in the pipeline's short buffer: JPEG bytes. */
export interface StillSource {
  jpeg: Buffer;
  width: number;
  height: number;
}

export async function renderScene(src: StillSource, overlay: Omit<OverlaySpec, 'width' | 'height'>): Promise<Buffer> {
  const svg = overlaySvg({ ...overlay, width: src.width, height: src.height });
  return sharp(src.jpeg).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).jpeg({ quality: 90 }).toBuffer();
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
  const crop = await sharp(src.jpeg).extract({ left, top, width: cw, height: ch }).resize(ow, oh, { kernel: 'lanczos3' }).toBuffer();
  const svg = overlaySvg({ width: ow, height: oh, text: opts.text });
  return sharp(crop).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).jpeg({ quality: 92 }).toBuffer();
}
