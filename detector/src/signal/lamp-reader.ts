// Lamp reading on real signal heads. Each lamp region is measured (brightness of its brightest pixels, and
// how much of the saturated colour in and around it is the lamp's own colour), then judged against that
// lamp's own appearance learned on site: the brightness it shows unlit and lit, calibrated from the stream
// it watches. A fixed ratio to the dimmest lamp fails in daylight, where unlit LED lamps read 160-180 and a
// lit lamp's centre is overexposed to white: the learned levels and the coloured ring around the centre
// still tell them apart. Lamps are judged one by one (an arrow is a head of its own).
import type { LampColour, Rect, SignalHead } from '@phatnguoi/core/contracts/camera-geometry';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';

export interface LampMeasure {
  /** Mean value (max of r,g,b) of the brightest `topFraction` of the region's pixels, 0..255. */
  brightness: number;
  /**
   * Of the saturated, reasonably bright pixels in the region and a ring around it, the fraction whose hue is the
   * lamp's colour (a lit lamp whose centre is overexposed to white keeps its colour in the ring).
   */
  hueMatch: number;
  /** Mean RGB of the region's brightest pixels (what the reader sees; for the geometry editor). */
  rgb: [number, number, number];
}

export interface LampReading extends LampMeasure {
  lampId: string;
  lit: boolean;
  /** Brightness this lamp was learned to show unlit and lit (null until seen). */
  unlitLevel: number | null;
  litLevel: number | null;
  /** Brightness at or above which the lamp counted as lit in this frame. */
  threshold: number;
}

export interface LampReaderConfig {
  /** A lit lamp's brightness must reach at least this (0..255). */
  minBrightness: number;
  /** A lit lamp must be this much brighter than its own unlit level (or, before that is learned, the head's dimmest lamp). */
  minContrast: number;
  /** Once both levels are learned: lit above unlit + this fraction of the way to lit. */
  litFraction: number;
  /** ... and this fraction of the saturated pixels in and around the region must have the lamp's hue. */
  minHueMatch: number;
  /** Weight of a new frame in the learned levels (exponential average). */
  learnRate: number;
  /** Fraction of the region's brightest pixels that give its brightness. */
  topFraction: number;
  /** Ring around the region searched for the lamp's colour, as a fraction of the region's smaller side (at least 2 px). */
  ringFraction: number;
  /** Pixels less saturated than this carry no colour (an overexposed centre, a grey housing, a dull lens in sunlight). */
  minSaturation: number;
}

export const DEFAULT_LAMP_READER_CONFIG: LampReaderConfig = {
  minBrightness: 60,
  minContrast: 30,
  litFraction: 0.5,
  minHueMatch: 0.25,
  learnRate: 0.05,
  topFraction: 0.2,
  ringFraction: 0.35,
  minSaturation: 0.45,
};

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

/**
 * Whether a saturated pixel may belong to a lit lamp of this colour: its hue, or the warmer shoulder a lit lamp
 * takes where it starts to overexpose (a lit red LED's inner ring turns orange-yellow, a green one cyan). The
 * region's place on the head tells red from yellow; this only tells a lamp's light from glare and foliage.
 */
export function litHueMatches(colour: LampColour, h: number): boolean {
  switch (colour) {
    case 'red':
      return h < 50 || h > 320;
    case 'yellow':
      return h >= 15 && h < 75;
    case 'green':
      return h >= 70 && h < 200;
  }
}

/** Measures one lamp region of a frame (pure). */
export function measureLamp(image: RgbImage, region: Rect, colour: LampColour, config: LampReaderConfig = DEFAULT_LAMP_READER_CONFIG): LampMeasure {
  const clampX = (x: number) => Math.min(image.width, Math.max(0, x));
  const clampY = (y: number) => Math.min(image.height, Math.max(0, y));
  const x1 = clampX(Math.floor(region[0]));
  const y1 = clampY(Math.floor(region[1]));
  const x2 = clampX(Math.ceil(region[2]));
  const y2 = clampY(Math.ceil(region[3]));
  const n = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  if (n === 0) return { brightness: 0, hueMatch: 0, rgb: [0, 0, 0] };
  const values = new Float64Array(n);
  let k = 0;
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      const i = (y * image.width + x) * 3;
      values[k++] = Math.max(image.data[i]!, image.data[i + 1]!, image.data[i + 2]!);
    }
  }
  const sorted = Float64Array.from(values).sort().reverse();
  const top = Math.max(1, Math.ceil(n * config.topFraction));
  let sum = 0;
  for (let i = 0; i < top; i++) sum += sorted[i]!;
  const brightness = sum / top;
  const cut = sorted[top - 1]!;
  const rgb: [number, number, number] = [0, 0, 0];
  let counted = 0;
  k = 0;
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++, k++) {
      if (values[k]! < cut || counted >= top) continue;
      const i = (y * image.width + x) * 3;
      rgb[0] += image.data[i]!;
      rgb[1] += image.data[i + 1]!;
      rgb[2] += image.data[i + 2]!;
      counted++;
    }
  }
  for (let c = 0; c < 3; c++) rgb[c] = Math.round(rgb[c]! / Math.max(1, counted));
  // Colour from the saturated pixels in the region and a ring around it (the overexposed centre is white).
  const m = Math.max(2, Math.round(config.ringFraction * Math.min(x2 - x1, y2 - y1)));
  const rx1 = clampX(x1 - m);
  const ry1 = clampY(y1 - m);
  const rx2 = clampX(x2 + m);
  const ry2 = clampY(y2 + m);
  const floor = Math.max(50, 0.4 * brightness);
  let saturated = 0;
  let match = 0;
  for (let y = ry1; y < ry2; y++) {
    for (let x = rx1; x < rx2; x++) {
      const i = (y * image.width + x) * 3;
      const r = image.data[i]!;
      const g = image.data[i + 1]!;
      const b = image.data[i + 2]!;
      if (Math.max(r, g, b) < floor) continue;
      const [h, s] = hueSat(r, g, b);
      if (s < config.minSaturation) continue;
      saturated++;
      if (litHueMatches(colour, h)) match++;
    }
  }
  return { brightness, hueMatch: saturated >= 2 ? match / saturated : 0, rgb };
}

