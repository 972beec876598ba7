// Plate colour from the crop's pixels: the background dominates a plate, so the share of strongly
// coloured pixels per hue band decides yellow, blue or red; a plate without a dominant hue is white.
import type { Box, PlateColour, RgbImage } from '@phatnguoi/core/contracts/detection';

export interface ColourEstimate {
  colour: PlateColour;
  /** Share of sampled pixels that voted for the colour (for white: share of unsaturated pixels). */
  score: number;
}

/** Hue in degrees of an RGB triple, with its saturation (0–1) and value (0–255). */
function hsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  return [h, max > 0 ? d / max : 0, max];
}

export function classifyPlateColour(img: RgbImage, box: Box): ColourEstimate {
  const [x1, y1, x2, y2] = box;
  // Inner part of the box: the border and the vehicle around it stay out.
  const ix1 = Math.max(0, Math.floor(x1 + (x2 - x1) * 0.1));
  const ix2 = Math.min(img.width, Math.ceil(x2 - (x2 - x1) * 0.1));
  const iy1 = Math.max(0, Math.floor(y1 + (y2 - y1) * 0.12));
  const iy2 = Math.min(img.height, Math.ceil(y2 - (y2 - y1) * 0.12));
  const counts = { yellow: 0, blue: 0, red: 0 };
  let total = 0;
  const stepX = Math.max(1, Math.floor((ix2 - ix1) / 48));
  const stepY = Math.max(1, Math.floor((iy2 - iy1) / 24));
  for (let y = iy1; y < iy2; y += stepY) {
    for (let x = ix1; x < ix2; x += stepX) {
      const p = (y * img.width + x) * 3;
      const [h, s, v] = hsv(img.data[p]!, img.data[p + 1]!, img.data[p + 2]!);
      total++;
      if (s < 0.35 || v < 30) continue;
      if (h < 18 || h >= 330) counts.red++;
      else if (h >= 30 && h < 75) counts.yellow++;
      else if (h >= 190 && h < 260) counts.blue++;
    }
  }
  if (total === 0) return { colour: 'white', score: 0 };
  let best: PlateColour = 'white';
  let bestShare = 0;
  for (const c of ['yellow', 'blue', 'red'] as const) {
    const share = counts[c] / total;
    if (share > bestShare) {
      bestShare = share;
      best = c;
    }
  }
  // A coloured plate is mostly background: a third of the pixels at least.
  if (bestShare >= 0.3) return { colour: best, score: bestShare };
  return { colour: 'white', score: 1 - bestShare };
}
