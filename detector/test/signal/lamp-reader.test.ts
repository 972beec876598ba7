import { describe, expect, it } from 'vitest';
import type { Rect, SignalHead } from '@phatnguoi/core/contracts/camera-geometry';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';
import { LampReader, measureLamp, readLamps } from '../../src/signal/lamp-reader';
import { observationFromLamps, SignalTimeline } from '../../src/signal/signal-state';

// A daylight signal head as real cameras show it: the housing in sunlight, unlit LED lamps that read 160-180,
// and a lit lamp whose centre is overexposed to near white with only a saturated ring of its colour.
const W = 120;
const H = 160;
const lamps: Record<string, { c: [number, number]; colour: 'red' | 'yellow' | 'green'; ring: [number, number, number] }> = {
  R: { c: [40, 30], colour: 'red', ring: [235, 40, 30] },
  Y: { c: [40, 60], colour: 'yellow', ring: [240, 170, 20] },
  G: { c: [40, 90], colour: 'green', ring: [30, 230, 150] },
  A: { c: [40, 130], colour: 'green', ring: [30, 230, 150] },
};
const drawn = (id: string, dx = 0, dy = 0, pad = 0): Rect => {
  const [x, y] = lamps[id]!.c;
  return [x - 8 + dx - pad, y - 8 + dy - pad, x + 8 + dx + pad, y + 8 + dy + pad];
};
const headWith = (dx = 0, dy = 0, pad = 0): SignalHead => ({
  id: 'H',
  lamps: [
    { id: 'R', colour: 'red', shape: 'round', region: drawn('R', dx, dy, pad) },
    { id: 'Y', colour: 'yellow', shape: 'round', region: drawn('Y', dx, dy, pad) },
    { id: 'G', colour: 'green', shape: 'round', region: drawn('G', dx, dy, pad) },
    { id: 'A', colour: 'green', shape: 'arrow_right', region: drawn('A', dx, dy, pad) },
  ],
});

/** Daylight frame: bright housing (150), unlit lamps a dull tinted 170, lit lamps overexposed with a coloured ring. */
function daylight(lit: string[]): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set([150, 150, 145], i * 3);
  for (const [id, l] of Object.entries(lamps)) {
    for (let y = l.c[1] - 9; y <= l.c[1] + 9; y++) {
      for (let x = l.c[0] - 9; x <= l.c[0] + 9; x++) {
        const d = Math.hypot(x - l.c[0], y - l.c[1]);
        if (d > 9) continue;
        let px: [number, number, number];
        if (!lit.includes(id)) px = [172, 168, 160];
        else if (d < 5)
          px = [255, 252, 235]; // overexposed centre
        else px = l.ring;
        data.set(px, (y * W + x) * 3);
      }
    }
  }
  return { data, width: W, height: H };
}

