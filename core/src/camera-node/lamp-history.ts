// What the detector keeps of its lamp reading per signal head, for the geometry editor's lamp tool: the last
// frames' readings of every lamp and the levels each lamp learned. The detector stores it in its pipeline state
// (detector_progress.state, saved about once a second); the api reads it from there. Nobody restates the shape.

/** One lamp in one frame, as the detector's lamp reader measured and judged it. */
export interface StoredLampReading {
  lampId: string;
  /** Mean value of the region's brightest pixels, 0..255. */
  brightness: number;
  /** Fraction of the saturated pixels in and around the region that have the lamp's colour, 0..1. */
  hueMatch: number;
  /** Mean RGB of the region's brightest pixels. */
  rgb: [number, number, number];
  lit: boolean;
  /** Brightness the lamp had learned to show unlit and lit at that frame (null until seen). */
  unlitLevel: number | null;
  litLevel: number | null;
  /** Brightness at or above which the lamp counted as lit in that frame. */
  threshold: number;
}

/** One frame of a signal head: every lamp's reading and the state read from them. */
export interface StoredLampFrame {
  /** Capture time, seconds since the epoch. */
  t: number;
  readings: StoredLampReading[];
  round: string;
  arrowsLit: string[];
}

/** The learned levels of each lamp of a head, by lamp id. */
export type StoredLampLevels = Record<string, { unlit: number | null; lit: number | null }>;

/** The part of the detector's pipeline state the lamp tool reads (both by signal head id). */
export interface StoredLampState {
  lampFrames?: Record<string, StoredLampFrame[]>;
  lampLevels?: Record<string, StoredLampLevels>;
}

/** Frames kept per head (the detector keeps this many; the api serves what it finds). */
export const LAMP_HISTORY_FRAMES = 25;
