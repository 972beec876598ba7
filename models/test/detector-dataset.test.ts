import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputSpec } from '@phatnguoi/detector/models/config';
import { clipToView, framesToExamples, frameTruth, rng, type FrameRecord } from '../src/detector/dataset';

const labels = ['motorbike', 'car', 'bus', 'truck'];
const spec: InputSpec = { width: 64, height: 32, resize: 'letterbox', padValue: 0, channelOrder: 'RGB', layout: 'NHWC', mean: [0, 0, 0], std: [1, 1, 1] };

let dir: string;
let record: FrameRecord;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'det-dataset-'));
  const image = path.join(dir, 'frame.jpg');
  await sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .jpeg()
    .toFile(image);
  record = {
    image,
    width: 400,
    height: 200,
    group: 'scene-1',
    roi: [200, 100, 400, 200],
    objects: [
      { box: [250, 120, 290, 180], cls: 'taxi', occluded: 0 }, // inside the region of interest
      { box: [180, 150, 220, 190], cls: 'motorbike', occluded: 0 }, // half inside: kept, clipped
      { box: [10, 10, 60, 60], cls: 'truck', occluded: 0 }, // outside
      { box: [300, 110, 340, 150], cls: 'car', occluded: 0.9 }, // hidden
      { box: [320, 150, 330, 160], cls: 'pedestrian', occluded: 0 }, // not a detector class
    ],
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('detector training data', () => {
  it('clips a box to a view and says how much of it is inside', () => {
    expect(clipToView([0, 0, 10, 10], [5, 0, 20, 20])).toEqual({ box: [5, 0, 10, 10], visible: 0.5 });
    expect(clipToView([0, 0, 10, 10], [10, 0, 20, 20])).toBeNull();
  });

  it('asks only for visible detector classes, and within a region only for what is mostly inside it', () => {
    expect(frameTruth(record, labels).map((o) => o.cls)).toEqual(['car', 'motorbike', 'truck']);
    expect(frameTruth(record, labels, record.roi)).toEqual([
      { box: [250, 120, 290, 180], cls: 'car' },
      { box: [200, 150, 220, 190], cls: 'motorbike' },
    ]);
  });

  it('makes the first example from the region of interest, as the pipeline sees the scene', async () => {
    const examples = await framesToExamples(record, labels, spec, 3, rng(1));
    expect(examples).toHaveLength(3);
    expect(examples[0]!.pixels).toHaveLength(64 * 32 * 3);
    // The 200x100 region fills the 64x32 input exactly (scale 0.32); boxes are in model-input pixels.
    const boxes = examples[0]!.boxes;
    expect(boxes.map((b) => labels[b.cls])).toEqual(['car', 'motorbike']);
    const car = boxes[0]!.box;
    expect(car[0]).toBeCloseTo(16);
    expect(car[1]).toBeCloseTo(6.4);
    expect(car[2]).toBeCloseTo(28.8);
    expect(car[3]).toBeCloseTo(25.6);
  });

  it('uses the whole frame first when the export has no region of interest', async () => {
    const { roi: _roi, ...whole } = record;
    const [first] = await framesToExamples(whole, labels, spec, 1, rng(1));
    // 400x200 letterboxed into 64x32: scale 0.16, no padding; the truck outside the region is now asked for.
    expect(first!.boxes.map((b) => labels[b.cls]).sort()).toEqual(['car', 'motorbike', 'truck']);
  });
});
