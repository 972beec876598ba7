// The plate reader: localise candidate plates in a vehicle crop, read each with the trained CTC
// network, keep the most confident read that passes format validation. Nothing valid → null.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Box, PlateLayout, PlateRead, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { initTf, tf } from '../tf/runtime';
import { loadLayersModelFromFile } from '../tf/file-io';
import { classifyPlateColour } from './colour';
import { ctcGreedyDecode } from './ctc-decode';
import { buildReaderInput, READER_CLASSES, READER_HEIGHT, READER_STEPS, READER_WIDTH, rgbGreySampler, standardise } from './input';
import { localisePlates } from './localise';
import { interpretDecoded, type InterpretedRead } from './postprocess';

/** The committed weights: models/plate-reader/model.json at the repository root. */
export const DEFAULT_PLATE_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/plate-reader/model.json');

/** Reads below this confidence are not passed on (the case goes to manual entry with the read as a suggestion). */
export const DEFAULT_MIN_CONFIDENCE = 0.3;

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

  async function readAttempts(img: RgbImage, attempts: Attempt[]): Promise<{ attempt: Attempt; read: InterpretedRead } | null> {
    if (attempts.length === 0) return null;
    const sampler = rgbGreySampler(img);
    const xs = new Float32Array(attempts.length * per);
    attempts.forEach((a, i) => {
      buildReaderInput(sampler, a.box, a.layout, xs, i * per, a.split ?? 0.5);
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
      const read = interpretDecoded(decoded, attempt.layout, READER_STEPS);
      if (!read) return;
      const v = votes.get(read.text);
      if (!v) votes.set(read.text, { total: read.confidence, best: { attempt, read } });
      else {
        v.total += read.confidence;
        if (read.confidence > v.best.read.confidence) v.best = { attempt, read };
      }
    });
    let winner: Vote | null = null;
    for (const v of votes.values()) if (!winner || v.total > winner.total) winner = v;
    return winner?.best ?? null;
  }

  function toPlateRead(img: RgbImage, found: { attempt: Attempt; read: InterpretedRead } | null): PlateRead | null {
    if (!found || found.read.confidence < minConfidence) return null;
    const { colour } = classifyPlateColour(img, found.attempt.box);
    return { text: found.read.text, layout: found.attempt.layout, colour, confidence: found.read.confidence, box: found.attempt.box };
  }

  return {
    async read(vehicleCrop, vehicleClass) {
      const candidates = localisePlates(vehicleCrop, vehicleClass, { maxCandidates: opts.maxCandidates ?? 3 });
      // The best candidate is read through all its boxes, the others through their main box only.
      const square = vehicleClass !== 'motorbike' && vehicleClass !== 'bicycle';
      const attempts = candidates.flatMap((c, rank) =>
        layoutsFor(c.aspect, vehicleClass).flatMap((layout): Attempt[] => {
          if (rank > 0) return [{ box: c.box, layout }];
          const main: Attempt[] =
            square && layout === 'two-line' ? squareSplits.map((split) => ({ box: c.box, layout, split })) : [{ box: c.box, layout }];
          return [...main, ...c.alternatives.map((box) => ({ box, layout }))];
        }),
      );
      return toPlateRead(vehicleCrop, await readAttempts(vehicleCrop, attempts));
    },
    async readPlateCrop(plate, layout, vehicleClass) {
      const box: Box = [0, 0, plate.width, plate.height];
      const layouts: PlateLayout[] = layout ? [layout] : vehicleClass ? layoutsFor(plate.width / plate.height, vehicleClass) : ['one-line', 'two-line'];
      return toPlateRead(plate, await readAttempts(plate, layouts.map((l) => ({ box, layout: l }))));
    },
    dispose() {
      if (ownModel) model.dispose();
    },
  };
}
