import { describe, expect, it } from 'vitest';
import type { Detection } from '@phatnguoi/core/contracts/detection';
import { Tracker, trackClass } from '../../src/tracking/tracker';
import { createRng } from '@phatnguoi/core/plates/generate';

/** Two motorbikes side by side and a car crossing them, 5 fps, with box noise, score dips and dropouts. */
function scene(seed: number) {
  const rand = createRng(seed);
  const frames: { t: number; dets: (Detection & { truth: string })[] }[] = [];
  for (let k = 0; k < 60; k++) {
    const t = k / 5;
    const objs = [
      { truth: 'm1', cls: 'motorbike' as const, x: 200, y: 700 - 40 * t, w: 30, h: 50 },
      { truth: 'm2', cls: 'motorbike' as const, x: 250, y: 690 - 38 * t, w: 30, h: 50 },
      { truth: 'c1', cls: 'car' as const, x: 50 + 45 * t, y: 400, w: 90, h: 70 },
    ];
    const dets: (Detection & { truth: string })[] = [];
    for (const o of objs) {
      if (rand() < 0.1) continue; // missed detection
      const n = () => (rand() - 0.5) * 4;
      const score = rand() < 0.15 ? 0.3 : 0.8; // sometimes only a low-score detection (occlusion, blur)
      dets.push({ truth: o.truth, cls: rand() < 0.1 ? 'car' : o.cls, score, box: [o.x - o.w / 2 + n(), o.y - o.h + n(), o.x + o.w / 2 + n(), o.y + n()] });
    }
    frames.push({ t, dets });
  }
  return frames;
}

describe('Tracker', () => {
  it('keeps one stable id per vehicle through noise, low scores and dropouts', () => {
    for (const seed of [1, 2, 3]) {
      const tracker = new Tracker({}, 'x');
      const idsByTruth = new Map<string, Set<string>>();
      scene(seed).forEach(({ t, dets }, seq) => {
        const { updated } = tracker.update(seq, t, dets);
        for (const tr of updated) {
          const last = tr.history[tr.history.length - 1]!;
          const det = dets.find((d) => d.box === last.box)!;
          if (!idsByTruth.has(det.truth)) idsByTruth.set(det.truth, new Set());
          idsByTruth.get(det.truth)!.add(tr.id);
        }
      });
      expect([...idsByTruth.keys()].sort()).toEqual(['c1', 'm1', 'm2']);
      for (const ids of idsByTruth.values()) expect(ids.size).toBe(1);
    }
  });

  it('votes the class over the track and ends tracks after the miss limit', () => {
    const tracker = new Tracker({ maxMisses: 2, minHits: 2 }, 'y');
    const det = (x: number, cls: 'car' | 'truck'): Detection => ({ box: [x, 100, x + 50, 150], cls, score: 0.9 });
    tracker.update(0, 0, [det(0, 'car')]);
    tracker.update(1, 0.2, [det(5, 'truck')]);
    const { updated } = tracker.update(2, 0.4, [det(10, 'car')]);
    expect(updated).toHaveLength(1);
    expect(trackClass(updated[0]!)).toBe('car');
    expect(updated[0]!.id).toBe('y0-1');
    expect(tracker.update(3, 0.6, []).ended).toHaveLength(0);
    expect(tracker.update(4, 0.8, []).ended).toHaveLength(0);
    expect(tracker.update(5, 1.0, []).ended.map((t) => t.id)).toEqual(['y0-1']);
  });

  it('does not report a one-frame false positive as a track', () => {
    const tracker = new Tracker({ minHits: 2 });
    const a = tracker.update(0, 0, [{ box: [0, 0, 10, 10], cls: 'car', score: 0.9 }]);
    const b = tracker.update(1, 0.2, []);
    expect(a.updated).toHaveLength(0);
    expect(b.ended).toHaveLength(0);
    expect(tracker.liveTracks).toHaveLength(0);
  });

  it('does not hand a track over to another vehicle when its own leaves the picture', () => {
    const tracker = new Tracker({ minHits: 1, maxMisses: 3 });
    // A big car moving down fast, then gone; a motorbike nearby appears in the frame it left.
    tracker.update(0, 0, [{ box: [500, 300, 700, 500], cls: 'car', score: 0.9 }]);
    tracker.update(1, 0.2, [{ box: [520, 380, 720, 580], cls: 'car', score: 0.9 }]);
    const { updated } = tracker.update(2, 0.4, [{ box: [700, 470, 740, 560], cls: 'motorbike', score: 0.9 }]);
    const car = tracker.liveTracks.find((t) => t.history[0]!.cls === 'car')!;
    expect(car.history).toHaveLength(2);
    expect(updated.map((t) => t.history[0]!.cls)).toEqual(['motorbike']);
  });
});
