// Pure logic of the review UI: geometry editing, proof of work, i18n. Browser behaviour is in the *.browser tests.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { addItem, directionHead, emptyGeometry, errorsUnder, insertVertex, moveHandle, removeVertex, selectionOfPath } from '../src/geometry/model';
import { leadingZeroBits, solvePow } from '../src/pages/citizen/pow';
import { interpolate } from '../src/i18n/index';
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
});