export interface LampLevels {
  unlit: number | null;
  lit: number | null;
}

export type LampReaderSnapshot = Record<string, LampLevels>;

/**
 * Reads the lamps of one signal head frame after frame, learning each lamp's unlit and lit brightness from what
 * it observes. Until a lamp's unlit level is known, the head's dimmest lamp in the frame stands in for it.
 */
export class LampReader {
  private readonly levels = new Map<string, LampLevels>();

  constructor(
    readonly head: SignalHead,
    readonly config: LampReaderConfig = DEFAULT_LAMP_READER_CONFIG,
  ) {
    for (const lamp of head.lamps) this.levels.set(lamp.id, { unlit: null, lit: null });
  }

  /** Reads every lamp of the head in one frame and learns from it. */
  read(image: RgbImage, head: SignalHead = this.head): LampReading[] {
    const c = this.config;
    const measures = head.lamps.map((lamp) => ({ lamp, ...measureLamp(image, lamp.region, lamp.colour, c) }));
    const readings = measures.map((m) => {
      const lv = this.levels.get(m.lamp.id) ?? { unlit: null, lit: null };
      // The other lamps of the head in this frame: a lit lamp stands out from the dimmest of them (this also
      // follows a change of exposure before the learned levels have caught up with it).
      // Arrows are heads of their own: a round lamp is compared with the round lamps, an arrow with other arrows.
      const round = m.lamp.shape === 'round';
      const others = measures.filter((o) => o !== m && (o.lamp.shape === 'round') === round).map((o) => o.brightness);
      const dimmestOther = others.length > 0 ? Math.min(...others) : null;
      const unlit = lv.unlit ?? dimmestOther ?? 0;
      const learned = lv.lit !== null && lv.lit - unlit >= c.minContrast;
      const own = learned ? unlit + c.litFraction * (lv.lit! - unlit) : unlit + c.minContrast;
      const threshold = Math.max(c.minBrightness, own, dimmestOther === null ? 0 : dimmestOther + (learned ? c.minContrast / 2 : c.minContrast));
      const lit = m.brightness >= threshold && m.hueMatch >= c.minHueMatch;
      return { lampId: m.lamp.id, brightness: m.brightness, hueMatch: m.hueMatch, rgb: m.rgb, lit, unlitLevel: lv.unlit, litLevel: lv.lit, threshold };
    });
    for (const r of readings) {
      const lv = this.levels.get(r.lampId);
      if (!lv) continue;
      const ema = (old: number | null, x: number) => (old === null ? x : old + c.learnRate * (x - old));
      // Bright but not of the lamp's colour (glare, an overexposed frame), or too close to the threshold to be
      // sure, teaches neither level.
      if (r.lit) lv.lit = ema(lv.lit, r.brightness);
      else if (r.brightness < r.threshold - c.minContrast / 2 && (lv.lit === null || r.brightness < lv.lit - c.minContrast / 2))
        lv.unlit = ema(lv.unlit, r.brightness);
    }
    return readings;
  }

  snapshot(): LampReaderSnapshot {
    return Object.fromEntries([...this.levels].map(([id, lv]) => [id, { ...lv }]));
  }

  restore(snap: LampReaderSnapshot): void {
    for (const [id, lv] of Object.entries(snap)) if (this.levels.has(id)) this.levels.set(id, { unlit: lv.unlit, lit: lv.lit });
  }
}

/** Reads every lamp of a head in one frame with nothing learned yet (each lamp against the head's dimmest). */
export function readLamps(image: RgbImage, head: SignalHead, config: LampReaderConfig = DEFAULT_LAMP_READER_CONFIG): LampReading[] {
  return new LampReader(head, config).read(image);
}