describe('lamp reader on a daylight head', () => {
  it('reads an overexposed lit lamp by its coloured ring and leaves bright unlit lamps unlit, where a fixed 1.6x ratio could not', () => {
    const head = headWith();
    const img = daylight(['R']);
    const red = measureLamp(img, head.lamps[0]!.region, 'red');
    const yellow = measureLamp(img, head.lamps[1]!.region, 'yellow');
    expect(red.brightness / yellow.brightness).toBeLessThan(1.6);
    expect(red.hueMatch).toBeGreaterThan(0.5);
    expect(observationFromLamps(head, readLamps(img, head))).toEqual({ round: 'red', arrowsLit: [] });
  });

  it("learns each lamp's unlit and lit levels from the stream and follows a red-green-yellow cycle with the arrow", () => {
    const head = headWith();
    const reader = new LampReader(head);
    const seq: [string[], string][] = [
      [['R', 'A'], 'red'],
      [['R', 'A'], 'red'],
      [['G'], 'green'],
      [['G'], 'green'],
      [['Y'], 'yellow'],
      [['R'], 'red'],
    ];
    for (let k = 0; k < 5; k++) {
      for (const [lit, round] of seq) {
        const obs = observationFromLamps(head, reader.read(daylight(lit), head));
        expect(obs.round).toBe(round);
        expect(obs.arrowsLit).toEqual(lit.includes('A') ? ['A'] : []);
      }
    }
    const levels = reader.snapshot();
    expect(levels.R!.unlit).toBeGreaterThan(150);
    expect(levels.R!.lit).toBeGreaterThan(levels.R!.unlit! + 40);
    // A restored reader continues with what was learned.
    const again = new LampReader(head);
    again.restore(JSON.parse(JSON.stringify(levels)));
    expect(again.snapshot()).toEqual(levels);
  });

  it('does not take white glare (bright, colourless) for a lit lamp', () => {
    const head = headWith();
    const img = daylight([]);
    const [x1, y1, x2, y2] = head.lamps[1]!.region;
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) img.data.set([255, 255, 255], (y * W + x) * 3);
    expect(observationFromLamps(head, readLamps(img, head)).round).toBe('unknown');
  });

  it('is robust to a few pixels of error in the drawn regions', () => {
    for (const [dx, dy, pad] of [
      [3, 0, 0],
      [-3, 0, 0],
      [0, 3, 0],
      [0, -3, 0],
      [0, 0, 4],
      [2, -2, 2],
    ] as const) {
      const head = headWith(dx, dy, pad);
      const reader = new LampReader(head);
      for (const [lit, round] of [
        [['R', 'A'], 'red'],
        [['G'], 'green'],
        [['Y'], 'yellow'],
      ] as const) {
        const obs = observationFromLamps(head, reader.read(daylight([...lit]), head));
        expect(obs.round, `shift ${dx},${dy} pad ${pad}`).toBe(round);
      }
    }
  });
});

describe('flickering LED arrow', () => {
  const red = (arrow: boolean) => ({ round: 'red' as const, arrowsLit: arrow ? ['A'] : [] });

  it('holds an arrow that is never lit in two consecutive frames', () => {
    const tl = new SignalTimeline();
    for (let k = 0; k < 30; k++) tl.observe(k * 0.1, red(k % 2 === 0));
    expect(tl.segments.map((s) => s.arrowsLit)).toEqual([['A']]);
    expect(tl.at(2.95).arrowsLit).toEqual(['A']);
  });

  it('dates the arrow going off to its first dark frame, settled no later than the hold after it', () => {
    const tl = new SignalTimeline({ confirmFrames: 2, holdSeconds: 1.5, keepSeconds: 60, flickerHoldSeconds: 0.3 });
    for (let k = 0; k <= 20; k++) tl.observe(k * 0.1, red(k % 2 === 0)); // last lit at 2.0
    const offAt = 2.1;
    let settledAt: number | null = null;
    for (let k = 21; k <= 40; k++) {
      const t = k * 0.1;
      tl.observe(t, red(false));
      if (settledAt === null && tl.knownUntil >= offAt) settledAt = t;
    }
    expect(tl.at(2.05).arrowsLit).toEqual(['A']);
    expect(tl.at(offAt + 0.01).arrowsLit).toEqual([]);
    expect(tl.segments[tl.segments.length - 1]!.start).toBeCloseTo(offAt, 5);
    expect(settledAt! - offAt).toBeLessThanOrEqual(0.3 + 0.2 + 1e-9); // the hold, then one confirming frame
    // While the arrow is dark but within the hold, the state after its dark frame is not settled.
    const tl2 = new SignalTimeline();
    tl2.observe(0, red(true));
    tl2.observe(0.1, red(true));
    tl2.observe(0.2, red(false));
    expect(tl2.knownUntil).toBeLessThan(0.2);
  });

  it('lights an arrow from its first lit frame', () => {
    const tl = new SignalTimeline();
    tl.observe(0, red(false));
    tl.observe(0.1, red(false));
    tl.observe(0.2, red(true));
    tl.observe(0.3, red(false));
    tl.observe(0.4, red(true));
    expect(tl.at(0.25).arrowsLit).toEqual(['A']);
    expect(tl.segments[tl.segments.length - 1]).toMatchObject({ start: 0.2, arrowsLit: ['A'] });
  });
});
