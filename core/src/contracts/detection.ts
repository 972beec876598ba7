// Types shared by the detector's parts (models, tracker, rules, plate reader) and by the simulator's truth files.

/** Vehicle classes the system reasons about; a model's label map translates its own labels into these. */
export const VEHICLE_CLASSES = ['motorbike', 'car', 'bus', 'truck', 'bicycle', 'pedestrian'] as const;
export type VehicleClass = (typeof VEHICLE_CLASSES)[number];

/** Axis-aligned box in image pixels: [x1, y1, x2, y2], x2 > x1, y2 > y1. */
export type Box = [number, number, number, number];

/** An RGB image in memory, row-major, 3 bytes per pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Detection {
  box: Box;
  cls: VehicleClass;
  score: number;
}

/** A vehicle detector plugin: the pipeline does not know which model runs behind it. */
export interface VehicleDetector {
  readonly name: string;
  /** Detect vehicles; `roi` limits the search to a region of the image (boxes are still in full-image pixels). */
  detect(image: RgbImage, roi?: Box): Promise<Detection[]>;
  dispose(): void;
}

export const PLATE_LAYOUTS = ['one-line', 'two-line'] as const;
export type PlateLayout = (typeof PLATE_LAYOUTS)[number];

import type { PlateColour } from './values';
export { PLATE_COLOURS, type PlateColour } from './values';

/** One plate read from one crop. `text` is canonical (e.g. `30A-123.45`, `29-B1 123.45`) and always format-valid. */
export interface PlateRead {
  text: string;
  layout: PlateLayout;
  colour: PlateColour;
  confidence: number;
  /** Plate box inside the image the read came from. */
  box: Box;
  /** Per character of the plate (punctuation left out, in reading order): how sure the reader was of it. */
  glyphConfidence?: number[];
  /** How good a view this was: plate height in pixels times edge sharpness (the track vote prefers good views). */
  viewQuality?: number;
}

/** A track's final plate: a vote over its reads; `needsManualEntry` when the vote is not confident. */
export interface TrackPlate {
  text: string | null;
  layout: PlateLayout | null;
  colour: PlateColour | null;
  confidence: number;
  needsManualEntry: boolean;
  reads: number;
  /** The leading read when the vote was too weak to decide (needsManualEntry): a suggestion for the officer, never the plate. */
  suggestion?: string | null;
}
