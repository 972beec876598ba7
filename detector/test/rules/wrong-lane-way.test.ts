import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_CONFIG, laneClassRule, solidLineRule, wrongWayRule } from '../../src/rules';
import { counterflowChain } from '../../src/rules/counterflow';
import type { Detection } from '@phatnguoi/core/contracts/detection';
import { geometry, lane, run, track } from '../fixtures/scene';

const config = DEFAULT_RULES_CONFIG;
const L1 = lane('L1');
const L2 = lane('L2');
const SL1 = geometry.solidLines[0]!;

describe('laneClassRule', () => {
  it('flags a car staying in the motorbike lane', () => {
    const r = laneClassRule(track(run(0, 400, 700, 300, 100), { cls: 'car' }), L2, config);
    expect(r).toMatchObject({ status: 'violation', violation: { type: 'wrong_lane', phaseId: 'lane:L2', laneId: 'L2' } });
  });

  it('allows motorbikes in the motorbike lane and cars in the mixed lane', () => {
    expect(laneClassRule(track(run(0, 400, 700, 300, 100), { cls: 'motorbike' }), L2, config).status).toBe('none');
    expect(laneClassRule(track(run(0, 200, 700, 300, 100), { cls: 'car' }), L1, config).status).toBe('none');
  });

  it('counts the dwell only once the car is in view, not while the frame cuts its box off at the bottom', () => {
    // The box bottom sits on the frame's bottom edge (720) for the first 1.2 s: a car still entering the view.
    const cutOffPoints = (n: number) => Array.from({ length: n }, (_, k) => [k / 5, 400, 719] as [number, number, number]);
    const entering = track([...cutOffPoints(7), ...run(1.4, 400, 700, 600, 100)]);
    const r = laneClassRule(entering, L2, config, geometry.reference.height);
    expect(r).toMatchObject({ status: 'violation', violation: { t: 1.4 } });
    // Without the frame height the cut-off frames count from the start.
    expect(laneClassRule(entering, L2, config)).toMatchObject({ status: 'violation', violation: { t: 0 } });
    // Never in view: no violation.
    const cutOff = track(cutOffPoints(10));
    expect(laneClassRule(cutOff, L2, config, geometry.reference.height).status).toBe('none');
  });

  it('does not flag a car passing briefly through the lane (lane change)', () => {
    const pass = track([
      [0, 250, 600],
      [0.2, 290, 590],
      [0.4, 320, 580],
      [0.6, 340, 570],
      [0.8, 290, 560],
      [1.0, 250, 550],
      [1.2, 240, 540],
    ]);
    expect(laneClassRule(pass, L2, config).status).toBe('none');
  });
});

describe('solidLineRule', () => {
  it('flags crossing the solid line from one side to the other', () => {
    const cross = track([
      [0, 260, 650],
      [0.2, 275, 620],
      [0.4, 295, 590],
      [0.6, 315, 560],
      [0.8, 335, 530],
    ]);
    expect(solidLineRule(cross, SL1, config)).toMatchObject({
      status: 'violation',
      violation: { type: 'wrong_lane', phaseId: 'solid:SL1', solidLineId: 'SL1' },
    });
  });

  it('tolerates driving alongside the line with jitter, and crossing beyond its end', () => {
    const along: [number, number, number][] = run(0, 300, 700, 430, 100).map(([t, x, y], i) => [t, x + (i % 2 ? 2 : -2), y]);
    expect(solidLineRule(track(along), SL1, config).status).toBe('none');
    const pastEnd = track([
      [0, 260, 380],
      [0.2, 300, 370],
      [0.4, 340, 360],
    ]);
    expect(solidLineRule(pastEnd, SL1, config).status).toBe('none');
  });
});

