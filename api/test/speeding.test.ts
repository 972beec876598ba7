// Speeding cases: the fine band follows the excess speed the detector judged (after its tolerance), from the
// versioned schedule, for cars and motorbikes; the case carries the measurement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import { bearer, loginAs, startHarness, type Harness } from './helpers';
import { demoEvent } from '../src/seed/demo';
import { ingestEvent } from '../src/jobs/handlers';
import { fineFor } from '../src/services/fines';
import { speedCircumstances } from '../src/domain/speed-text';
import { publishedCasesOfPlate } from '../src/services/public-case';
import { PublicDirectory } from '../src/services/public-directory';

let h: Harness;
let officer = '';
beforeAll(async () => {
  h = await startHarness();
  officer = await loginAs(h.app, 'officer1');
});
afterAll(async () => h?.close());

function speedingEvent(vehicleClass: 'car' | 'motorbike', excessKmh: number, plate: string | null = null): ViolationEvent {
  const base = demoEvent({ cameraId: h.ids.camera, plate, vehicleClass, occurredAt: new Date(Date.now() - 600_000) });
  const phaseId = 'zone:Z1';
  const limitKmh = 50;
  return {
    ...base,
    type: 'speeding',
    phaseId,
    idempotencyKey: `${base.cameraId}:${base.trackId}:speeding:${phaseId}`,
    signalState: { signalHeadId: null, round: 'unknown', arrows: [], since: null, source: 'none' },
    ruleDetail: {
      rule: 'speedingRule',
      summary: 'speed',
      laneId: null,
      frameSize: [1280, 720],
      frameSeq: 20,
      speed: {
        zoneId: 'Z1',
        measuredKmh: limitKmh + excessKmh + 3,
        uncertaintyKmh: 0.8,
        toleranceKmh: 3,
        reducedKmh: limitKmh + excessKmh,
        limitKmh,
        excessKmh,
        distanceM: 24.5,
        seconds: 1.2,
        from: { seq: 14, box: [1, 2, 3, 4] },
        to: { seq: 20, box: [5, 6, 7, 8] },
        calibrationHash: 'b'.repeat(64),
      },
    },
  };
}

describe('speeding fines', () => {
  it('picks the band of the excess speed, with the decree wording of each end', async () => {
    const at = new Date('2026-06-01T03:00:00Z');
    const car = async (x: number) => (await fineFor(h.db.pool, 'speeding', 'car', at, x))?.fineMin ?? null;
    const moto = async (x: number) => (await fineFor(h.db.pool, 'speeding', 'motorbike', at, x))?.fineMin ?? null;
    expect(await car(4.9)).toBeNull();
    expect(await car(5)).toBe(800_000);
    expect(await car(9.9)).toBe(800_000);
    expect(await car(10)).toBe(4_000_000);
    expect(await car(20)).toBe(4_000_000); // "từ 10 km/h đến 20 km/h"
    expect(await car(20.1)).toBe(6_000_000); // "trên 20 km/h đến 35 km/h"
    expect(await car(35.1)).toBe(12_000_000);
    expect(await moto(7)).toBe(400_000);
    expect(await moto(15)).toBe(800_000);
    expect(await moto(40)).toBe(6_000_000);
    // Without the excess a banded offence has no fine, rather than the wrong one.
    expect(await fineFor(h.db.pool, 'speeding', 'car', at)).toBeNull();
    expect((await fineFor(h.db.pool, 'red_light', 'car', at))?.fineMin).toBe(18_000_000);
  });

  it('cites the clause of Decree 168/2024 each band is in, with its licence points (checked against the text)', async () => {
    const at = new Date('2026-06-01T03:00:00Z');
    const cite = async (group: 'car' | 'motorbike', x: number) => {
      const f = await fineFor(h.db.pool, 'speeding', group, at, x);
      return f && `${f.article} / ${f.fineMin}-${f.fineMax} / ${f.points}`;
    };
    expect(await cite('car', 7)).toBe('Điểm a khoản 3 Điều 6 / 800000-1000000 / 0');
    expect(await cite('car', 15)).toBe('Điểm đ khoản 5 Điều 6 / 4000000-6000000 / 2');
    expect(await cite('car', 30)).toBe('Điểm a khoản 6 Điều 6 / 6000000-8000000 / 4');
    expect(await cite('car', 40)).toBe('Điểm a khoản 7 Điều 6 / 12000000-14000000 / 6');
    expect(await cite('motorbike', 7)).toBe('Điểm b khoản 2 Điều 7 / 400000-600000 / 0');
    expect(await cite('motorbike', 15)).toBe('Điểm a khoản 4 Điều 7 / 800000-1000000 / 0');
    expect(await cite('motorbike', 40)).toBe('Điểm a khoản 8 Điều 7 / 6000000-8000000 / 4');
  });

  it('turns a speeding event into a case whose fine is the band of its excess', async () => {
    const { caseId } = await ingestEvent(h.deps, speedingEvent('motorbike', 12.4));
    const res = await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(officer) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { type: string; fine: { fineMin: number; fineMax: number; points: number } | null };
    expect(body.type).toBe('speeding');
    expect(body.fine).toMatchObject({ fineMin: 800_000, fineMax: 1_000_000 });
  });

  it('shows the public lookup the measurement, the speed judged, the limit and the band of the excess', async () => {
    const { caseId } = await ingestEvent(h.deps, speedingEvent('car', 12.4, '30A-987.65'));
    await h.db.pool.query(`UPDATE cases SET status = 'approved' WHERE id = $1`, [caseId]);
    const [item] = await publishedCasesOfPlate(h.db.pool, new PublicDirectory(h.db.pool), '30A-987.65', 'car');
    expect(item?.offence).toBe('Chạy quá tốc độ quy định (Điểm đ khoản 5 Điều 6 Nghị định 168/2024/NĐ-CP)');
    expect(item?.speed).toEqual({ measuredKmh: 65.4, uncertaintyKmh: 0.8, toleranceKmh: 3, reducedKmh: 62.4, limitKmh: 50 });
  });

  it('words the measurement for the notice in Vietnamese', () => {
    const text = speedCircumstances(speedingEvent('car', 12.4).ruleDetail.speed!);
    expect(text).toContain('Tốc độ đo được 65,4 km/h');
    expect(text).toContain('tốc độ tối đa cho phép 50 km/h; vượt 12,4 km/h');
    expect(text).toContain('24,5 m trong 1,20 giây');
  });
});
