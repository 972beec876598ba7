// Frame → model input: crop to the region of interest, resize (stretch or letterbox) with sharp (area-correct
// downscaling, which small motorbikes need), then normalise into the layout and channel order the model wants.
import sharp, { type Sharp } from 'sharp';
import * as tf from '@tensorflow/tfjs';
import type { Box, RgbImage } from '@phatnguoi/core/contracts/detection';
import type { InputSpec } from './config';

/** Maps model-input pixels back to image pixels: x_img = roiX + (x_in − padX) / scaleX. */
export interface InputTransform {
  roiX: number;
  roiY: number;
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
  /** The region actually used (clamped to the image), in image pixels. */
  roi: Box;
}

export interface ResizedInput {
  /** RGB, row-major, spec.width x spec.height x 3. */
  pixels: Uint8Array;
  transform: InputTransform;
}

/** Clamps a region to the image and rounds it to whole pixels; the whole image when absent. */
export function clampRoi(width: number, height: number, roi?: Box): Box {
  if (!roi) return [0, 0, width, height];
  const x1 = Math.max(0, Math.min(width - 1, Math.floor(roi[0])));
  const y1 = Math.max(0, Math.min(height - 1, Math.floor(roi[1])));
  const x2 = Math.max(x1 + 1, Math.min(width, Math.ceil(roi[2])));
  const y2 = Math.max(y1 + 1, Math.min(height, Math.ceil(roi[3])));
  return [x1, y1, x2, y2];
}

/** Resize geometry for a region of `roiW` x `roiH` into the model input. */
export function fitGeometry(roiW: number, roiH: number, spec: Pick<InputSpec, 'width' | 'height' | 'resize'>) {
  if (spec.resize === 'stretch') {
    return { w: spec.width, h: spec.height, padX: 0, padY: 0, scaleX: spec.width / roiW, scaleY: spec.height / roiH };
  }
  const s = Math.min(spec.width / roiW, spec.height / roiH);
  const w = Math.max(1, Math.min(spec.width, Math.round(roiW * s)));
  const h = Math.max(1, Math.min(spec.height, Math.round(roiH * s)));
  const padX = Math.floor((spec.width - w) / 2);
  const padY = Math.floor((spec.height - h) / 2);
  return { w, h, padX, padY, scaleX: w / roiW, scaleY: h / roiH };
}

/**
 * Crops and resizes any sharp source (raw frame or JPEG file) into the model input size.
 * `srcW`/`srcH` are the source's pixel size; used by the detector and by training-data preparation alike.
 */
export async function resizeForModel(
  source: Sharp,
  srcW: number,
  srcH: number,
  spec: Pick<InputSpec, 'width' | 'height' | 'resize' | 'padValue'>,
  roi?: Box,
): Promise<ResizedInput> {
  const r = clampRoi(srcW, srcH, roi);
  const roiW = r[2] - r[0];
  const roiH = r[3] - r[1];
  const g = fitGeometry(roiW, roiH, spec);
  let img = source;
  if (r[0] !== 0 || r[1] !== 0 || roiW !== srcW || roiH !== srcH) {
    img = img.extract({ left: r[0], top: r[1], width: roiW, height: roiH });
  }
  const resized = await img.removeAlpha().resize(g.w, g.h, { fit: 'fill', kernel: 'linear' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (resized.info.channels !== 3) throw new Error(`expected 3 channels after resize, got ${resized.info.channels}`);
  let pixels: Uint8Array = new Uint8Array(resized.data.buffer, resized.data.byteOffset, resized.data.byteLength);
  if (g.w !== spec.width || g.h !== spec.height) {
    const out = new Uint8Array(spec.width * spec.height * 3).fill(Math.max(0, Math.min(255, Math.round(spec.padValue))));
    for (let y = 0; y < g.h; y++) {
      out.set(pixels.subarray(y * g.w * 3, (y + 1) * g.w * 3), ((y + g.padY) * spec.width + g.padX) * 3);
    }
    pixels = out;
  }
  return {
    pixels,
    transform: { roiX: r[0], roiY: r[1], scaleX: g.scaleX, scaleY: g.scaleY, padX: g.padX, padY: g.padY, roi: r },
  };
}

/** Crop + resize of an in-memory RGB frame. */
export function resizeFrame(image: RgbImage, spec: InputSpec, roi?: Box): Promise<ResizedInput> {
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(`RGB image data has ${image.data.length} bytes, expected ${image.width * image.height * 3}`);
  }
  const src = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  return resizeForModel(src, image.width, image.height, spec, roi);
}

/** Normalises RGB pixels (model-input sized) into a float array in the model's channel order and layout. */
export function normalizePixels(pixels: Uint8Array, spec: InputSpec, out?: Float32Array): Float32Array {
  const n = spec.width * spec.height;
  const data = out ?? new Float32Array(n * 3);
  const order = spec.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const mul = spec.std.map((s) => 1 / s);
  for (let c = 0; c < 3; c++) {
    const src = order[c]!;
    const mean = spec.mean[c]!;
    const k = mul[c]!;
    if (spec.layout === 'NCHW') {
      const base = c * n;
      for (let i = 0; i < n; i++) data[base + i] = (pixels[i * 3 + src]! - mean) * k;
    } else {
      for (let i = 0; i < n; i++) data[i * 3 + c] = (pixels[i * 3 + src]! - mean) * k;
    }
  }
  return data;
}

/** A batch-of-one input tensor for the model. */
export function inputTensor(pixels: Uint8Array, spec: InputSpec): tf.Tensor4D {
  const data = normalizePixels(pixels, spec);
  const shape: [number, number, number, number] = spec.layout === 'NCHW' ? [1, 3, spec.height, spec.width] : [1, spec.height, spec.width, 3];
  return tf.tensor4d(data, shape);
}

/** Model-input box → image box, clipped to the region of interest. */
export function toImageBox(b: Box, t: InputTransform): Box {
  const [rx1, ry1, rx2, ry2] = t.roi;
  const x1 = Math.min(rx2, Math.max(rx1, t.roiX + (b[0] - t.padX) / t.scaleX));
  const y1 = Math.min(ry2, Math.max(ry1, t.roiY + (b[1] - t.padY) / t.scaleY));
  const x2 = Math.min(rx2, Math.max(rx1, t.roiX + (b[2] - t.padX) / t.scaleX));
  const y2 = Math.min(ry2, Math.max(ry1, t.roiY + (b[3] - t.padY) / t.scaleY));
  return [x1, y1, x2, y2];
}
