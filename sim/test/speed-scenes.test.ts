import { describe, expect, it } from 'vitest';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { applyHomography, calibrateGround } from '@phatnguoi/core/geometry/ground-calibration';
import { planScenario } from '../src/render/video';
import { resolveScenario } from '../src/scenario/resolve';
import { speedHeldoutScenarios } from '../src/heldout';
import { bandOf, errorStats } from '../src/eval/speed';
import { trueSpeedBetween } from '../src/world/violations';

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
    const samples = [
      { trackId: 'a', trueKmh: 50, stretchKmh: 50.4, measuredKmh: 50.5 },
      { trackId: 'b', trueKmh: 60, stretchKmh: 58.5, measuredKmh: 58 },
      { trackId: 'c', trueKmh: 30, stretchKmh: null, measuredKmh: 31 },
    ];
    const e = errorStats(samples);
    expect(e).toMatchObject({ n: 3, medianAbsKmh: 1, worstKmh: 2 });
    expect(e.biasKmh).toBeCloseTo(-0.5 / 3, 6);
    // Against the stretch each measurement covered: the one without a path is left out.
    const s = errorStats(samples, 'stretch');
    expect(s.n).toBe(2);
    expect(s.worstKmh).toBeCloseTo(0.5, 6);
  });

  it("scores a measurement of part of the zone against the vehicle's true speed over the part it covered", async () => {
    const s = speedHeldoutScenarios().find((x) => x.fps === 25 && x.actors.some((a) => (a.accelMs2 ?? 0) < -1.5))!;
    const plan = planScenario(s);
    const braking = s.actors.find((a) => (a.accelMs2 ?? 0) < -1.5)!;
    const p = plan.speeds.find((x) => x.trackId === braking.id)!;
    const whole = trueSpeedBetween(p, p.enterS, p.exitS)!;
    expect(Math.abs(whole - p.speedKmh)).toBeLessThan(0.5);
    const firstHalf = trueSpeedBetween(p, p.enterS, (p.enterS + p.exitS) / 2)!;
    expect(firstHalf).toBeGreaterThan(p.speedKmh + 1); // it was faster before it braked
    expect(trueSpeedBetween(p, p.enterS - 5, p.exitS)).toBeNull(); // outside the path: unknown
  });
});
