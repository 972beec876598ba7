import { describe, expect, it } from 'vitest';
import { parseGeometry, validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { violationEventErrors } from '@phatnguoi/core/contracts/violation-event';
import { scaleGeometry, detectionRoi } from '../../src/geometry/geometry';
import { geometry } from '../fixtures/scene';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('validateGeometry', () => {
  it('accepts a complete geometry', () => {
    expect(validateGeometry(geometry)).toMatchObject({ ok: true, errors: [] });
  });

  it('rejects unknown keys and wrong types, naming each field by JSON path', () => {
    const g = clone(geometry) as unknown as Record<string, unknown> & { lanes: Record<string, unknown>[] };
    g.lanes[0]!.colour = 'blue';
    g.lanes[1]!.allowedClasses = ['tank'];
    g.extra = true;
    const r = validateGeometry(g);
    expect(r.ok).toBe(false);
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('$.lanes[0].colour');
    expect(paths).toContain('$.lanes[1].allowedClasses[0]');
    expect(paths).toContain('$.extra');
  });

  it('checks references and shapes', () => {
    const g = clone(geometry);
    g.lanes[0]!.stopLineId = 'S9';
    g.lanes[0]!.arrowPermits = [{ lampId: 'R', turn: 'left' }];
    g.lanes[1]!.direction = [0, 0];
    g.stopLines[0]!.beforePoint = [150, 400];
    g.signalHeads[0]!.lamps = g.signalHeads[0]!.lamps.filter((l) => l.id !== 'Y');
    g.solidLines[0]!.points[0] = [700, 10];
    const r = validateGeometry(g);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: '$.lanes[0].stopLineId', message: 'no stop line with id "S9"' },
        { path: '$.lanes[0].arrowPermits[0].lampId', message: 'lamp "R" is not a green arrow' },
        { path: '$.lanes[1].direction', message: 'direction vector is zero' },
        { path: '$.stopLines[0].beforePoint', message: 'beforePoint lies on the stop line; it must be clearly on the approach side' },
        { path: '$.signalHeads[0].lamps', message: 'signal head has no round yellow lamp' },
        { path: '$.solidLines[0].points[0]', message: 'point [700, 10] is outside the 640x720 reference image' },
      ]),
    );
  });

  it('catches a lane whose direction runs towards the before side of its stop line', () => {
    const g = clone(geometry);
    g.lanes[0]!.direction = [0, 1];
    expect(validateGeometry(g).errors).toContainEqual({ path: '$.lanes[0].direction', message: 'direction points towards the before side of stop line "S1"' });
    expect(() => parseGeometry(g)).toThrow(/\$\.lanes\[0\]\.direction/);
  });

  it('scales to the frame size and gives the lanes as region of interest', () => {
    const s = scaleGeometry(geometry, 320, 360);
    expect(s.stopLines[0]!.a).toEqual([50, 200]);
    expect(s.signalHeads[0]!.lamps[0]!.region).toEqual([280, 10, 290, 20]);
    // Lanes plus half of L1's length (620 px) past stop line S1 at y = 400.
    expect(detectionRoi(geometry, 0)).toEqual([100, 90, 500, 720]);
  });

  it('reaches past a stop line where the lanes end at it, so crossings and oncoming traffic stay in view', () => {
    const g = clone(geometry);
    g.lanes = g.lanes.map((l) => ({ ...l, polygon: l.polygon.map(([x, y]) => [x, y === 100 ? 400 : y] as [number, number]) }));
    // Lanes span y 400–720 (320 px); the region reaches 160 px past the line.
    expect(detectionRoi(g, 0)).toEqual([100, 240, 500, 720]);
    const padded = detectionRoi(g, 0.1);
    expect(padded[1]).toBeCloseTo(192);
    expect(padded[3]).toBe(720);
  });
});

describe('violationEventErrors', () => {
  it('requires the idempotency key to be made of its parts', () => {
    const event = {
      idempotencyKey: 'cam1:t1:red_light:H1@1',
      cameraId: 'cam1',
      trackId: 't2',
      type: 'red_light',
      phaseId: 'H1@1',
      occurredAt: '2026-01-01T00:00:00.000Z',
      vehicleClass: 'car',
      box: [1, 2, 3, 4],
      signalState: { signalHeadId: 'H1', round: 'red', arrows: [], since: null, source: 'vision' },
      plate: { text: null, layout: null, colour: null, confidence: 0, needsManualEntry: true, reads: 0 },
      evidence: [],
      ruleDetail: { rule: 'redLightRule', summary: 's', laneId: 'L1', frameSize: [640, 360], frameSeq: 3 },
      detector: 'x',
      createdAt: '2026-01-01T00:00:01.000Z',
    };
    expect(violationEventErrors(event)).toEqual([{ path: '/idempotencyKey', message: 'must equal <cameraId>:<trackId>:<type>:<phaseId>' }]);
    expect(violationEventErrors({ ...event, trackId: 't1' })).toEqual([]);
    expect(violationEventErrors({ ...event, trackId: 't1', occurredAt: 'yesterday' }).map((e) => e.path)).toEqual(['/occurredAt']);
  });
});
