// The plate reader: localise candidate plates in a vehicle crop, read each with the trained CTC
// network, keep the most confident read that passes format validation. Nothing valid → null.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Box, PlateLayout, PlateRead, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { initTf, tf } from '../tf/runtime';
import { loadLayersModelFromFile } from '../tf/file-io';
import { classifyPlateColour } from './colour';
import { ctcGreedyDecode } from './ctc-decode';
import { kindForVehicle, type PlateKind } from '@phatnguoi/core/plates/format';
import {
  buildReaderInput,
  estimateLineGeometry,
  READER_CLASSES,
  READER_HEIGHT,
  READER_STEPS,
  READER_WIDTH,
  rgbGreySampler,
  standardise,
  type GreySampler,
} from './input';
import { localisePlates } from './localise';
import { interpretDecoded, type InterpretedRead } from './postprocess';

/** The committed weights: models/plate-reader/model.json at the repository root. */
export const DEFAULT_PLATE_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/plate-reader/model.json');

/**
 * Reads below this confidence are dropped altogether; reads between it and PLATE_PASS_CONFIDENCE are kept
 * as suggestions for manual entry, not passed on as the plate.
 */
export const DEFAULT_MIN_CONFIDENCE = 0.3;

/**
 * The shipped threshold for one read: at or above it a read is passed on as the plate; below it the case
 * goes to manual entry with the read as a suggestion. Calibrated on real reads (whole photos of
 * shared/data/real-dev through the localiser: the lowest threshold with no wrong read passed on; see
 * models/plate-reader/MODEL.md, "Real plates"). A track's vote has its own threshold (vote.ts).
 */
export const PLATE_PASS_CONFIDENCE = 0.8;

export interface PlateReaderOptions {
  modelPath?: string;
  /**
   * An already loaded reader network (training validates end to end with the model it is training);
   * the caller keeps ownership: `dispose()` leaves it alone. Takes precedence over `modelPath`.
   */
  model?: tf.LayersModel;
  /** Reads below this confidence are dropped (default 0.3); the track vote decides on the rest. */
  minConfidence?: number;
  /** Candidate boxes tried per crop (default 3). */
  maxCandidates?: number;
  /**
   * Where the lines of a square car/truck plate (two-line, not a motorbike) are cut, as fractions of the
   * box height: the best candidate's main box is read at each of them, its other boxes at 0.5. Default [0.5].
   */
  squareSplits?: number[];
}

export interface PlateReader {
  /** Localise and read the plate of a vehicle crop; box in crop pixels. */
  read(vehicleCrop: RgbImage, vehicleClass: VehicleClass): Promise<PlateRead | null>;
  /**
   * Read an image that is already a plate crop. Without a layout, the layouts the crop's shape and the
   * vehicle class allow are tried (both when neither is known).
   */
  readPlateCrop(plate: RgbImage, layout?: PlateLayout, vehicleClass?: VehicleClass): Promise<PlateRead | null>;
  dispose(): void;
}

interface Attempt {
  box: Box;
  layout: PlateLayout;
  /** Fraction of the box height where a two-line plate's lines are cut (0.5 unless varied). */
  split?: number;
  /** Tilt of the text lines corrected before reading (buildReaderInput's slope). */
  slope?: number;
}

/** The box read level and cut where its lines really meet (estimateLineGeometry), when that differs from the plain cut. */
function levelled(sampler: GreySampler, a: Attempt): Attempt[] {
  const g = estimateLineGeometry(sampler, a.box, a.layout);
  if (g.slope === 0 && (a.layout === 'one-line' || Math.abs(g.split - (a.split ?? 0.5)) < 0.03)) return [];
  return [{ ...a, split: a.layout === 'two-line' ? g.split : 0.5, slope: g.slope }];
}

/** Plate height in pixels times the mean absolute horizontal grey step inside the box: bigger and sharper is better. */
function viewQuality(sampler: GreySampler, box: Box): number {
  const [x1, y1, x2, y2] = box;
  const n = 24;
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const y = y1 + ((r + 0.5) / n) * (y2 - y1);
    for (let c = 0; c < 2 * n; c++) {
      const x = x1 + ((c + 0.5) / (2 * n)) * (x2 - x1);
      sum += Math.abs(sampler(x + 1, y) - sampler(x, y));
    }
  }
  return (y2 - y1) * (sum / (2 * n * n));
}

function layoutsFor(aspect: number, cls: VehicleClass): PlateLayout[] {
  if (cls === 'motorbike' || cls === 'bicycle') return ['two-line'];
  if (aspect >= 3.4) return ['one-line'];
  if (aspect <= 2.5) return ['two-line'];
  return ['one-line', 'two-line'];
}

