import { describe, expect, it } from 'vitest';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { applyHomography, calibrateGround } from '@phatnguoi/core/geometry/ground-calibration';
import { planScenario } from '../src/render/video';
import { resolveScenario } from '../src/scenario/resolve';
import { speedHeldoutScenarios } from '../src/heldout';
import { bandOf, errorStats } from '../src/eval/speed';

describe('speed scenes', () => {
  it('give every steady vehicle its scripted speed as the true zone speed, and a calibration that maps the road', async () => {
    const s = await resolveScenario('speed:910001');
    const plan = planScenario(s);
    expect(validateGeometry(plan.geometry).ok).toBe(true);
    const cal = calibrateGround(plan.geometry.calibration!.points);
    expect(cal.rmsErrorM).toBeLessThan(0.1); // the seeded 3 cm survey error, not more
    // A road point projected by the simulator's camera lands where the calibration says.
    const p = plan.sim.camera.project(1, 0, s.speedZone!.fromM + 10);
    const g = applyHomography(cal.imageToGround, [p.u, p.v]);
    expect(Math.abs(g[1] - (s.speedZone!.fromM + 10))).toBeLessThan(0.15);
    const steady = s.actors.filter((a) => a.accelMs2 === undefined);
    expect(plan.speeds.length).toBe(s.actors.length);
    for (const a of steady) {
      const passage = plan.speeds.find((x) => x.trackId === a.id)!;
      expect(Math.abs(passage.speedKmh - a.speedKmh!)).toBeLessThan(1);
    }
  });

  it('lists as speeding exactly the passages at least 5 km/h over after the tolerance', async () => {
    const plan = planScenario(await resolveScenario('speed:910002:25'));
    const fined = new Set(plan.violations.filter((v) => v.type === 'speeding').map((v) => v.trackId));
    for (const p of plan.speeds) expect(fined.has(p.trackId)).toBe(p.excessKmh >= 5);
    expect(plan.speeds.some((p) => p.excessKmh > 0 && p.excessKmh < 5)).toBe(true); // near misses are in the set
  });

  it('has a fixed held-out set at 5 and 25 fps, accelerating and braking vehicles included', () => {
    const set = speedHeldoutScenarios();
    expect(new Set(set.map((s) => s.fps))).toEqual(new Set([5, 25]));
    expect(set.some((s) => s.actors.some((a) => (a.accelMs2 ?? 0) > 0)) && set.some((s) => s.actors.some((a) => (a.accelMs2 ?? 0) < 0))).toBe(true);
  });
});

describe('speed scoring', () => {
  it('puts excess speeds in the decree bands and summarises errors', () => {
    expect([4.9, 5, 9.9, 10, 20, 20.1, 35, 36].map(bandOf)).toEqual([null, '5-10', '5-10', '10-20', '10-20', '20-35', '20-35', '>35']);
    const e = errorStats([
      { trackId: 'a', trueKmh: 50, measuredKmh: 50.5 },
      { trackId: 'b', trueKmh: 60, measuredKmh: 58 },
      { trackId: 'c', trueKmh: 30, measuredKmh: 31 },
    ]);
    expect(e).toMatchObject({ n: 3, medianAbsKmh: 1, worstKmh: 2 });
    expect(e.biasKmh).toBeCloseTo(-0.5 / 3, 6);
  });
});
