import { describe, expect, it } from 'vitest';
import type { LampColour } from '@phatnguoi/core/contracts/camera-geometry';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';
import { readLamps } from '../../src/signal/lamp-reader';
import { observationFromLamps, SignalTimeline, type SignalObservation } from '../../src/signal/signal-state';
import { geometry } from '../fixtures/scene';

const head = geometry.signalHeads[0]!;
const RGB: Record<LampColour, [number, number, number]> = { red: [255, 40, 30], yellow: [255, 190, 20], green: [40, 255, 120] };

/** Dark frame with the given lamps lit (optionally dimmed, e.g. night exposure). */
function frame(lit: string[], gain = 1): RgbImage {
  const width = 640;
  const height = 120;
  const data = new Uint8Array(width * height * 3).fill(25);
  for (const lamp of head.lamps) {
    const on = lit.includes(lamp.id);
    const [r, g, b] = on ? RGB[lamp.colour] : [45, 45, 45];
    for (let y = lamp.region[1] + 3; y < lamp.region[3] - 3; y++) {
      for (let x = lamp.region[0] + 3; x < lamp.region[2] - 3; x++) {
        const i = (y * width + x) * 3;
        data[i] = r * gain;
        data[i + 1] = g * gain;
        data[i + 2] = b * gain;
      }
    }
  }
  return { data, width, height };
}

const obs = (img: RgbImage) => observationFromLamps(head, readLamps(img, head));

describe('lamp reading', () => {
  it('reads the lit round lamp and lit arrows, at day and night exposure', () => {
    expect(obs(frame(['R']))).toEqual({ round: 'red', arrowsLit: [] });
    expect(obs(frame(['Y']))).toEqual({ round: 'yellow', arrowsLit: [] });
    expect(obs(frame(['G'], 0.6))).toEqual({ round: 'green', arrowsLit: [] });
    expect(obs(frame(['R', 'GL']))).toEqual({ round: 'red', arrowsLit: ['GL'] });
  });

  it('reports a dark frame (LED off phase) as unknown', () => {
    expect(obs(frame([])).round).toBe('unknown');
  });
});

