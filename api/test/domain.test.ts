// Pure logic: status machine, deadline arithmetic, proof of work, audit hashing, plate input, CSV parsing.
import { describe, expect, it } from 'vitest';
import { CASE_STATUSES } from '@phatnguoi/core/contracts/api/cases';
import { canTransition, nextStatus, TRANSITIONS, type CaseAction } from '../src/domain/case-status';
import { addOneYear, escalationDeadline, escalationTargets, isAtRisk, violationDeadlines } from '../src/domain/deadlines';
import { checkSolution, issueChallenge, leadingZeroBits, solveChallenge } from '../src/services/pow';
import { canonicalJson, entryHash, GENESIS_HASH } from '../src/audit/chain';
import { normalisePlateInput } from '@phatnguoi/core/plates/entry';
import { parseCsv } from '../src/services/registry';
import { formatVnd } from '../src/services/fines';
import { formatVnTime } from '../src/notices/pdf';
import { classifyError } from '../src/plugins/errors';
import { ConflictError, OperationalError } from '@phatnguoi/core/errors';

describe('case status machine', () => {
  const legal: [string, CaseAction, string][] = [
    ['detected', 'confirm', 'confirmed'],
    ['detected', 'reject', 'rejected'],
    ['confirmed', 'return', 'detected'],
    ['confirmed', 'approve', 'approved'],
    ['approved', 'notify', 'notified'],
    ['notified', 'escalate', 'escalated'],
    ['notified', 'resolve', 'resolved'],
    ['escalated', 'resolve', 'resolved'],
    ['detected', 'lapse', 'lapsed'],
    ['escalated', 'lapse', 'lapsed'],
  ];
  for (const [from, action, to] of legal) it(`${from} --${action}--> ${to}`, () => expect(nextStatus(from as never, action)).toBe(to));

  it('every other (status, action) pair is refused with a 409', () => {
    let illegal = 0;
    for (const s of CASE_STATUSES) {
      for (const a of Object.keys(TRANSITIONS) as CaseAction[]) {
        if (canTransition(s, a)) continue;
        illegal += 1;
        expect(() => nextStatus(s, a)).toThrow(ConflictError);
      }
    }
    expect(illegal).toBeGreaterThan(40);
    for (const terminal of ['resolved', 'rejected', 'lapsed'] as const) {
      for (const a of Object.keys(TRANSITIONS) as CaseAction[]) expect(canTransition(terminal, a)).toBe(false);
    }
  });
});

describe('legal deadlines', () => {
  const t = new Date('2025-03-01T01:02:03.000Z');
  it('notice within 10 days, limitation after one calendar year, escalation 20 days after the notice', () => {
    expect(violationDeadlines(t).map((d) => [d.kind, d.dueAt.toISOString()])).toEqual([
      ['notice_due', '2025-03-11T01:02:03.000Z'],
      ['limitation', '2026-03-01T01:02:03.000Z'],
    ]);
    expect(escalationDeadline(t).toISOString()).toBe('2025-03-21T01:02:03.000Z');
    expect(addOneYear(new Date('2024-02-29T00:00:00Z')).toISOString()).toBe('2025-03-01T00:00:00.000Z');
  });
  it('at risk from day 7 while no notice was sent', () => {
    const due = violationDeadlines(t)[0]!.dueAt;
    expect(isAtRisk('detected', due, new Date('2025-03-07T00:00:00Z'))).toBe(false);
    expect(isAtRisk('approved', due, new Date('2025-03-08T02:00:00Z'))).toBe(true);
    expect(isAtRisk('notified', due, new Date('2025-03-12T00:00:00Z'))).toBe(false);
  });
  it('motorbikes go to the commune police, cars to the inspection body', () => {
    expect(escalationTargets('motorbike')).toEqual(['registration', 'commune_police']);
    expect(escalationTargets('car')).toEqual(['inspection', 'registration']);
  });
});

describe('proof of work', () => {
  const secret = 's3cret';
  const now = new Date('2025-01-01T00:00:00Z');
  it('accepts a solved challenge and refuses forged, expired, too-easy or wrong ones', () => {
    const c = issueChallenge(secret, 10, now);
    const nonce = solveChallenge(c.challenge, 10);
    expect(checkSolution(secret, c.challenge, nonce, now, 10)).toBeNull();
    expect(checkSolution('other', c.challenge, nonce, now, 10)).toMatch(/not issued/);
    expect(checkSolution(secret, c.challenge, nonce, new Date(now.getTime() + 3_600_000), 10)).toMatch(/expired/);
    expect(checkSolution(secret, c.challenge, nonce, now, 12)).toMatch(/too easy/);
    expect(checkSolution(secret, 'a.b.c', nonce, now, 10)).toMatch(/malformed/);
    const forged = c.challenge.replace(/^10\./, '1.');
    expect(checkSolution(secret, forged, nonce, now, 1)).toMatch(/not issued/);
  });
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Buffer.from([0, 0x0f]))).toBe(12);
    expect(leadingZeroBits(Buffer.from([0x80]))).toBe(0);
  });
});

