// Pure logic of the review UI: geometry editing, proof of work, i18n. Browser behaviour is in the *.browser tests.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { addItem, directionHead, emptyGeometry, errorsUnder, insertVertex, moveHandle, removeVertex, selectionOfPath } from '../src/geometry/model';
import { leadingZeroBits, solvePow } from '../src/pages/citizen/pow';
import { hasMessage, interpolate } from '../src/i18n/index';
import { vi } from '../src/i18n/vi';
import { en } from '../src/i18n/en';

describe('geometry model', () => {
  it('builds a geometry the shared validator accepts once lanes are wired to a stop line and a signal head', () => {
    let g = emptyGeometry(1280, 720);
    g = addItem(g, 'stopLines');
    g = addItem(g, 'lanes');
    g = addItem(g, 'signalHeads');
    g = { ...g, lanes: g.lanes.map((l) => ({ ...l, stopLineId: g.stopLines[0]!.id, signalHeadId: g.signalHeads[0]!.id })) };
    // the default stop line's approach side is below it and the default lane drives up: consistent
    const r = validateGeometry(g);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('moves handles, clamps them to the image and keeps ids unique', () => {
    let g = addItem(addItem(emptyGeometry(100, 100), 'lanes'), 'lanes');
    expect(new Set(g.lanes.map((l) => l.id)).size).toBe(2);
    g = moveHandle(g, { kind: 'lanes', index: 0, point: 0 }, [-50, 500]);
    expect(g.lanes[0]!.polygon[0]).toEqual([0, 100]);
    g = addItem(g, 'stopLines');
    g = moveHandle(g, { kind: 'stopLines', index: 0, point: 'b' }, [90.04, 10]);
    expect(g.stopLines[0]!.b).toEqual([90, 10]);
  });

  it('sets a lane direction from where the arrow head is dragged', () => {
    let g = addItem(emptyGeometry(1000, 1000), 'lanes');
    const lane = g.lanes[0]!;
    const head = directionHead(lane, 100);
    // drag the head to the right of the centroid: direction becomes +x
    g = moveHandle(g, { kind: 'lanes', index: 0, point: 'direction' }, [head[0] + 300, head[1] + 100]);
    const d = g.lanes[0]!.direction;
    expect(d[0]).toBeGreaterThan(0);
  });

  it('inserts and removes vertices but never below a polygon of 3 or a line of 2', () => {
    let g = addItem(emptyGeometry(400, 400), 'lanes');
    g = insertVertex(g, 'lanes', 0, 0);
    expect(g.lanes[0]!.polygon).toHaveLength(5);
    for (let i = 0; i < 5; i++) g = removeVertex(g, 'lanes', 0, 0);
    expect(g.lanes[0]!.polygon).toHaveLength(3);
    g = addItem(g, 'solidLines');
    g = removeVertex(g, 'solidLines', 0, 0);
    expect(g.solidLines[0]!.points).toHaveLength(2);
  });

  it('routes server error paths to the item they belong to', () => {
    const errors = [
      { path: '$.lanes[1].signalHeadId', message: 'x' },
      { path: '$.lanes[10].id', message: 'y' },
      { path: '$.stopLines[0].b', message: 'z' },
    ];
    expect(errorsUnder(errors, '$.lanes[1]').map((e) => e.message)).toEqual(['x']);
    expect(selectionOfPath('$.signalHeads[2].lamps[0].region')).toEqual({ kind: 'signalHeads', index: 2 });
    expect(selectionOfPath('$.reference.width')).toBeNull();
  });
});

describe('lookup proof of work', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(new Uint8Array([0, 0x0f]))).toBe(12);
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });

  it('finds a nonce whose sha256 has the asked number of zero bits', async () => {
    const nonce = await solvePow('abc', 10);
    const digest = createHash('sha256').update(`abc:${nonce}`).digest();
    expect(leadingZeroBits(new Uint8Array(digest))).toBeGreaterThanOrEqual(10);
  });
});

