// SVG to RGB pixels: how the generated plates and vehicle crops (core/src/plates) become reader input in
// the tests, the plate benchmark and the plate evaluation.
import sharp from 'sharp';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';

export async function rasteriseSvg(svg: string): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
