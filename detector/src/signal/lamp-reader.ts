// Classical lamp reading: how bright and how much of its own colour each lamp region of a signal
// head is, compared with the other lamps of the same head (so day/night exposure does not matter).
import type { LampColour, Rect, SignalHead } from '@phatnguoi/core/contracts/camera-geometry';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';

export interface LampReading {
  lampId: string;
  /** Mean value (max of r,g,b) of the brightest quarter of the region's pixels, 0..255. */
  brightness: number;
  /** Fraction of the bright pixels whose hue matches the lamp's colour. */
  hueMatch: number;
  lit: boolean;
}

export interface LampReaderConfig {
  /** A lit lamp's brightness must reach this (0..255). */
  minBrightness: number;
  /** ... and exceed the dimmest lamp of the head by this factor. */
  relativeFactor: number;
  /** ... and this fraction of its bright pixels must have the lamp's hue. */
  minHueMatch: number;
}

export const DEFAULT_LAMP_READER_CONFIG: LampReaderConfig = { minBrightness: 90, relativeFactor: 1.6, minHueMatch: 0.35 };

/** Hue in degrees (0..360) and saturation (0..1) of an RGB pixel. */
export function hueSat(r: number, g: number, b: number): [number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  if (max === 0 || d === 0) return [0, 0];
  let h: number;
  if (max === r) h = ((g - b) / d) % 6;
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  h *= 60;
  if (h < 0) h += 360;
  return [h, d / max];
}

/** Whether a hue belongs to a lamp colour (LED reds run into magenta, greens into cyan; yellow is amber). */
export function hueMatches(colour: LampColour, h: number, s: number): boolean {
  if (s < 0.25) return false;
  switch (colour) {
    case 'red':
      return h < 22 || h > 320;
    case 'yellow':
      return h >= 22 && h < 70;
    case 'green':
      return h >= 75 && h < 200;
  }
}

function measure(image: RgbImage, region: Rect, colour: LampColour): { brightness: number; hueMatch: number } {
  const x1 = Math.max(0, Math.floor(region[0]));
  const y1 = Math.max(0, Math.floor(region[1]));
  const x2 = Math.min(image.width, Math.ceil(region[2]));
  const y2 = Math.min(image.height, Math.ceil(region[3]));
  const values: number[] = [];
  const pixels: [number, number, number][] = [];
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      const i = (y * image.width + x) * 3;
      const r = image.data[i]!;
      const g = image.data[i + 1]!;
      const b = image.data[i + 2]!;
      values.push(Math.max(r, g, b));
      pixels.push([r, g, b]);
    }
  }
  if (values.length === 0) return { brightness: 0, hueMatch: 0 };
  const sorted = [...values].sort((a, b) => b - a);
  const top = sorted.slice(0, Math.max(1, Math.ceil(sorted.length / 4)));
  const threshold = top[top.length - 1]!;
  let bright = 0;
  let match = 0;
  pixels.forEach(([r, g, b], i) => {
    if (values[i]! < threshold) return;
    bright++;
    const [h, s] = hueSat(r, g, b);
    if (hueMatches(colour, h, s)) match++;
  });
  return { brightness: top.reduce((a, v) => a + v, 0) / top.length, hueMatch: bright ? match / bright : 0 };
}

/** Reads every lamp of a head in one frame. */
export function readLamps(image: RgbImage, head: SignalHead, config: LampReaderConfig = DEFAULT_LAMP_READER_CONFIG): LampReading[] {
  const raw = head.lamps.map((lamp) => ({ lamp, ...measure(image, lamp.region, lamp.colour) }));
  const dimmest = Math.min(...raw.map((r) => r.brightness));
  return raw.map((r) => ({
    lampId: r.lamp.id,
    brightness: r.brightness,
    hueMatch: r.hueMatch,
    lit: r.brightness >= config.minBrightness && r.brightness >= dimmest * config.relativeFactor && r.hueMatch >= config.minHueMatch,
  }));
}
