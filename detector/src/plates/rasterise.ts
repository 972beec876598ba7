// SVG to RGB pixels: how the generated plates and vehicle crops (core/src/plates) become reader input in
// the tests, the plate benchmark and the plate evaluation; and the camera softness they add to some.
import sharp from 'sharp';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';

export async function rasteriseSvg(svg: string): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Gaussian blur of σ `sigma` px (a camera's softness on a generated crop). */
export async function blurImage(img: RgbImage, sigma: number): Promise<RgbImage> {
  const { data, info } = await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 3 } })
    .blur(sigma)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}