describe('i18n', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Còn {days} ngày', { days: 3 })).toBe('Còn 3 ngày');
    expect(interpolate('{a} {b}', { a: 1 })).toBe('1 {b}');
  });

  it('has the same keys and placeholders in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    const ph = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(vi) as (keyof typeof vi)[]) expect([k, ph(en[k])]).toEqual([k, ph(vi[k])]);
  });

  it('has a sentence for every key in each language, and no Vietnamese entry left as the English one', () => {
    // The same in both languages: words Vietnamese borrowed as they are.
    const SAME = /^(?:Camera|CSV|Excel|XLSX|PDF)$/;
    for (const k of Object.keys(vi) as (keyof typeof vi)[]) {
      expect(vi[k].trim(), k).not.toBe('');
      expect(en[k].trim(), k).not.toBe('');
      const words = vi[k].replace(/\{\w+\}/g, ' ').match(/\p{L}+/gu) ?? [];
      if (vi[k] === en[k])
        expect(
          words.filter((w) => !SAME.test(w)),
          `${k}: "${vi[k]}" is the English text`,
        ).toEqual([]);
    }
  });
});

describe('case texts', () => {
  it("name the lane by the geometry's human name, else by its movements, never by a bare id", async () => {
    const { ruleText } = await import('../src/components/caseText');
    const tr =
      (dict: Record<string, string>) =>
      (key: string, vars?: Record<string, string | number>): string =>
        interpolate(dict[key]!, vars);
    const num = (n: number) => String(n);
    const geometry = validateGeometry({
      version: 1,
      reference: { width: 1280, height: 720 },
      stopLines: [],
      lanes: [
        {
          id: 'moto',
          name: 'làn xe máy',
          polygon: [
            [0, 0],
            [10, 0],
            [10, 10],
          ],
          direction: [0, -1],
          allowedClasses: ['motorbike'],
          turns: ['straight'],
        },
        {
          id: 'left',
          polygon: [
            [0, 0],
            [10, 0],
            [10, 10],
          ],
          direction: [0, -1],
          allowedClasses: ['car', 'motorbike'],
          turns: ['left', 'u_turn'],
        },
      ],
      solidLines: [],
      signalHeads: [],
    });
    expect(geometry.errors).toEqual([]);
    const g = geometry.ok ? geometry.geometry : null;
    const laneCase = { type: 'wrong_lane', vehicleType: 'car', signal: null, ruleDetail: { rule: 'laneClassRule', laneId: 'moto' } } as never;
    const wrongWay = { type: 'wrong_way', vehicleType: 'car', signal: null, ruleDetail: { rule: 'wrongWayRule', laneId: 'left', distancePx: 80 } } as never;
    expect(ruleText(laneCase, tr(vi), num, g)).toBe('Ô tô đi vào làn xe máy, làn chỉ dành cho xe máy');
    expect(ruleText(wrongWay, tr(vi), num, g)).toBe('Đi ngược chiều làn rẽ trái, quay đầu (quãng đường 80 điểm ảnh trên hình)');
    expect(ruleText(wrongWay, tr(en), num, g)).toBe('Drove against the direction of the lane for left, u-turn (80 pixels in the picture)');
    expect(ruleText(wrongWay, tr(vi), num)).toBe('Đi ngược chiều làn “left” (quãng đường 80 điểm ảnh trên hình)');
  });
});

