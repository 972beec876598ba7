// The case repository: the one place that loads a case for a change (locked, within the caller's agency scope),
// carries out a status transition with the effects the status table declares, and touches a case's legal
// deadlines and warnings. Services hold the rules and call these; no route writes case SQL.
import type { DbClient, Queryable } from '@phatnguoi/core/db';
import { NotFoundError } from '@phatnguoi/core/errors';
import type { CaseStatus, RejectReason } from '@phatnguoi/core/contracts/api/cases';
import type { DeadlineKind } from '@phatnguoi/core/jobs';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { nextStatus, TRANSITIONS, type CaseAction, type TransitionEffect } from '../domain/case-status';
import { escalationTargets } from '../domain/deadlines';
import type { UserPrincipal } from '../domain/principal';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(v: string): boolean {
  return UUID_RE.test(v);
}

/** Who a change is recorded for: a user, or the system (`detector`, `clock`) with a null id. */
export interface Actor {
  id: string | null;
  name: string;
}

export interface CaseRow {
  id: string;
  status: CaseStatus;
  agency_id: string;
  resolving_agency_id: string | null;
  type: string;
  vehicle_type: string;
  plate_text: string | null;
  plate_original: string | null;
  plate_colour: string | null;
  claimed_by: string | null;
  claimed_until: Date | null;
  confirmed_by: string | null;
  manual_handling: boolean;
  owner_id: string | null;
  occurred_at: Date;
}

const CASE_COLUMNS = `id, status, agency_id, resolving_agency_id, type, vehicle_type, plate_text, plate_original, plate_colour,
  claimed_by, claimed_until, confirmed_by, manual_handling, owner_id, occurred_at`;

/**
 * SQL condition: case alias `c` belongs to the agency in parameter `$n` (detecting or resolving), or `$n` is null
 * (every agency). The one spelling of the agency scope of cases.
 */
export function caseInScope(param: number, alias = 'c'): string {
  return `($${param}::uuid IS NULL OR ${alias}.agency_id = $${param} OR ${alias}.resolving_agency_id = $${param})`;
}

/** The case locked FOR UPDATE, or null when there is none. */
export async function findCaseForUpdate(tx: DbClient, id: string): Promise<CaseRow | null> {
  if (!isUuid(id)) return null;
  const { rows } = await tx.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

/** Loads a case FOR UPDATE, checking the user may act on it (their agency, or the resolving agency). */
export async function lockCase(tx: DbClient, id: string, user: UserPrincipal | null): Promise<CaseRow> {
  const c = await findCaseForUpdate(tx, id);
  if (!c) throw new NotFoundError('no such case');
  if (user && user.role !== 'admin' && c.agency_id !== user.agencyId && c.resolving_agency_id !== user.agencyId) {
    // Same answer as a missing case: other agencies' cases are invisible.
    throw new NotFoundError('no such case');
  }
  return c;
}

/** Whether a case exists within the agency scope (`agencyScope`; null: every agency). */
export async function caseVisible(q: Queryable, id: string, scope: string | null): Promise<boolean> {
  if (!isUuid(id)) return false;
  const { rowCount } = await q.query(`SELECT 1 FROM cases c WHERE c.id = $1 AND ${caseInScope(2)}`, [id, scope]);
  return (rowCount ?? 0) > 0;
}

/** Cancels the case's pending deadlines (all of them, or the kinds given). */
export async function cancelDeadlines(tx: Queryable, caseId: string, kinds?: readonly DeadlineKind[]): Promise<void> {
  await tx.query(
    `UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1 AND status = 'pending' AND ($2::text[] IS NULL OR kind = ANY($2::text[]))`,
    [caseId, kinds ?? null],
  );
}

/** Lifts every warning of the case still out. */
export async function liftWarnings(tx: Queryable, caseId: string, now: Date): Promise<void> {
  await tx.query('UPDATE case_warnings SET lifted_at = $2 WHERE case_id = $1 AND lifted_at IS NULL', [caseId, now]);
}

/** Sends the warnings the vehicle type calls for (once each). */
async function raiseWarnings(tx: Queryable, c: CaseRow, now: Date): Promise<void> {
  for (const target of escalationTargets(c.vehicle_type)) {
    await tx.query('INSERT INTO case_warnings (case_id, target, created_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING', [c.id, target, now]);
  }
}

/** What some effects record besides the actor: the rejection's reason. */
export interface TransitionInput {
  rejection?: { reason: RejectReason; text: string | null };
}

/** Case columns each effect sets (values computed from the actor, the time and the input). */
function columnsOf(effect: TransitionEffect, actor: Actor, now: Date, input: TransitionInput): Record<string, unknown> {
  switch (effect) {
    case 'record_confirmer':
      return { confirmed_by: actor.id, confirmed_at: now };
    case 'clear_confirmer':
      return { confirmed_by: null, confirmed_at: null };
    case 'record_rejection':
      return { rejected_by: actor.id, rejected_reason: input.rejection?.reason ?? null, rejected_text: input.rejection?.text ?? null };
    case 'record_approver':
      return { approved_by: actor.id, approved_at: now };
    case 'release_claim':
      return { claimed_by: null, claimed_until: null };
    default:
      return {};
  }
}

/**
 * Moves the case by `action` (409 when the status table does not allow it from its status), carries out the
 * effects the table declares, and audits `case.<action>` with `data`. Returns the new status.
 */
export async function applyTransition(
  tx: DbClient,
  clock: Clock,
  c: CaseRow,
  action: CaseAction,
  actor: Actor,
  data: Record<string, unknown> = {},
  input: TransitionInput = {},
): Promise<CaseStatus> {
  const to = nextStatus(c.status, action);
  const now = clock.now();
  const { effects } = TRANSITIONS[action];
  const columns: Record<string, unknown> = { status: to, updated_at: now };
  for (const effect of effects) Object.assign(columns, columnsOf(effect, actor, now, input));
  const names = Object.keys(columns);
  await tx.query(`UPDATE cases SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE id = $1`, [c.id, ...names.map((n) => columns[n])]);
  if (effects.includes('cancel_deadlines')) await cancelDeadlines(tx, c.id);
  if (effects.includes('raise_warnings')) await raiseWarnings(tx, c, now);
  if (effects.includes('lift_warnings')) await liftWarnings(tx, c.id, now);
  await appendAudit(tx, {
    at: now,
    actorId: actor.id,
    actor: actor.name,
    action: `case.${action}`,
    entity: 'case',
    entityId: c.id,
    data: { from: c.status, to, ...data },
  });
  return to;
}