describe('SignalTimeline', () => {
  const red: SignalObservation = { round: 'red', arrowsLit: [] };
  const green: SignalObservation = { round: 'green', arrowsLit: [] };
  const dark: SignalObservation = { round: 'unknown', arrowsLit: [] };

  it('ignores a one-frame flicker and bridges dark frames', () => {
    const tl = new SignalTimeline();
    tl.observe(0, green);
    tl.observe(0.2, green);
    tl.observe(0.4, red); // one-frame glitch
    tl.observe(0.6, green);
    tl.observe(0.8, dark);
    tl.observe(1.0, dark);
    tl.observe(1.2, green);
    expect(tl.segments.map((s) => s.round)).toEqual(['green']);
    expect(tl.at(1.1).round).toBe('green');
  });

  it('dates a confirmed change back to the first frame that showed it', () => {
    const tl = new SignalTimeline();
    tl.observe(0, green);
    tl.observe(0.2, red);
    expect(tl.knownUntil).toBeLessThan(0.2); // undecided until confirmed
    tl.observe(0.4, red);
    expect(tl.at(0.3)).toMatchObject({ round: 'red', roundSince: 0.2, previousRound: 'green' });
    expect(tl.knownUntil).toBe(0.4);
  });

  it('becomes unknown for the whole stretch when the lamps stay unreadable longer than the hold time', () => {
    const tl = new SignalTimeline({ confirmFrames: 2, holdSeconds: 1, keepSeconds: 60 });
    tl.observe(0, red);
    tl.observe(0.2, dark);
    tl.observe(0.4, dark);
    expect(tl.knownUntil).toBe(0); // undecided while dark: the light may be changing
    for (let t = 0.6; t < 3; t += 0.2) tl.observe(t, dark);
    expect(tl.at(0.1).round).toBe('red');
    expect(tl.at(0.5).round).toBe('unknown');
    expect(tl.at(2.5).round).toBe('unknown');
    expect(tl.knownUntil).toBeGreaterThan(2.5);
  });

  it('makes a dark stretch unknown when the colour differs on either side of it, so no crossing in it is judged on a guess', () => {
    const tl = new SignalTimeline();
    tl.observe(0, red);
    tl.observe(0.2, red);
    tl.observe(0.4, dark); // the light turns green somewhere in here
    tl.observe(0.6, dark);
    tl.observe(0.8, green);
    expect(tl.knownUntil).toBeLessThan(0.4);
    tl.observe(1.0, green);
    expect(tl.at(0.3).round).toBe('red');
    expect(tl.at(0.5).round).toBe('unknown');
    expect(tl.at(0.9)).toMatchObject({ round: 'green', roundSince: 0.8 });
    expect(tl.knownUntil).toBe(1.0);
  });

  it('keeps a new colour dated from its first frame across a dark frame while it is being confirmed', () => {
    const tl = new SignalTimeline();
    tl.observe(0, green);
    tl.observe(0.2, red);
    tl.observe(0.4, dark);
    tl.observe(0.6, red);
    expect(tl.at(0.5)).toMatchObject({ round: 'red', roundSince: 0.2, previousRound: 'green' });
  });

  it('restores from a snapshot in the middle of a dark stretch', () => {
    const a = new SignalTimeline();
    a.observe(0, red);
    a.observe(0.2, red);
    a.observe(0.4, dark);
    const b = new SignalTimeline();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    for (const tl of [a, b]) {
      tl.observe(0.6, green);
      tl.observe(0.8, green);
    }
    expect(b.segments).toEqual(a.segments);
    expect(b.at(0.5).round).toBe('unknown');
  });

  it('after a stream discontinuity, dates the red from its first frame after the jump, never from an onset seen before it', () => {
    const tl = new SignalTimeline();
    for (let t = 0; t <= 1; t += 0.2) tl.observe(t, green);
    tl.observe(1.2, red);
    tl.observe(1.4, red);
    expect(tl.at(1.4)).toMatchObject({ round: 'red', roundSince: 1.2 });
    tl.discontinuity(1.6); // a cut: the next frame comes from another moment of the stream, red as well
    expect(tl.at(1.6).round).toBe('unknown');
    tl.observe(1.6, red);
    expect(tl.knownUntil).toBeLessThan(1.6); // one frame is not enough to re-establish the state
    tl.observe(1.8, red);
    expect(tl.at(1.8)).toMatchObject({ round: 'red', roundSince: 1.6, previousRound: 'unknown' });
    expect(tl.knownUntil).toBe(1.8);
    expect(tl.at(1.3)).toMatchObject({ round: 'red', roundSince: 1.2 }); // before the jump, unchanged
  });

  it('treats a stall (no frame for longer than stallSeconds: stream stalled, detector restarted) as a discontinuity', () => {
    const tl = new SignalTimeline();
    tl.observe(0, red);
    tl.observe(0.2, red);
    tl.observe(2.2, red); // a loaded detector skipping frames for 2 s: the same red, bridged
    expect(tl.at(2.2)).toMatchObject({ round: 'red', roundSince: 0 });
    tl.observe(15, red); // nothing for 12.8 s: a whole cycle may have passed
    expect(tl.at(8).round).toBe('unknown'); // nothing was seen during the stall
    expect(tl.at(15).round).toBe('unknown');
    tl.observe(15.2, red);
    expect(tl.at(15.2)).toMatchObject({ round: 'red', roundSince: 15 });
    const restored = new SignalTimeline();
    restored.restore(JSON.parse(JSON.stringify(tl.snapshot())));
    restored.observe(30, red);
    restored.observe(30.2, red);
    expect(restored.at(30.2)).toMatchObject({ round: 'red', roundSince: 30 });
  });

  it('a controller feed goes on across a discontinuity of the video', () => {
    const tl = new SignalTimeline();
    tl.controller(1, red);
    tl.discontinuity(3);
    expect(tl.at(3)).toMatchObject({ round: 'red', roundSince: 1, source: 'controller' });
  });

  it('lets the signal-controller feed override vision', () => {
    const tl = new SignalTimeline();
    tl.observe(0, green);
    tl.controller(1, red);
    tl.observe(1.2, green);
    tl.observe(1.4, green);
    tl.advance(5);
    expect(tl.at(3)).toMatchObject({ round: 'red', roundSince: 1, source: 'controller' });
    expect(tl.knownUntil).toBe(5);
  });
});
