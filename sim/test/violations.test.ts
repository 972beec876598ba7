import { describe, expect, it } from 'vitest';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { CATALOGUE, findScenario } from '../src/scenario/catalogue';
import { randomScenario } from '../src/scenario/random';
import { parseScenario } from '../src/scenario/schema';
import { planScenario } from '../src/render/video';
import { heldoutGuard, heldoutScenarios } from '../src/heldout';

// What each catalogue scenario scripts: every listed violation as "type track", nothing else.
const EXPECTED: Record<string, string[]> = {
  'red-light-runners': ['red_light runner-moto', 'red_light runner-car'],
  'yellow-legal-crossing': ['red_light late-runner'],
  'green-arrow-right-turn': ['red_light straight-runner'],
  'creep-over-line': ['red_light runner-taxi'],
  'car-in-motorbike-lane': ['wrong_lane lane-car', 'wrong_lane lane-truck'],
  'solid-line-crossing': ['wrong_lane solid-car'],
  'wrong-way-rider': ['wrong_way ww-moto', 'wrong_way ww-car'],
  'stalled-vehicle': ['red_light runner'],
  'night-rain': ['red_light night-runner'],
  'rush-hour-motorbikes': ['red_light crowd-runner-1', 'red_light crowd-runner-2'],
  't-junction-bus': ['red_light bus-runner'],
  'road-motorbike-lane': ['wrong_lane road-car-moto-lane', 'wrong_way road-wrong-way', 'wrong_lane road-solid'],
  'flicker-blur-jpeg': ['red_light blur-runner'],
  'night-arrow-countdown': ['red_light night-straight'],
  't-junction-left-1080p': ['red_light truck-runner'],
  'daylight-glare-arrow': ['red_light glare-runner'],
  'cut-and-loop': ['red_light cut-runner'],
};

describe('truth violations', () => {
  it('the catalogue has at least 12 named scenarios, each with an expectation', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(EXPECTED).sort()).toEqual(CATALOGUE.map((s) => s.name).sort());
  });

  for (const s of CATALOGUE) {
    it(`${s.name}: violations are exactly the scripted ones`, () => {
      const plan = planScenario(s);
      expect(plan.violations.map((v) => `${v.type} ${v.trackId}`).sort()).toEqual([...EXPECTED[s.name]!].sort());
      expect(validateGeometry(plan.geometry).ok).toBe(true);
    });
  }

  it('a legal yellow crossing and a hard brake on yellow are near misses, not violations', () => {
    const plan = planScenario(findScenario('yellow-legal-crossing')!);
    const ids = plan.violations.map((v) => v.trackId);
    expect(ids).not.toContain('yellow-car');
    expect(ids).not.toContain('brake-moto');
    const yellow = plan.nearMisses.find((n) => n.trackId === 'yellow-car')!;
    expect(yellow.note).toMatch(/on yellow/);
    // the braking rider waits for green
    expect(plan.nearMisses.find((n) => n.trackId === 'brake-moto')!.note).toMatch(/on green/);
  });

  it('a right turn on the green arrow during red is legal; the straight rider on red is not', () => {
    const plan = planScenario(findScenario('green-arrow-right-turn')!);
    expect(
      plan.nearMisses
        .filter((n) => n.note.includes('green right arrow'))
        .map((n) => n.trackId)
        .sort(),
    ).toEqual(['arrow-moto', 'arrow-moto-2']);
    const v = plan.violations.find((x) => x.trackId === 'straight-runner')!;
    expect(v.type).toBe('red_light');
    expect(v.rule).toMatch(/after red onset/);
    // the arrow lamp is in the geometry and permits the right turn of the motorbike lane
    const moto = plan.geometry.lanes.find((l) => l.id === 'moto')!;
    expect(moto.arrowPermits).toEqual([{ lampId: 'green-right', turn: 'right' }]);
  });

  it('without the arrow the same riders wait for green: the arrow is what lets them turn on red', () => {
    const s = findScenario('green-arrow-right-turn')!;
    const plan = planScenario({ ...s, signals: [{ ...s.signals[0]!, rightArrow: false }] });
    expect(plan.violations.filter((v) => v.trackId.startsWith('arrow-moto'))).toEqual([]);
    const notes = plan.nearMisses.filter((n) => n.trackId.startsWith('arrow-moto')).map((n) => n.note);
    expect(notes.length).toBe(2);
    for (const n of notes) expect(n).toMatch(/on green/);
  });

  it('a cut or loop: a violation is judged where one segment shows it whole, once; one across a discontinuity or shown again is a near miss', () => {
    const s = findScenario('cut-and-loop')!;
    const plain = planScenario({ ...s, discontinuities: undefined });
    // without the cut both cars are violations (source time); with it the car crossing 0.5 s after the cut is not judged
    expect(plain.violations.map((v) => v.trackId).sort()).toEqual(['cut-crosser', 'cut-runner']);
    const cut = planScenario(s);
    const runner = plain.violations.find((v) => v.trackId === 'cut-runner')!;
    expect(cut.violations).toEqual([{ ...runner, timeS: runner.timeS - 7, startS: runner.startS - 7, endS: runner.endS - 7, frame: runner.frame - 70 }]);
    expect(cut.nearMisses.filter((n) => n.trackId === 'cut-crosser').map((n) => n.note)).toContain('red_light spans the discontinuity at 8 s: not judged');
    // a loop that replays the run: the same vehicle, one case
    const replay = planScenario({ ...s, durationS: 30, discontinuities: [...s.discontinuities!, { atS: 24, toS: 16 }] });
    expect(replay.violations.map((v) => v.trackId)).toEqual(['cut-runner']);
    expect(replay.nearMisses.find((n) => n.trackId === 'cut-runner')?.note).toBe('red_light shown again after a loop: the same vehicle, one case');
    // a discontinuity that jumps nowhere, or out of order, is refused with the reason
    expect(() => parseScenario({ ...s, discontinuities: [{ atS: 8, toS: 8.5 }] })).toThrow(/must jump at least 1 s/);
    expect(() =>
      parseScenario({
        ...s,
        discontinuities: [
          { atS: 8, toS: 15 },
          { atS: 6, toS: 0 },
        ],
      }),
    ).toThrow(/must lie after the previous one/);
  });

  it('random scenarios are valid and reproducible from their seed', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const a = randomScenario(seed);
      expect(() => parseScenario(a)).not.toThrow();
      expect(randomScenario(seed)).toEqual(a);
    }
    expect(randomScenario(1)).not.toEqual(randomScenario(2));
  });

  it('the held-out set is fixed, has every violation type, and is refused by the training export guard', async () => {
    const held = await heldoutScenarios();
    expect(held.length).toBeGreaterThanOrEqual(10);
    const types = new Set(held.flatMap((s) => planScenario(s).violations.map((v) => v.type)));
    expect([...types].sort()).toEqual(['red_light', 'wrong_lane', 'wrong_way']);
    const allowed = await heldoutGuard();
    for (const s of held) expect(allowed(s)).toBe(false);
    expect(allowed(randomScenario(1000))).toBe(true);
  });
});
