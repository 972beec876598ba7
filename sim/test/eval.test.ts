import { describe, expect, it } from 'vitest';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { evaluate, type PredictedViolation } from '../src/eval/match';
import { predictionsFromJson } from '../src/eval/predictions';
import type { TruthViolation } from '../src/world/violations';
import type { TruthFrame } from '../src/render/compose';

// A hand-made truth: two red-light runners and a car in the motorbike lane, 10 fps, 20 s.
const RUNNER_BOX: Box = [100, 100, 160, 200];
const CAR_BOX: Box = [400, 300, 520, 380];
const violations: TruthViolation[] = [
  { id: 'red_light:a:0', type: 'red_light', trackId: 'a', timeS: 5, startS: 5, endS: 5, frame: 50, box: RUNNER_BOX, plateText: '29-B1 123.45', rule: 'r' },
  {
    id: 'red_light:b:0',
    type: 'red_light',
    trackId: 'b',
    timeS: 12,
    startS: 12,
    endS: 12,
    frame: 120,
    box: [600, 100, 650, 190],
    plateText: '30A-999.01',
    rule: 'r',
  },
  { id: 'wrong_lane:c:0', type: 'wrong_lane', trackId: 'c', timeS: 8, startS: 8, endS: 14, frame: 80, box: CAR_BOX, plateText: '51G-456.78', rule: 'r' },
];
const frames: TruthFrame[] = Array.from({ length: 200 }, (_, i) => ({
  index: i,
  t: i / 10,
  objects: [
    { trackId: 'a', cls: 'motorbike' as const, kind: 'motorbike' as const, box: RUNNER_BOX, occluded: 0, plate: null },
    { trackId: 'c', cls: 'car' as const, kind: 'car' as const, box: CAR_BOX, occluded: 0, plate: null },
  ],
  // Frames 150-159 caught the LEDs dark (flicker).
  lights: [{ headId: 'main', round: i < 100 ? ('green' as const) : ('red' as const), arrow: null, countdown: null, lit: i < 150 || i >= 160 }],
}));
const truth = { violations, frames, video: { width: 1280, height: 720, fps: 10, frames: 200, durationS: 20 } };

const perfect: PredictedViolation[] = [
  { type: 'red_light', timeS: 5.3, trackId: 'T1', box: [102, 98, 158, 203], plateText: '29-B1 123.45' },
  { type: 'red_light', timeS: 11.5, plateText: '30A-999.01' },
  { type: 'wrong_lane', timeS: 10, box: [405, 305, 515, 382], plateText: '51G-456.78' },
];

