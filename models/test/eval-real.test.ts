// eval:real's pure parts: label files parsed and checked (every problem at once), and the scoring by class group.
import { describe, expect, it } from 'vitest';
import type { Detection } from '@phatnguoi/core/contracts/detection';
import { parseFrameLabel, readLabelFolder } from '../src/real/labels';
import { matchFrame, scoreFrames, type LabelledFrame } from '../src/real/score';

const image = { data: new Uint8Array(3), width: 1, height: 1 };

describe('real-frame labels', () => {
  it('reads the real-dev format (clip + frame_index / pts_time, boxes with cls) and still images', () => {
    const l = parseFrameLabel('a.json', {
      clip: 'c.mp4',
      pts_time: 3.967,
      frame_index: 119,
      width: 1620,
      height: 720,
      boxes: [{ cls: 'motorbike', box: [697, 268, 784, 424], note: 'x' }],
    });
    expect(l).toEqual({
      file: 'a.json',
      clip: 'c.mp4',
      frameIndex: 119,
      ptsTime: 3.967,
      image: undefined,
      width: 1620,
      height: 720,
      boxes: [{ cls: 'motorbike', box: [697, 268, 784, 424] }],
    });
    expect(parseFrameLabel('b.json', { image: 'f.jpg', roi: [0, 100, 640, 480], boxes: [] })).toMatchObject({ image: 'f.jpg', roi: [0, 100, 640, 480] });
  });

  it('lists every problem of a folder at once', async () => {
    const files: Record<string, string> = {
      'ok.json': JSON.stringify({ clip: 'c.mp4', frame_index: 0, boxes: [] }),
      'bad.json': JSON.stringify({
        clip: 'c.mp4',
        boxes: [
          { cls: 'tuk-tuk', box: [0, 0, 1, 1] },
          { cls: 'car', box: [5, 5, 2, 2] },
        ],
      }),
      'both.json': JSON.stringify({ clip: 'c.mp4', image: 'i.jpg', frame_index: 1, boxes: [] }),
      'broken.json': '{',
      'notes.txt': 'ignored',
    };
    const err = await readLabelFolder('dir', Object.keys(files), async (f) => files[f]!).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/bad\.json: a clip label needs "frame_index" or "pts_time"/);
    expect(msg).toMatch(/bad\.json: boxes\[0\]\.cls must be one of/);
    expect(msg).toMatch(/bad\.json: boxes\[1\]\.box/);
    expect(msg).toMatch(/both\.json: give either "clip"/);
    expect(msg).toMatch(/broken\.json:/);
    expect(msg).not.toMatch(/ok\.json/);
    await expect(readLabelFolder('dir', ['ok.json'], async (f) => files[f]!)).resolves.toHaveLength(1);
  });
});

describe('scoring', () => {
  const truth = [
    { cls: 'motorbike' as const, box: [0, 0, 10, 20] as [number, number, number, number] },
    { cls: 'bicycle' as const, box: [50, 0, 60, 20] as [number, number, number, number] },
    { cls: 'truck' as const, box: [100, 0, 200, 80] as [number, number, number, number] },
  ];
  it('a box matches a labelled box of its group (bicycle ~ motorbike, car ~ truck), once, at the IoU', () => {
    const preds: Detection[] = [
      { cls: 'motorbike', box: [50, 0, 60, 20], score: 0.9 }, // the bicycle: same group
      { cls: 'car', box: [100, 0, 200, 80], score: 0.8 }, // the truck: same group
      { cls: 'car', box: [101, 0, 200, 80], score: 0.7 }, // duplicate: false
      { cls: 'car', box: [0, 0, 10, 20], score: 0.6 }, // on the motorbike but another group: false
    ];
    const m = matchFrame(truth, preds, 0.5);
    expect(m.found).toEqual({ motorbike: 1, vehicle: 1, pedestrian: 0 });
    expect(m.matched).toBe(2);
    // A loose box passes at 0.3 only.
    expect(matchFrame(truth, [{ cls: 'motorbike', box: [0, 0, 10, 45], score: 1 }], 0.3).matched).toBe(1);
    expect(matchFrame(truth, [{ cls: 'motorbike', box: [0, 0, 10, 45], score: 1 }], 0.5).matched).toBe(0);
  });

  it('recall per group, precision and false boxes per frame over frames; the roi limits what is scored', () => {
    const frames: LabelledFrame[] = [
      { label: { file: 'a', clip: 'c', frameIndex: 0, boxes: truth }, image },
      { label: { file: 'b', clip: 'c', frameIndex: 1, roi: [90, 0, 300, 100], boxes: truth }, image },
    ];
    const preds: Detection[][] = [
      [
        { cls: 'motorbike', box: [0, 0, 10, 20], score: 0.9 },
        { cls: 'car', box: [300, 300, 320, 320], score: 0.5 },
      ],
      [
        { cls: 'truck', box: [100, 0, 200, 80], score: 0.9 },
        { cls: 'motorbike', box: [0, 0, 10, 20], score: 0.9 },
      ],
    ];
    const s = scoreFrames(frames, preds, 0.5);
    expect(s.groups.motorbike).toMatchObject({ truth: 2, matched: 1, recall: 0.5 });
    expect(s.groups.vehicle).toMatchObject({ truth: 2, matched: 1, recall: 0.5 });
    expect(s.predictions).toBe(3);
    expect(s.truePositives).toBe(2);
    expect(s.falsePerFrame).toBe(0.5);
  });
});
