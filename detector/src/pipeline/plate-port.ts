// Adapts the plate reader and vote (detector/src/plates) to what the pipeline needs: reads on
// full frames with boxes in frame pixels, and a vote that is exactly a TrackPlate.
import type { Box, PlateRead, RgbImage, TrackPlate } from '@phatnguoi/core/contracts/detection';
import { voteTrackPlate, type PlateReader } from '../plates/index';
import type { PlatePort } from './camera-pipeline';

/** Copies the pixels of `box` (clamped to the image) into a new image; also returns the integer offset. */
export function cropRgb(image: RgbImage, box: Box): { crop: RgbImage; x0: number; y0: number } {
  const x0 = Math.max(0, Math.floor(box[0]));
  const y0 = Math.max(0, Math.floor(box[1]));
  const x1 = Math.min(image.width, Math.ceil(box[2]));
  const y1 = Math.min(image.height, Math.ceil(box[3]));
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((y0 + y) * image.width + x0) * 3;
    data.set(image.data.subarray(src, src + width * 3), y * width * 3);
  }
  return { crop: { data, width, height }, x0, y0 };
}

export function platePortFrom(reader: PlateReader): PlatePort {
  return {
    async read(image, vehicleBox, cls): Promise<PlateRead | null> {
      const { crop, x0, y0 } = cropRgb(image, vehicleBox);
      const read = await reader.read(crop, cls);
      if (!read) return null;
      return { ...read, box: [read.box[0] + x0, read.box[1] + y0, read.box[2] + x0, read.box[3] + y0] };
    },
    vote(reads): TrackPlate {
      const v = voteTrackPlate(reads);
      return {
        text: v.text,
        layout: v.layout,
        colour: v.colour,
        confidence: v.confidence,
        needsManualEntry: v.needsManualEntry,
        reads: v.reads,
        suggestion: v.suggestion,
      };
    },
  };
}