export async function createPlateReader(opts: PlateReaderOptions = {}): Promise<PlateReader> {
  await initTf();
  const ownModel = !opts.model;
  const model = opts.model ?? (await loadLayersModelFromFile(opts.modelPath ?? DEFAULT_PLATE_MODEL));
  const minConfidence = opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const squareSplits = opts.squareSplits?.length ? opts.squareSplits : [0.5];
  const per = READER_HEIGHT * READER_WIDTH;

  async function readAttempts(
    img: RgbImage,
    attempts: Attempt[],
    kind: PlateKind | undefined,
    sampler = rgbGreySampler(img),
  ): Promise<{ attempt: Attempt; read: InterpretedRead } | null> {
    if (attempts.length === 0) return null;
    const xs = new Float32Array(attempts.length * per);
    attempts.forEach((a, i) => {
      buildReaderInput(sampler, a.box, a.layout, xs, i * per, a.split ?? 0.5, a.slope ?? 0);
      standardise(xs, i * per, per);
    });
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(xs, [attempts.length, READER_HEIGHT, READER_WIDTH, 1]);
      return tf.softmax(model.predict(x) as tf.Tensor3D, -1);
    });
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    // Several boxes of the same plate: the text whose format-valid reads add up to the most
    // confidence wins (one box's odd misread is outvoted), represented by its most confident read.
    type Vote = { total: number; best: { attempt: Attempt; read: InterpretedRead } };
    const votes = new Map<string, Vote>();
    attempts.forEach((attempt, i) => {
      const size = READER_STEPS * READER_CLASSES;
      const decoded = ctcGreedyDecode(data.subarray(i * size, (i + 1) * size), READER_STEPS, READER_CLASSES);
      const read = interpretDecoded(decoded, attempt.layout, READER_STEPS, kind);
      if (!read) return;
      const v = votes.get(read.text);
      if (!v) votes.set(read.text, { total: read.confidence, best: { attempt, read } });
      else {
        v.total += read.confidence;
        if (read.confidence > v.best.read.confidence) v.best = { attempt, read };
      }
    });
    let winner: Vote | null = null;
    let all = 0;
    for (const v of votes.values()) {
      all += v.total;
      if (!winner || v.total > winner.total) winner = v;
    }
    if (!winner) return null;
    // Boxes and cuts of one plate that read different valid texts are a doubt of their own: the winner's
    // confidence shrinks with the share of the valid reads it did not get.
    const share = winner.total / all;
    return { attempt: winner.best.attempt, read: { ...winner.best.read, confidence: winner.best.read.confidence * Math.sqrt(share) } };
  }

  function toPlateRead(img: RgbImage, sampler: GreySampler, found: { attempt: Attempt; read: InterpretedRead } | null): PlateRead | null {
    if (!found || found.read.confidence < minConfidence) return null;
    const { colour } = classifyPlateColour(img, found.attempt.box);
    return {
      text: found.read.text,
      layout: found.attempt.layout,
      colour,
      confidence: found.read.confidence,
      box: found.attempt.box,
      glyphConfidence: found.read.glyphConfidence,
      viewQuality: viewQuality(sampler, found.attempt.box),
    };
  }

  return {
    async read(vehicleCrop, vehicleClass) {
      const sampler = rgbGreySampler(vehicleCrop);
      const candidates = localisePlates(vehicleCrop, vehicleClass, { maxCandidates: opts.maxCandidates ?? 3 });
      // The best candidate is read through all its boxes, the others through their main box only.
      const square = vehicleClass !== 'motorbike' && vehicleClass !== 'bicycle';
      const attempts = candidates.flatMap((c, rank) =>
        layoutsFor(c.aspect, vehicleClass).flatMap((layout): Attempt[] => {
          if (rank > 0) return [{ box: c.box, layout }];
          const main: Attempt[] = square && layout === 'two-line' ? squareSplits.map((split) => ({ box: c.box, layout, split })) : [{ box: c.box, layout }];
          return [...main, ...levelled(sampler, { box: c.box, layout }), ...c.alternatives.map((box) => ({ box, layout }))];
        }),
      );
      return toPlateRead(vehicleCrop, sampler, await readAttempts(vehicleCrop, attempts, kindForVehicle(vehicleClass), sampler));
    },
    async readPlateCrop(plate, layout, vehicleClass) {
      const box: Box = [0, 0, plate.width, plate.height];
      const layouts: PlateLayout[] = layout ? [layout] : vehicleClass ? layoutsFor(plate.width / plate.height, vehicleClass) : ['one-line', 'two-line'];
      const sampler = rgbGreySampler(plate);
      const attempts = layouts.flatMap((l): Attempt[] => [{ box, layout: l }, ...levelled(sampler, { box, layout: l })]);
      return toPlateRead(plate, sampler, await readAttempts(plate, attempts, vehicleClass ? kindForVehicle(vehicleClass) : undefined, sampler));
    },
    dispose() {
      if (ownModel) model.dispose();
    },
  };
}