describe('wrongWayRule', () => {
  it('flags driving against the lane direction for the minimum distance', () => {
    const r = wrongWayRule(track(run(0, 200, 300, 500, 100)), L1, config);
    expect(r).toMatchObject({ status: 'violation', violation: { type: 'wrong_way', phaseId: 'lane:L1' } });
    if (r.status === 'violation') expect(r.violation.distancePx).toBeGreaterThanOrEqual(config.wrongWayMinPx);
  });

  it('does not flag normal traffic, a jittering stopped vehicle or a short reverse', () => {
    expect(wrongWayRule(track(run(0, 200, 700, 200, 100)), L1, config).status).toBe('none');
    const jitter: [number, number, number][] = [];
    for (let k = 0; k < 50; k++) jitter.push([k * 0.2, 200 + (k % 3), 450 + (k % 2 ? 4 : -4)]);
    expect(wrongWayRule(track(jitter), L1, config).status).toBe('none');
    expect(wrongWayRule(track(run(0, 200, 400, 430, 20)), L1, config).status).toBe('none');
  });

  it('does not flag a track that jumps back to a nearer vehicle and then drives on', () => {
    // Id switch: the track follows a vehicle at y 400, then a nearer one at y 520 that drives away normally.
    const jump = track([...run(0, 200, 460, 400, 100), ...run(0.8, 200, 520, 440, 100)]);
    expect(wrongWayRule(jump, L1, config).status).toBe('none');
  });

  it('does not flag the box jitter of a large vehicle near the camera', () => {
    // A bus-sized box (160 px tall) whose bottom edge wobbles by 70 px while the bus creeps forward.
    const points = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => ({
      seq: k,
      t: k * 0.2,
      box: [150, 540 - k * 2 + (k % 2 ? 70 : 0) - 160, 250, 540 - k * 2 + (k % 2 ? 70 : 0)] as [number, number, number, number],
      cls: 'bus' as const,
      score: 0.6,
    }));
    expect(wrongWayRule({ id: 'B', cls: 'bus', points, ended: true }, L1, config).status).toBe('none');
  });

  it('flags a large vehicle that drives against the direction by more than half its height', () => {
    const points = [0, 1, 2, 3, 4, 5].map((k) => ({
      seq: k,
      t: k * 0.2,
      box: [150, 300 + k * 30 - 160, 250, 300 + k * 30] as [number, number, number, number],
      cls: 'bus' as const,
      score: 0.6,
    }));
    const r = wrongWayRule({ id: 'B', cls: 'bus', points, ended: true }, L1, config);
    expect(r.status).toBe('violation');
    if (r.status === 'violation') expect(r.violation.distancePx).toBeGreaterThanOrEqual(80);
  });

  it('does not count sideways movement across the lane as wrong way', () => {
    const sideways = track([
      [0, 110, 500],
      [0.5, 150, 505],
      [1, 200, 510],
      [1.5, 250, 515],
      [2, 290, 520],
    ]);
    expect(wrongWayRule(sideways, L1, config).status).toBe('none');
  });
});

describe('solidLineRule beyond the end of a slanted line', () => {
  it('does not count passing the extension of the line, far from the marking', () => {
    const slanted = {
      id: 'SL2',
      kind: 'double' as const,
      points: [
        [125, 720],
        [371, 409],
      ] as [number, number][],
    };
    // Crossing traffic in the intersection above the line's end: the side flips, the marking is never touched.
    const crossing = track([
      [0, 60, 280],
      [0.2, 150, 279],
      [0.4, 250, 278],
      [0.6, 350, 277],
      [0.8, 450, 276],
    ]);
    expect(solidLineRule(crossing, slanted, config).status).toBe('none');
    const through = track([
      [0, 150, 650],
      [0.2, 200, 640],
      [0.4, 240, 630],
    ]);
    expect(solidLineRule(through, slanted, config).status).toBe('violation');
  });
});

describe('counterflowChain (wrong way through a crowd)', () => {
  // Lane L2 (x 300-500) runs up the image. A queue of motorbikes waits in it (boxes 40x80 at y 200..560, still),
  // and a rider comes down through them at 25 px a frame (5 fps), hidden behind one every third frame.
  const bike = (cx: number, bottom: number, h = 80): Detection => ({ cls: 'motorbike', score: 0.85, box: [cx - 20, bottom - h, cx + 20, bottom] });
  const queue = (k: number) => [200, 290, 380, 470, 560].map((y, i) => bike(400 + (i % 2) * 6, y + ((k + i) % 3) - 1));
  const frames = (rider: (k: number) => Detection | null, n = 16) =>
    Array.from({ length: n }, (_, k) => {
      const r = rider(k);
      return { seq: k, t: k / 5, detections: [...queue(k), ...(r ? [r] : [])] };
    });
  const riderDown = (k: number) => (k % 3 === 2 ? null : bike(430, 250 + 25 * k, 80 + k));

  it('follows a rider going against the lane past the waiting queue, through frames where it is hidden', () => {
    const chain = counterflowChain(frames(riderDown), L2, config);
    expect(chain).not.toBeNull();
    expect(chain!.points.length).toBeGreaterThanOrEqual(8);
    expect(chain!.points.every((p) => p.det.box[0] === 410)).toBe(true); // the rider's boxes only, never the queue's
    expect(chain!.against).toBeGreaterThan(200);
  });

  it('finds nothing in a queue that only jitters, in traffic moving with the lane, or in a short reverse', () => {
    expect(
      counterflowChain(
        frames(() => null),
        L2,
        config,
      ),
    ).toBeNull();
    expect(
      counterflowChain(
        frames((k) => bike(430, 650 - 25 * k)),
        L2,
        config,
      ),
    ).toBeNull();
    expect(
      counterflowChain(
        frames((k) => (k >= 12 ? bike(430, 300 + 10 * (k - 12)) : null)),
        L2,
        config,
      ),
    ).toBeNull();
  });

  it('does not hop down a dense queue from one waiting bike to the next (each one stays where it was)', () => {
    const dense = Array.from({ length: 16 }, (_, k) => ({
      seq: k,
      t: k / 5,
      detections: Array.from({ length: 9 }, (_, i) => bike(420, 240 + 45 * i + ((k + i) % 2))),
    }));
    expect(counterflowChain(dense, L2, config)).toBeNull();
  });
});