describe('field errors in words', () => {
  const base = () =>
    ({
      version: 1,
      reference: { width: 640, height: 360 },
      stopLines: [{ id: 'stop-1', approach: 'Lê Lợi', a: [100, 200], b: [540, 200], beforePoint: [320, 300] }],
      lanes: [
        {
          id: 'lane-1',
          polygon: [
            [120, 355],
            [520, 355],
            [420, 120],
            [220, 120],
          ],
          direction: [0, -1],
          allowedClasses: ['motorbike'],
          turns: ['straight'],
          stopLineId: 'stop-1',
          signalHeadId: 'head-1',
        },
      ],
      solidLines: [],
      signalHeads: [
        {
          id: 'head-1',
          lamps: [
            { id: 'red', colour: 'red', shape: 'round', region: [590, 20, 610, 40] },
            { id: 'yellow', colour: 'yellow', shape: 'round', region: [590, 42, 610, 62] },
            { id: 'green', colour: 'green', shape: 'round', region: [590, 64, 610, 84] },
          ],
        },
      ],
    }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('maps every message the geometry validator gives (schema and semantic) to a dictionary sentence, and names the field', async () => {
    const { fieldErrorKey, fieldErrorText, fieldLabel, splitValidationMessage } = await import('../src/i18n/field-errors');
    expect(validateGeometry(base()).ok).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const broken: ((g: Record<string, any>) => void)[] = [
      (g) => (g.lanes = []),
      (g) => (g.extra = 1),
      (g) => delete g.version,
      (g) => (g.reference.width = 'wide'),
      (g) => (g.lanes[0].allowedClasses = ['tank']),
      (g) => (g.lanes[0].id = ''),
      (g) => (g.stopLines[0].a = [100, 200.5, 3]),
      (g) => g.stopLines.push({ ...g.stopLines[0] }),
      (g) => (g.lanes[0].stopLineId = 'nope'),
      (g) => delete g.lanes[0].signalHeadId,
      (g) => (g.lanes[0].signalHeadId = 'nope'),
      (g) => (g.lanes[0].polygon[0] = [700, 355]),
      (g) =>
        (g.lanes[0].polygon = [
          [0, 0],
          [10, 10],
          [20, 20],
        ]),
      (g) =>
        (g.lanes[0].polygon = [
          [120, 355],
          [420, 120],
          [520, 355],
          [220, 120],
        ]),
      (g) => (g.lanes[0].direction = [0, 0]),
      (g) => (g.lanes[0].direction = [0, 1]),
      (g) => (g.stopLines[0].b = [100.5, 200]),
      (g) => (g.stopLines[0].beforePoint = [320, 200]),
      (g) => (g.signalHeads[0].lamps[0].region = [610, 40, 590, 20]),
      (g) => g.signalHeads[0].lamps.shift(),
      (g) => (g.lanes[0].arrowPermits = [{ lampId: 'nope', turn: 'left' }]),
      (g) => (g.lanes[0].arrowPermits = [{ lampId: 'red', turn: 'straight' }]),
    ];
    const seen: string[] = [];
    for (const breakIt of broken) {
      const g = base();
      breakIt(g);
      const r = validateGeometry(g);
      expect(r.ok, JSON.stringify(g)).toBe(false);
      for (const e of r.errors) seen.push(e.message);
    }
    const unmapped = [...new Set(seen)].filter((m) => fieldErrorKey(m).key === 'valid.invalid');
    expect(unmapped).toEqual([]);
    for (const m of seen) expect(hasMessage(fieldErrorKey(m).key), m).toBe(true);
    const t = ((key: string, vars?: Record<string, string | number>) => interpolate(vi[key as keyof typeof vi], vars)) as Parameters<typeof fieldErrorText>[0];
    expect(fieldErrorText(t, 'Expected array length to be greater or equal to 1')).toBe('cần ít nhất 1 mục');
    expect(fieldLabel(t, '$.lanes')).toBe('Làn đường');
    expect(fieldLabel(t, '$.lanes[1].signalHeadId')).toBe('Làn 2 › Cột đèn điều khiển làn');
    expect(fieldLabel(t, '$.signalHeads[0].lamps[2].region')).toBe('Cột đèn 1 › đèn 3 › trường region');
    expect(fieldLabel(t, '$')).toBe('Toàn bộ cấu hình');
    // fastify's one validation message becomes a field error
    const v = splitValidationMessage('body/plateText must NOT have fewer than 1 characters')!;
    expect(v.path).toBe('body/plateText');
    expect(fieldErrorText(t, v.message)).toBe('cần ít nhất 1 ký tự');
    expect(fieldErrorKey('something new').key).toBe('valid.invalid');
  });
});

describe('evidence overlays and the live wall', () => {
  it('picks the lane and stop line the rule named and scales nothing when there is no geometry', async () => {
    const { overlayFor, evidenceOf, placeText } = await import('../src/pages/officer/evidence');
    const geometry = {
      version: 1 as const,
      reference: { width: 640, height: 360 },
      stopLines: [
        { id: 's1', approach: 'a', a: [0, 100] as [number, number], b: [640, 100] as [number, number], beforePoint: [320, 300] as [number, number] },
        { id: 's2', approach: 'b', a: [0, 50] as [number, number], b: [640, 50] as [number, number], beforePoint: [320, 300] as [number, number] },
      ],
      lanes: [
        {
          id: 'l1',
          polygon: [
            [0, 0],
            [10, 0],
            [10, 10],
          ] as [number, number][],
          direction: [0, -1] as [number, number],
          allowedClasses: ['car' as const],
          turns: ['straight' as const],
          stopLineId: 's1',
        },
        {
          id: 'l2',
          polygon: [
            [0, 0],
            [20, 0],
            [20, 20],
          ] as [number, number][],
          direction: [0, -1] as [number, number],
          allowedClasses: ['car' as const],
          turns: ['straight' as const],
          stopLineId: 's2',
        },
      ],
      solidLines: [],
      signalHeads: [],
    };
    const base = { evidence: [], cameraName: 'CAM 1', place: 'CAM 1, Lê Lợi' } as unknown as Parameters<typeof overlayFor>[0];
    const withRule = { ...base, ruleDetail: { laneId: 'l2', frameSize: [1280, 720] }, box: [1, 2, 3, 4] } as unknown as Parameters<typeof overlayFor>[0];
    const o = overlayFor(withRule, geometry, { signalHeadId: null, round: 'red', arrows: [], since: null, source: 'vision' });
    expect(o.lane?.id).toBe('l2');
    expect(o.stopLine?.id).toBe('s2');
    expect(o.frameSize).toEqual([1280, 720]);
    expect(o.signal?.round).toBe('red');
    // two lanes and no rule detail: no guessing which lane it was
    expect(overlayFor(base, geometry, null).lane).toBeNull();
    expect(overlayFor(base, null, null).stopLine).toBeNull();
    expect(placeText(base)).toBe('CAM 1, Lê Lợi');
    const ev = evidenceOf({ evidence: [{ kind: 'scene_after' }, { kind: 'clip' }, { kind: 'scene_before' }] as never });
    expect(ev.stills.map((s) => s.kind)).toEqual(['scene_before', 'scene_after']);
    expect(ev.clip?.kind).toBe('clip');
  });

  it('groups violations per hour (every hour of the last 24 present) by type or camera and per day, and applies camera status messages', async () => {
    const { perHour, perDayByType, notDetecting } = await import('../src/pages/ops/OpsWall');
    const { applyCameraStatus } = await import('../src/pages/ops/useLiveStats');
    const t = ((key: string, vars?: Record<string, string | number>) => interpolate(vi[key as keyof typeof vi], vars)) as Parameters<typeof perHour>[2];
    const stats = {
      at: '2026-11-25T09:20:00Z',
      cameras: [
        {
          cameraId: 'c1',
          name: 'C1',
          online: false,
          state: 'offline',
          lastError: 'eof',
          lastErrorCode: null,
          framesDropped: 0,
          fps: 0,
          detectionsPerSecond: 0,
          detectionFault: null,
          detectionError: null,
          updatedAt: null,
          lat: null,
          lng: null,
        },
      ],
      violationsPerHour: [
        { hour: '2026-11-25T01:00:00Z', cameraId: 'c1', type: 'red_light', count: 3 },
        { hour: '2026-11-25T01:00:00Z', cameraId: 'c2', type: 'red_light', count: 2 },
        { hour: '2026-11-25T02:00:00Z', cameraId: 'c1', type: 'wrong_way', count: 1 },
        { hour: '2026-11-24T02:00:00Z', cameraId: 'c1', type: 'wrong_way', count: 4 },
      ],
      violationsPerDay: [
        { day: '2026-11-24', counts: { red_light: 0, wrong_lane: 0, wrong_way: 4, speeding: 0 }, total: 4 },
        { day: '2026-11-25', counts: { red_light: 5, wrong_lane: 0, wrong_way: 1, speeding: 0 }, total: 6 },
      ],
      backlog: { detected: 0, confirmed: 0, approved: 0, manual: 0 },
      ageing: { overdue: 0, due1d: 0, due3d: 0, later: 0 },
      responseAgeing: { overdue: 0, due1d: 0, due3d: 0, later: 0 },
      recent: [],
      deliveries: { pending: 0, failed: 0, sent: 0 },
    };
    // 24 hours ending with the current one (10:00Z yesterday … 09:00Z), Vietnam hour labels, zeros where nothing happened
    const byType = perHour(stats, 'type', t);
    expect(byType).toHaveLength(24);
    expect(byType[0]!.label).toBe('17h');
    expect(byType[23]!.label).toBe('16h');
    expect(byType.filter((d) => Object.keys(d.values).length > 0).map((d) => [d.label, d.values])).toEqual([
      ['8h', { red_light: 5 }],
      ['9h', { wrong_way: 1 }],
    ]);
    expect(perHour(stats, 'cameraId', t)[15]!.values).toEqual({ c1: 3, c2: 2 });
    expect(perHour(stats, 'type', t, 'c2').reduce((n, d) => n + (d.values.red_light ?? 0), 0)).toBe(2);
    // the 30-day trend: the server's days in order, by type, labelled day then month (separator per ICU data)
    const trend = perDayByType(stats);
    expect(trend.map((d) => d.values)).toEqual([
      { red_light: 0, wrong_lane: 0, wrong_way: 4, speeding: 0 },
      { red_light: 5, wrong_lane: 0, wrong_way: 1, speeding: 0 },
    ]);
    expect(trend[0]!.label).toMatch(/^24\D11$/);
    expect(trend[1]!.label).toMatch(/^25\D11$/);
    const next = applyCameraStatus(stats, {
      cameraId: 'c1',
      state: 'online',
      online: true,
      fps: 5,
      framesDropped: 2,
      lastError: null,
      lastErrorCode: null,
      detectionsPerSecond: 1.5,
      detectionFault: null,
      detectionError: null,
    });
    expect(next.cameras[0]).toMatchObject({
      online: true,
      state: 'online',
      fps: 5,
      framesDropped: 2,
      lastError: null,
      detectionsPerSecond: 1.5,
      detectionFault: null,
    });
    expect(notDetecting(next)).toEqual([]);
    // Online but its detector retries: a fault on the wall, with the reason; offline cameras are not counted here.
    const failing = applyCameraStatus(next, {
      cameraId: 'c1',
      state: 'online',
      online: true,
      fps: 5,
      framesDropped: 2,
      lastError: null,
      lastErrorCode: null,
      detectionsPerSecond: 0,
      detectionFault: 'retrying',
      detectionError: 'Connection terminated unexpectedly',
    });
    expect(failing.cameras[0]).toMatchObject({ online: true, detectionFault: 'retrying', detectionError: 'Connection terminated unexpectedly' });
    expect(notDetecting(failing).map((c) => c.cameraId)).toEqual(['c1']);
    expect(
      notDetecting(
        applyCameraStatus(failing, {
          cameraId: 'c1',
          state: 'offline',
          online: false,
          fps: 0,
          framesDropped: 2,
          lastError: 'eof',
          lastErrorCode: null,
          detectionsPerSecond: 0,
          detectionFault: null,
          detectionError: null,
        }),
      ),
    ).toEqual([]);
  });

  it('puts each camera state and its reason in dictionary words, never counting a camera that stopped detecting as normal', async () => {
    const { tileState, tileReason, isNormal, cameraReasonCode, todayByType, mapLayout } = await import('../src/pages/ops/wall-model');
    const cam = {
      cameraId: 'c1',
      name: 'C1',
      online: true,
      state: 'online',
      lastError: null,
      lastErrorCode: null,
      framesDropped: 0,
      fps: 5,
      detectionsPerSecond: 1,
      detectionFault: null,
      detectionError: null,
      updatedAt: null,
      lat: null,
      lng: null,
    } as const;
    expect(tileState(cam)).toBe('online');
    expect(tileReason(cam)).toBeNull();
    const stopped = { ...cam, detectionFault: 'stalled' as const, detectionError: 'frame loop hangs' };
    expect(tileState(stopped)).toBe('not_detecting');
    expect(isNormal(tileState(stopped))).toBe(false);
    expect(tileReason(stopped)).toEqual({ key: 'ops.detectionFault.stalled', raw: 'frame loop hangs' });
    // ingest's error class first; raw ffmpeg text of an older status row classified; unknown text still in words
    const down = { ...cam, online: false, state: 'reconnecting', lastError: 'method DESCRIBE failed: 404 Not Found', lastErrorCode: null };
    expect(tileState(down)).toBe('reconnecting');
    expect(tileReason(down)).toEqual({ key: 'camReason.not_found', raw: 'method DESCRIBE failed: 404 Not Found' });
    expect(cameraReasonCode({ lastError: 'x', lastErrorCode: 'unauthorized' })).toBe('unauthorized');
    expect(cameraReasonCode({ lastError: 'Connection timed out', lastErrorCode: null })).toBe('unreachable');
    expect(cameraReasonCode({ lastError: 'something odd', lastErrorCode: null })).toBe('other');
    expect(tileReason({ ...cam, online: false, state: 'offline' })).toEqual({ key: 'camReason.noStatus', raw: null });
    expect(tileReason({ ...cam, online: false, state: 'unknown' })).toEqual({ key: 'camReason.neverReported', raw: null });
    for (const r of [tileReason(stopped), tileReason(down), tileReason({ ...cam, online: false, state: 'offline' })]) expect(hasMessage(r!.key)).toBe(true);
    // today (Vietnam day) by type for one camera
    const stats = {
      at: '2026-11-25T09:00:00Z',
      violationsPerHour: [
        { hour: '2026-11-24T16:00:00Z', cameraId: 'c1', type: 'red_light', count: 2 }, // 23:00 on the 24th in Vietnam
        { hour: '2026-11-24T17:00:00Z', cameraId: 'c1', type: 'red_light', count: 3 }, // 00:00 on the 25th
        { hour: '2026-11-25T08:00:00Z', cameraId: 'c1', type: 'wrong_way', count: 1 },
        { hour: '2026-11-25T08:00:00Z', cameraId: 'c2', type: 'wrong_way', count: 9 },
      ],
    };
    expect(todayByType(stats, 'c1')).toEqual({ red_light: 3, wrong_way: 1 });
    // the map: the bounding box fills the frame at one scale (north up), one camera sits in the middle
    const pts = mapLayout(
      [
        { cameraId: 'a', lat: 21.0, lng: 105.8 },
        { cameraId: 'b', lat: 21.1, lng: 105.9 },
        { cameraId: 'c', lat: null, lng: null },
      ],
      600,
      360,
      40,
    );
    expect(pts.map((p) => p.cameraId)).toEqual(['a', 'b']);
    expect(pts[1]!.y).toBeCloseTo(40);
    expect(pts[0]!.y).toBeCloseTo(320);
    expect(pts[1]!.x).toBeGreaterThan(pts[0]!.x);
    expect(mapLayout([{ cameraId: 'a', lat: 10, lng: 106 }], 600, 360)).toEqual([{ cameraId: 'a', x: 300, y: 180 }]);
  });

  it('draws the province the cameras stand in behind them, framed with them by one projection', async () => {
    const { mapScene, outlineFor, insideRing } = await import('../src/pages/ops/wall-model');
    const { provinces } = (await import('../src/components/province-outlines.json')).default as {
      provinces: { iso: string; name: string; rings: [number, number][][] }[];
    };
    expect(provinces.length).toBe(64); // the 63 provinces before the 2025 merger, Côn Đảo on its own
    expect(Math.max(...provinces.map((p) => p.rings.flat().length))).toBeLessThan(300);
    // two cameras in Mỹ Tho and Cai Lậy (Tiền Giang), one in Hà Nội: the province holding most of them wins
    const cams = [
      { cameraId: 'mt', lat: 10.3601, lng: 106.3599 },
      { cameraId: 'cl', lat: 10.4078, lng: 106.1177 },
    ];
    const province = outlineFor([...cams, { lat: 21.0285, lng: 105.8542 }], provinces)!;
    expect(province.iso).toBe('VN-46');
    expect(outlineFor([{ lat: 21.0285, lng: 105.8542 }], provinces)!.iso).toBe('VN-HN');
    expect(
      outlineFor(
        [
          { lat: 12, lng: 112 },
          { lat: null, lng: null },
        ],
        provinces,
      ),
    ).toBeNull(); // at sea
    const { points, outline } = mapScene(cams, province.rings, 600, 360, 20);
    const drawn = outline
      .split('Z')
      .filter(Boolean)
      .map((r) =>
        r
          .slice(1)
          .split('L')
          .map((xy) => xy.split(',').map(Number) as [number, number]),
      );
    expect(drawn.length).toBe(province.rings.length);
    const all = drawn.flat();
    const [xs, ys] = [all.map(([x]) => x), all.map(([, y]) => y)];
    // the outline fills the frame (it is wider than the two cameras' box), inside the padding
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(19.9);
    expect(Math.max(...xs)).toBeLessThanOrEqual(580.1);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(19.9);
    expect(Math.max(...ys)).toBeLessThanOrEqual(340.1);
    expect(Math.max(Math.max(...xs) - Math.min(...xs) - 560, Math.max(...ys) - Math.min(...ys) - 320)).toBeGreaterThan(-0.2);
    // each camera plots inside the drawn outline; a point west of the province plots outside it
    for (const p of points) expect(drawn.some((r) => insideRing([p.x, p.y], r))).toBe(true);
    const west = mapScene([...cams, { cameraId: 'w', lat: 10.4, lng: 105.6 }], province.rings, 600, 360, 20);
    expect(drawn.some((r) => insideRing([west.points[2]!.x, west.points[2]!.y], r))).toBe(false);
    expect(west.points[2]!.x).toBeCloseTo(20, 0); // now the westmost thing framed
  });
});

describe('option lists', () => {
  it('match the contract lists value for value (the bundle keeps TypeBox out by not importing them)', async () => {
    const ui = await import('../src/options');
    const cases = await import('@phatnguoi/core/contracts/api/cases');
    const common = await import('@phatnguoi/core/contracts/api/common');
    expect([...ui.STATUS_OPTIONS]).toEqual([...cases.CASE_STATUSES]);
    expect([...ui.REJECT_REASONS]).toEqual([...cases.REJECT_REASONS]);
    expect([...ui.TYPE_OPTIONS]).toEqual([...common.VIOLATION_TYPES]);
    expect([...ui.CASE_VEHICLE_TYPES]).toEqual([...common.CASE_VEHICLE_TYPES]);
    expect([...ui.PLATE_COLOURS]).toEqual([...common.PLATE_COLOURS]);
    const geo = await import('@phatnguoi/core/contracts/camera-geometry');
    expect([...ui.TURNS]).toEqual([...geo.TURNS]);
    expect([...ui.LAMP_COLOURS]).toEqual([...geo.LAMP_COLOURS]);
    expect([...ui.LAMP_SHAPES]).toEqual([...geo.LAMP_SHAPES]);
  });
});
