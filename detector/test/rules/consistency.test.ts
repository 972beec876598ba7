import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_CONFIG, redLightRule, wrongWayRule, type RulesConfig, type RuleViolation } from '../../src/rules';
import { duplicateOf, evidenceContradiction, type ReportedVehicle } from '../../src/rules/consistency';
import type { TrackPoint } from '../../src/tracking/tracker';
import { boxAtGround, cycle, geometry, lane, run, signal, stopLine, track } from '../fixtures/scene';

const config: RulesConfig = { ...DEFAULT_RULES_CONFIG, yellowMode: 'must_stop' };
const L1 = lane('L1');

function redViolation(tLine: number) {
  const tv = track(run(tLine - 2, 200, 800, 150, 200));
  const r = redLightRule(tv, L1, stopLine, cycle, config);
  if (r.status !== 'violation') throw new Error(`expected a violation, got ${r.reason}`);
  return { tv, v: r.violation };
}

describe('evidenceContradiction', () => {
  it('accepts a red-light violation whose evidence frames all show red and the vehicle on both sides of the line', () => {
    const { tv, v } = redViolation(16);
    expect(evidenceContradiction(v, tv.points, geometry, cycle)).toBeNull();
  });

  it('refuses one whose signal reading changed since the decision, or whose evidence frame shows green', () => {
    const { tv, v } = redViolation(16);
    const reread = signal([
      [0, 'green'],
      [10, 'yellow'],
      [13, 'red'],
      [16.1, 'green'],
    ]);
    const after = tv.points.find((p) => p.seq === v.afterSeq)!;
    expect(after.t).toBeGreaterThan(16.1);
    expect(evidenceContradiction(v, tv.points, geometry, reread)).toMatch(/shows the signal green/);
    const allGreen = signal([[0, 'green']]);
    expect(evidenceContradiction(v, tv.points, geometry, allGreen)).toMatch(/now reads green/);
  });

  it('refuses one whose vehicle is missing from its frames or is not one vehicle', () => {
    const { tv, v } = redViolation(16);
    expect(
      evidenceContradiction(
        v,
        tv.points.filter((p) => p.seq !== v.beforeSeq),
        geometry,
        cycle,
      ),
    ).toMatch(/not in the frames/);
    const switched: TrackPoint[] = tv.points.map((p) => (p.seq === v.afterSeq ? { ...p, box: [p.box[0], p.box[3] - 200, p.box[2] + 100, p.box[3]] } : p));
    expect(evidenceContradiction(v, switched, geometry, cycle)).toMatch(/not one vehicle/);
  });

  it('refuses a wrong-way violation whose evidence frames do not show the movement against the lane', () => {
    const tv = track(run(0, 200, 300, 650, 150));
    const r = wrongWayRule(tv, L1, config);
    expect(r.status).toBe('violation');
    const v = (r as { violation: RuleViolation }).violation;
    expect(evidenceContradiction(v, tv.points, geometry, undefined)).toBeNull();
    const still = tv.points.map((p) => (p.seq === v.afterSeq ? { ...p, box: tv.points.find((q) => q.seq === v.beforeSeq)!.box } : p));
    expect(evidenceContradiction(v, still, geometry, undefined)).toMatch(/against the lane direction/);
  });
});

describe('duplicateOf', () => {
  const reported = (over: Partial<ReportedVehicle> = {}): ReportedVehicle => ({
    type: 'red_light',
    phaseId: 'H1@10000',
    t: 16,
    lastT: 17,
    lastBox: boxAtGround(200, 200),
    box: boxAtGround(200, 380),
    cls: 'car',
    plate: null,
    ...over,
  });
  const first = (t: number, x: number, y: number): TrackPoint => ({ seq: 1, t, box: boxAtGround(x, y), cls: 'car', score: 0.9 });
  const candidate = (over: Partial<Parameters<typeof duplicateOf>[0]> = {}) => ({
    type: 'red_light',
    phaseId: 'H1@10000',
    t: 17.5,
    box: boxAtGround(200, 180),
    cls: 'car' as const,
    plate: null,
    first: first(17.4, 205, 190),
    ...over,
  });

  it('finds a track fragment that starts where a reported vehicle was lost, shortly after', () => {
    expect(duplicateOf(candidate(), [reported()])).not.toBeNull();
  });

  it('keeps a different vehicle: far away, much later, another class, or another red phase', () => {
    expect(duplicateOf(candidate({ first: first(17.4, 450, 600) }), [reported()])).toBeNull();
    expect(duplicateOf(candidate({ first: first(25, 205, 190) }), [reported()])).toBeNull();
    expect(duplicateOf(candidate({ cls: 'motorbike' }), [reported()])).toBeNull();
    expect(duplicateOf(candidate({ phaseId: 'H1@70000' }), [reported()])).toBeNull();
  });

  it('finds the same plate reported again for the same offence after a loop or restart', () => {
    const again = candidate({ t: 137, phaseId: 'H1@130000', plate: '30A-123.45', first: first(135, 200, 700) });
    expect(duplicateOf(again, [reported({ plate: '30A12345' })])).not.toBeNull();
    expect(duplicateOf({ ...again, plate: '30A-999.99' }, [reported({ plate: '30A12345' })])).toBeNull();
    // Within the hour (a demo loop replays the vehicle every few minutes), not after it.
    expect(duplicateOf({ ...again, t: 16 + 1800 }, [reported({ plate: '30A12345' })])).not.toBeNull();
    expect(duplicateOf({ ...again, t: 16 + 3700 }, [reported({ plate: '30A12345' })])).toBeNull();
    expect(duplicateOf({ ...again, type: 'wrong_way' }, [reported({ plate: '30A12345' })])).toBeNull();
  });

  it('finds a vehicle replayed after a loop without its plate: same offence, place and time after red, a discontinuity between', () => {
    const replay = candidate({ t: 46.2, phaseId: 'H1@44000', box: boxAtGround(210, 385), first: first(43, 200, 700), secondsAfterRed: 2.2 });
    const seen = reported({ secondsAfterRed: 2.0 });
    expect(duplicateOf(replay, [seen], undefined, [30])).toBe(seen);
    // No discontinuity between the two: another vehicle doing the same in a later phase is a new case.
    expect(duplicateOf(replay, [seen], undefined, [])).toBeNull();
    expect(duplicateOf(replay, [seen], undefined, [50])).toBeNull();
    // Elsewhere, or crossing well apart in the red phase, or another kind of vehicle: a different vehicle.
    expect(duplicateOf({ ...replay, box: boxAtGround(450, 385) }, [seen], undefined, [30])).toBeNull();
    expect(duplicateOf({ ...replay, secondsAfterRed: 4 }, [seen], undefined, [30])).toBeNull();
    expect(duplicateOf({ ...replay, cls: 'motorbike' }, [seen], undefined, [30])).toBeNull();
  });
});
