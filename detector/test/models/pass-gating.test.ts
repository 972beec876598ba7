// Motion gating of model passes on small synthetic frames: the luma thumbnail, the changed area inside a pass's
// region, which passes run (first, changed, stale, under a per-frame budget), and a stream's memory of them.
import { describe, expect, it } from 'vitest';
import type { Box, Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import { changedArea, choosePasses, lumaThumb, PassMemory, type GatingOptions, type PassState } from '../../src/models/pass-gating';
import type { Pass } from '../../src/models/real-traffic';

/** A grey frame with optional filled rectangles of another grey. */
function frame(width: number, height: number, rects: Array<{ box: Box; v: number }> = [], base = 100): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(base);
  for (const { box, v } of rects) {
    for (let y = box[1]; y < box[3]; y++) for (let x = box[0]; x < box[2]; x++) data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { data, width, height };
}

const opts: GatingOptions = { cell: 8, pixelDelta: 12, minChangedModelPx: 12, maxAge: 10, maxPasses: 0 };

describe('lumaThumb / changedArea', () => {
  it('averages luma per cell and rounds the grid up at the edges', () => {
    const t = lumaThumb(frame(20, 12, [{ box: [0, 0, 8, 8], v: 200 }]), 8);
    expect([t.cols, t.rows]).toEqual([3, 2]);
    expect(t.data[0]).toBeCloseTo(200, 3);
    expect(t.data[1]).toBeCloseTo(100, 3);
  });

  it('counts the changed cells inside the region only, in image pixels', () => {
    const before = lumaThumb(frame(64, 64), 8);
    const after = lumaThumb(frame(64, 64, [{ box: [40, 40, 56, 56], v: 180 }]), 8);
    expect(changedArea(before, after, [0, 0, 64, 64], 12)).toBe(4 * 64);
    expect(changedArea(before, after, [0, 0, 32, 64], 12)).toBe(0);
    // A change below pixelDelta (noise, compression) is no change.
    expect(changedArea(before, lumaThumb(frame(64, 64, [], 108), 8), [0, 0, 64, 64], 12)).toBe(0);
  });

  it('thumbnails of different frame sizes are all change', () => {
    expect(changedArea(lumaThumb(frame(64, 64), 8), lumaThumb(frame(72, 64), 8), [0, 0, 64, 64], 12)).toBe(Infinity);
  });
});

describe('choosePasses', () => {
  const state = (age: number): PassState => ({ thumb: lumaThumb(frame(8, 8), 8), age, detections: [] });

  it('runs passes that never ran, that changed by a vehicle the pass could see, or that are maxAge old; carries the rest', () => {
    const decisions = choosePasses(
      [
        { state: undefined, changed: 0, scale: 1 },
        // Native scale: 12x12 model px = 144 image px of change is enough.
        { state: state(0), changed: 144, scale: 1 },
        { state: state(0), changed: 143, scale: 1 },
        // A pass at scale 0.25 needs (12 / 0.25)² = 2304 image px: a small motorbike moving does not rerun it.
        { state: state(0), changed: 1000, scale: 0.25 },
        { state: state(9), changed: 0, scale: 1 },
      ],
      opts,
    );
    expect(decisions).toEqual(['first', 'changed', 'carried', 'carried', 'stale']);
  });

  it('with a budget runs the stalest changed passes first and never holds back a first pass', () => {
    const decisions = choosePasses(
      [
        { state: state(1), changed: 5000, scale: 1 },
        { state: state(4), changed: 200, scale: 1 },
        { state: undefined, changed: Infinity, scale: 1 },
        { state: state(4), changed: 900, scale: 1 },
        { state: state(2), changed: 0, scale: 1 },
      ],
      { ...opts, maxPasses: 2 },
    );
    // One slot left after the first pass: the older of the two age-4 passes ties, the more changed one wins.
    expect(decisions).toEqual(['carried', 'carried', 'first', 'changed', 'carried']);
  });
});

describe('PassMemory', () => {
  const passes: Pass[] = [
    { region: [0, 0, 64, 64], kind: 'whole' },
    { region: [0, 0, 32, 64], kind: 'tile' },
    { region: [32, 0, 64, 64], kind: 'tile' },
  ];
  const scale = (p: Pass) => (p.kind === 'whole' ? 0.5 : 1);
  const box = (b: Box): Detection => ({ box: b, cls: 'motorbike', score: 0.9 });

  it('runs every pass on the first frame, then only where the picture changed, carrying the boxes of the others', () => {
    const memory = new PassMemory(opts);
    const f0 = lumaThumb(frame(64, 64), 8);
    const first = memory.plan(passes, f0, scale);
    expect(first).toEqual(['first', 'first', 'first']);
    memory.record(passes, first, f0, new Map([[1, [box([4, 4, 20, 30])]]]));

    // A motorbike-sized change in the right tile only: that tile runs; the whole pass (scale 0.5 needs 24x24 image px) does not.
    const f1 = lumaThumb(frame(64, 64, [{ box: [40, 40, 56, 56], v: 180 }]), 8);
    const second = memory.plan(passes, f1, scale);
    expect(second).toEqual(['carried', 'carried', 'changed']);
    expect(memory.carried(passes[1]!)).toEqual([box([4, 4, 20, 30])]);
    memory.record(passes, second, f1, new Map([[2, [box([40, 40, 56, 56])]]]));
    expect(memory.carried(passes[2]!)).toEqual([box([40, 40, 56, 56])]);

    // Nothing moves: everything carried until maxAge.
    const still = { ...opts, maxAge: 3 };
    const m = new PassMemory(still);
    m.record(passes, m.plan(passes, f0, scale), f0, new Map());
    const seen: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const d = m.plan(passes, f0, scale);
      seen.push(d);
      m.record(passes, d, f0, new Map());
    }
    expect(seen).toEqual([
      ['carried', 'carried', 'carried'],
      ['carried', 'carried', 'carried'],
      ['stale', 'stale', 'stale'],
    ]);
  });

  it('a change accumulates against the frame the pass last ran on, and a new plan of passes starts afresh', () => {
    const memory = new PassMemory({ ...opts, minChangedModelPx: 16 });
    const f0 = lumaThumb(frame(64, 64), 8);
    memory.record(passes, memory.plan(passes, f0, scale), f0, new Map());
    // 8x16 px changed: under 16x16 at scale 1. Then 16x16: the tile runs, though the last frame moved only a bit.
    const f1 = lumaThumb(frame(64, 64, [{ box: [40, 40, 48, 56], v: 180 }]), 8);
    const d1 = memory.plan(passes, f1, scale);
    expect(d1[2]).toBe('carried');
    memory.record(passes, d1, f1, new Map());
    const f2 = lumaThumb(frame(64, 64, [{ box: [40, 40, 56, 56], v: 180 }]), 8);
    expect(memory.plan(passes, f2, scale)[2]).toBe('changed');

    const moved: Pass[] = [
      { region: [0, 0, 64, 64], kind: 'whole' },
      { region: [8, 0, 40, 64], kind: 'tile' },
    ];
    expect(memory.plan(moved, f2, scale)).toEqual(['carried', 'first']);
  });
});