describe('audit hashing', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('any change to an entry or to the previous hash changes the hash', () => {
    const e = { at: new Date('2025-01-01T00:00:00Z'), actorId: null, actor: 'x', action: 'case.confirm', entity: 'case', entityId: '1', data: { a: 1 } };
    const h = entryHash(GENESIS_HASH, 1, e);
    expect(entryHash(GENESIS_HASH, 1, { ...e })).toBe(h);
    expect(entryHash(GENESIS_HASH, 1, { ...e, data: { a: 2 } })).not.toBe(h);
    expect(entryHash(GENESIS_HASH, 2, e)).not.toBe(h);
    expect(entryHash('f'.repeat(64), 1, e)).not.toBe(h);
  });
});

describe('formatting and parsing', () => {
  it('normalises plate input by vehicle kind', () => {
    expect(normalisePlateInput('30a12345')).toBe('30A-123.45');
    expect(normalisePlateInput('29b11234', 'car')).toBe('29B-112.34');
    expect(normalisePlateInput('29b11234', 'motorbike')).toBe('29-B1 1234');
    expect(normalisePlateInput('10A-123.45')).toBeNull();
    expect(normalisePlateInput('<script>')).toBeNull();
  });
  it('parses quoted CSV fields', () => {
    expect(parseCsv('a,"b,c","d ""e"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['1', '2', '3'],
    ]);
  });
  it('formats money and Vietnam time', () => {
    expect(formatVnd(18_000_000)).toBe('18.000.000 đ');
    expect(formatVnTime(new Date('2025-01-01T17:05:09Z'))).toBe('00:05:09 ngày 02/01/2025');
  });
  it('classifies errors: user errors keep their message, others become generic', () => {
    expect(classifyError(new ConflictError('busy', 'claimed_by_other'))).toEqual({ status: 409, code: 'claimed_by_other', message: 'busy' });
    expect(classifyError(new Error('secret stack detail'))).toEqual({ status: 500, code: 'internal', message: 'internal error' });
    expect(classifyError(new OperationalError('db_unavailable', 'pg down')).status).toBe(503);
  });
});

describe('rule circumstances on a notice', () => {
  it("words each rule in Vietnamese from the structured detail (decimal comma), never the detector's English summary", async () => {
    const { ruleCircumstances } = await import('../src/domain/rule-text');
    const red = {
      vehicleClass: 'car',
      signalState: { round: 'red' },
      ruleDetail: { rule: 'redLightRule', summary: 'Crossed stop line stop-main 21.6 s after red onset', stopLineId: 'stop-main', secondsAfterRed: 21.64 },
    };
    expect(ruleCircumstances(red)).toBe('Vượt vạch dừng stop-main 21,6 giây sau khi đèn chuyển đỏ');
    expect(ruleCircumstances({ ...red, ruleDetail: { ...red.ruleDetail, turn: 'left' } })).toBe(
      'Vượt vạch dừng stop-main 21,6 giây sau khi đèn chuyển đỏ (hướng đi: rẽ trái)',
    );
    expect(ruleCircumstances({ ...red, signalState: { round: 'yellow' } })).toBe('Vượt vạch dừng stop-main khi đèn vàng');
    const lane = { vehicleClass: 'car', ruleDetail: { rule: 'laneClassRule', summary: 'car in lane moto, which allows motorbike', laneId: 'moto' } };
    // The lane by its human name from the geometry, else by its movements; its raw id only without geometry.
    expect(ruleCircumstances(lane, { name: 'làn xe máy', allowedClasses: ['motorbike', 'bicycle'], turns: ['straight'] })).toBe(
      'Ô tô đi vào làn xe máy, làn chỉ dành cho xe máy, xe đạp',
    );
    expect(ruleCircumstances(lane, { allowedClasses: ['motorbike', 'bicycle'], turns: ['straight', 'right'] })).toBe(
      'Ô tô đi vào làn đi thẳng, rẽ phải, làn chỉ dành cho xe máy, xe đạp',
    );
    expect(ruleCircumstances(lane)).toBe('Ô tô đi vào làn “moto”, làn không dành cho loại xe này');
    const wrongWay = { ruleDetail: { rule: 'wrongWayRule', laneId: 'left', distancePx: 113.4 } };
    expect(ruleCircumstances(wrongWay, { turns: ['left', 'u_turn'] })).toBe('Đi ngược chiều làn rẽ trái, quay đầu (quãng đường 113 điểm ảnh trên hình)');
    expect(ruleCircumstances(wrongWay)).toBe('Đi ngược chiều làn “left” (quãng đường 113 điểm ảnh trên hình)');
    expect(ruleCircumstances({ ruleDetail: { rule: 'solidLineRule', solidLineId: 'centre' } })).toBe('Vượt qua vạch kẻ liền centre');
    expect(ruleCircumstances({ ruleDetail: { rule: 'speedingRule' } })).toBeNull();
    expect(ruleCircumstances(null)).toBeNull();
  });
});