describe('evaluator matching', () => {
  it('perfect prediction: precision and recall 1, all plates exact', () => {
    const r = evaluate(truth, perfect);
    expect(r.byType.red_light).toMatchObject({ truth: 2, predicted: 2, tp: 2, fp: 0, fn: 0, precision: 1, recall: 1 });
    expect(r.byType.wrong_lane).toMatchObject({ tp: 1, precision: 1, recall: 1 });
    expect(r.byType.wrong_way).toMatchObject({ truth: 0, predicted: 0, precision: null, recall: null });
    expect(r.plates).toEqual({ matched: 3, read: 3, exact: 3, exactRate: 1 });
    expect(r.matches.map((m) => m.identity).sort()).toEqual(['box', 'box', 'time']);
  });

  it('missed violation: recall drops, precision stays', () => {
    const r = evaluate(truth, perfect.slice(1));
    expect(r.byType.red_light).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
    expect(r.missed.map((m) => m.id)).toEqual(['red_light:a:0']);
  });

  it('false alarm: a prediction on another vehicle or outside the time tolerance does not match', () => {
    const r = evaluate(truth, [
      ...perfect,
      { type: 'red_light', timeS: 5.1, box: [900, 500, 960, 600] }, // right time, wrong vehicle
      { type: 'red_light', timeS: 18 }, // no violation near this time
    ]);
    expect(r.byType.red_light).toMatchObject({ truth: 2, predicted: 4, tp: 2, fp: 2, fn: 0, precision: 0.5, recall: 1 });
    expect(r.falseAlarms.map((f) => f.timeS)).toEqual([5.1, 18]);
  });

  it('wrong type: counts as a false alarm of its type and a miss of the true type, and is reported', () => {
    const r = evaluate(truth, [perfect[0]!, perfect[1]!, { type: 'wrong_way', timeS: 9, box: CAR_BOX }]);
    expect(r.byType.wrong_way).toMatchObject({ predicted: 1, tp: 0, fp: 1 });
    expect(r.byType.wrong_lane).toMatchObject({ truth: 1, tp: 0, fn: 1, recall: 0 });
    expect(r.wrongType).toEqual([{ predicted: 'wrong_way', actual: 'wrong_lane', truthId: 'wrong_lane:c:0', predIndex: 2 }]);
  });

  it('wrong plate: the violation still matches, the plate exact-match rate drops', () => {
    const r = evaluate(truth, [perfect[0]!, { ...perfect[1]!, plateText: '30A-999.07' }, { ...perfect[2]!, plateText: null }]);
    expect(r.overall).toMatchObject({ tp: 3, fp: 0, fn: 0 });
    expect(r.plates).toEqual({ matched: 3, read: 2, exact: 1, exactRate: 1 / 3 });
  });

  it('a plate breaks a tie between two time-only candidates', () => {
    const twoClose = { ...truth, violations: [violations[0]!, { ...violations[1]!, timeS: 5.5, startS: 5.5, endS: 5.5 }] };
    const r = evaluate(twoClose, [{ type: 'red_light', timeS: 5.4, plateText: '29-B1 123.45' }]);
    expect(r.matches[0]!.truthId).toBe('red_light:a:0');
  });

  it('interval violations match anywhere inside the interval (plus tolerance)', () => {
    expect(evaluate(truth, [{ type: 'wrong_lane', timeS: 13.9 }]).byType.wrong_lane!.tp).toBe(1);
    expect(evaluate(truth, [{ type: 'wrong_lane', timeS: 16.5 }]).byType.wrong_lane!.tp).toBe(0);
  });

  it('light-state accuracy against the truth frames, dark frames judged only for a wrong colour', () => {
    const r = evaluate(
      truth,
      [],
      [
        { timeS: 1, headId: 'main', round: 'green' },
        { timeS: 14, headId: 'main', round: 'red' },
        { timeS: 16, headId: 'main', round: 'green' },
        { timeS: 15.1, headId: 'main', round: 'unknown' }, // dark: unknown is right
        { timeS: 15.3, headId: 'main', round: 'red' }, // dark: the held colour is right
        { timeS: 15.5, headId: 'main', round: 'green' }, // dark: a wrong colour
      ],
    );
    expect(r.lights).toEqual({ judged: 3, correct: 2, accuracy: 2 / 3, dark: { judged: 3, wrongColour: 1 } });
  });

  it('reads database-like rows and offline-runner results', () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const { violations: v } = predictionsFromJson(
      [{ type: 'red_light', occurred_at: '2026-01-01T00:00:05.200Z', track_id: 7, plate_text: '29-B1 123.45' }],
      start,
    );
    expect(v).toEqual([{ type: 'red_light', timeS: 5.2, trackId: '7', box: null, plateText: '29-B1 123.45' }]);
    const off = predictionsFromJson({ violations: [{ type: 'red_light', trackId: 't', time: 12.1, box: [1, 2, 3, 4], plate: { text: '30A-999.01' } }] }, null);
    expect(off.violations[0]).toMatchObject({ timeS: 12.1, plateText: '30A-999.01', box: [1, 2, 3, 4] });
    expect(() => predictionsFromJson([{ type: 'red_light', occurredAt: '2026-01-01T00:00:05Z' }], null)).toThrow(/--start/);
  });
});
