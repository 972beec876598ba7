// Penalty decisions (quyết định xử phạt vi phạm hành chính): recorded on a case whose owner came forward (notified,
// escalated) or that was resolved, with an amount inside the schedule's range, and printed as a PDF.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError } from '@phatnguoi/core/errors';
import { DECISION_NUMBER_RE, type Decision, type RecordDecisionRequest } from '@phatnguoi/core/contracts/api/reports';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { agencyScope } from '../domain/principal';
import { actorOf, lockCase } from './cases';
import { excessOf, fineFor } from './fines';
import { renderDecisionPdf } from '../notices/decision-pdf';
import type { NoticeFonts } from '../notices/fonts';
import { fieldError } from '../domain/field-error';
import { vnDay } from '../domain/vietnam-time';

/** Days the violator has to pay (Law 15/2012/QH13 Art. 73). */
export const PAY_DAYS = 10;
/** The symbol of the decisions this service numbers. */
export const DECISION_SYMBOL = 'QĐ-XPHC';
const DECIDABLE = ['notified', 'escalated', 'resolved'];

export function addDaysIso(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
export function addYearIso(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}
function isRealDay(day: string): boolean {
  const t = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === day;
}

interface DecisionDbRow {
  id: string;
  case_id: string;
  number: string;
  decided_on: string;
  officer_name: string;
  officer_title: string;
  amount: string;
  points: number;
  fine_min: string;
  fine_max: string;
  pay_by: string;
  lapses_on: string;
  status: 'unpaid' | 'paid';
  paid_at: Date | null;
}
const DECISION_SELECT = `SELECT d.id, d.case_id, d.number, to_char(d.decided_on, 'YYYY-MM-DD') AS decided_on, d.officer_name, d.officer_title, d.amount, d.points,
       f.fine_min, f.fine_max, to_char(d.pay_by, 'YYYY-MM-DD') AS pay_by, to_char(d.lapses_on, 'YYYY-MM-DD') AS lapses_on, d.status, d.paid_at
  FROM penalty_decisions d JOIN fine_schedule f ON f.id = d.fine_schedule_id JOIN cases c ON c.id = d.case_id`;
function toDecision(r: DecisionDbRow): Decision {
  return {
    id: r.id,
    caseId: r.case_id,
    number: r.number,
    decidedOn: r.decided_on,
    officerName: r.officer_name,
    officerTitle: r.officer_title,
    amount: Number(r.amount),
    points: r.points,
    fineMin: Number(r.fine_min),
    fineMax: Number(r.fine_max),
    payBy: r.pay_by,
    lapsesOn: r.lapses_on,
    status: r.status,
    paidAt: r.paid_at?.toISOString() ?? null,
  };
}

export async function recordDecision(db: Db, clock: Clock, user: UserPrincipal, caseId: string, body: RecordDecisionRequest): Promise<Decision> {
  const now = clock.now();
  const decidedOn = body.decidedOn ?? vnDay(now);
  if (!isRealDay(decidedOn)) throw fieldError('bad_date', 'decidedOn', `${decidedOn} is not a day`);
  if (decidedOn > vnDay(now)) throw fieldError('future_date', 'decidedOn', 'a decision cannot be dated in the future');
  if (body.number !== undefined && !DECISION_NUMBER_RE.test(body.number)) {
    throw fieldError('bad_number', 'number', `"${body.number}" is not a number with symbol such as 123/${DECISION_SYMBOL}`);
  }
  const id = await withTransaction(db, async (tx) => {
    const c = await lockCase(tx, caseId, user);
    if (!DECIDABLE.includes(c.status))
      throw new ConflictError(`a ${c.status} case cannot get a penalty decision; the owner must have been notified`, 'illegal_transition', {
        params: { status: c.status },
      });
    if (decidedOn < vnDay(c.occurred_at)) throw fieldError('bad_date', 'decidedOn', 'the decision cannot be dated before the violation');
    const existing = await tx.query<{ number: string }>('SELECT number FROM penalty_decisions WHERE case_id = $1', [caseId]);
    if (existing.rows[0])
      throw new ConflictError(`the case has decision ${existing.rows[0].number} already`, 'decision_exists', { params: { number: existing.rows[0].number } });
    const ev = (await tx.query<{ type: string; event: unknown }>('SELECT type, event FROM cases WHERE id = $1', [caseId])).rows[0]!;
    const fine = await fineFor(tx, ev.type, c.vehicle_type, c.occurred_at, excessOf(ev.event));
    if (!fine) throw new ConflictError('no fine schedule entry is in force for this offence and date', 'no_fine_schedule');
    if (body.amount < fine.fineMin || body.amount > fine.fineMax) {
      throw fieldError(
        'amount_out_of_range',
        'amount',
        `${body.amount} VND is outside the schedule's range ${fine.fineMin}–${fine.fineMax} VND (${fine.article} ${fine.legalBasis})`,
        { min: fine.fineMin, max: fine.fineMax },
      );
    }
    const points = body.points ?? fine.points;
    if (points > fine.points)
      throw fieldError('points_out_of_range', 'points', `at most ${fine.points} points are deducted for this offence`, { max: fine.points });
    const number = body.number ?? `${(await tx.query<{ n: string }>(`SELECT nextval('penalty_decision_seq') AS n`)).rows[0]!.n}/${DECISION_SYMBOL}`;
    const taken = await tx.query('SELECT 1 FROM penalty_decisions WHERE number = $1', [number]);
    if (taken.rowCount) throw new ConflictError(`decision number ${number} is taken`, 'number_taken', { field: 'number', params: { number } });
    const officerName = body.officerName?.trim() || user.displayName;
    const officerTitle = body.officerTitle?.trim() || (user.role === 'supervisor' ? 'Trưởng phòng' : 'Cán bộ có thẩm quyền');
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO penalty_decisions (case_id, number, decided_on, decided_by, officer_name, officer_title, fine_schedule_id, amount, points, pay_by, lapses_on, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
      [
        caseId,
        number,
        decidedOn,
        user.id,
        officerName,
        officerTitle,
        fine.id,
        body.amount,
        points,
        addDaysIso(decidedOn, PAY_DAYS),
        addYearIso(decidedOn),
        now,
      ],
    );
    // The violator came forward: the 20-day escalation no longer applies and warnings are lifted.
    await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1 AND kind = 'response_due' AND status = 'pending'`, [caseId]);
    await tx.query('UPDATE case_warnings SET lifted_at = $2 WHERE case_id = $1 AND lifted_at IS NULL', [caseId, now]);
    const actor = actorOf(user);
    await appendAudit(tx, {
      at: now,
      actorId: actor.id,
      actor: actor.name,
      action: 'decision.recorded',
      entity: 'case',
      entityId: caseId,
      data: { decisionId: inserted.rows[0]!.id, number, decidedOn, amount: body.amount, points, fineScheduleId: fine.id, officerName },
    });
    return inserted.rows[0]!.id;
  });
  return (await findDecision(db, user, { id }))!;
}

/** The decision by id or by case, within the user's agencies; null when none. */
export async function findDecision(q: Queryable, user: UserPrincipal, by: { id: string } | { caseId: string }): Promise<Decision | null> {
  const { rows } = await q.query<DecisionDbRow>(
    `${DECISION_SELECT} WHERE ${'id' in by ? 'd.id' : 'd.case_id'} = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`,
    ['id' in by ? by.id : by.caseId, agencyScope(user)],
  );
  return rows[0] ? toDecision(rows[0]) : null;
}

/** The decision as a printable PDF (rendered from the recorded fields, so every print is the same document). */
export async function decisionPdf(q: Queryable, user: UserPrincipal, decisionId: string, fonts?: NoticeFonts): Promise<{ number: string; pdf: Buffer }> {
  const d = await findDecision(q, user, { id: decisionId });
  if (!d) throw new NotFoundError('no such decision');
  const { rows } = await q.query<{
    plate_text: string;
    vehicle_type: string;
    occurred_at: Date;
    place: string;
    unit: string;
    unit_address: string | null;
    province: string;
    description_vi: string;
    article: string;
    legal_basis: string;
    owner_name: string | null;
    owner_address: string | null;
    notice_number: string | null;
  }>(
    `SELECT c.plate_text, c.vehicle_type, c.occurred_at, cam.name || CASE WHEN cam.address <> '' THEN ', ' || cam.address ELSE '' END AS place,
            ra.name AS unit, ra.address AS unit_address, ra.province_code AS province, f.description_vi, f.article, f.legal_basis,
            o.full_name AS owner_name, o.address AS owner_address, n.number AS notice_number
       FROM penalty_decisions d JOIN cases c ON c.id = d.case_id JOIN cameras cam ON cam.id = c.camera_id
       JOIN agencies ra ON ra.id = COALESCE(c.resolving_agency_id, c.agency_id) JOIN fine_schedule f ON f.id = d.fine_schedule_id
       LEFT JOIN registry_owners o ON o.id = c.owner_id LEFT JOIN notices n ON n.case_id = c.id
      WHERE d.id = $1`,
    [decisionId],
  );
  const r = rows[0]!;
  const pdf = await renderDecisionPdf(
    {
      number: d.number,
      decidedOn: d.decidedOn,
      unit: r.unit,
      unitAddress: r.unit_address,
      provinceCode: r.province,
      officerName: d.officerName,
      officerTitle: d.officerTitle,
      violatorName: r.owner_name ?? '',
      violatorAddress: r.owner_address ?? '',
      plate: r.plate_text,
      vehicleType: r.vehicle_type,
      occurredAt: r.occurred_at,
      place: r.place,
      offence: r.description_vi,
      article: r.article,
      legalBasis: r.legal_basis,
      amount: d.amount,
      points: d.points,
      payBy: d.payBy,
      noticeNumber: r.notice_number,
    },
    fonts,
  );
  return { number: d.number, pdf };
}
