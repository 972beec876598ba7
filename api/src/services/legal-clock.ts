// The legal clock (Circular 73/2024 Art. 24): what a due deadline does to its case. notice_due marks a case still
// without a delivered notice overdue; response_due escalates a notified case (warnings out); limitation lapses an
// open case. The status changes and their effects are the status table's (domain/case-status.ts).
import type { Db } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import type { DeadlineKind } from '@phatnguoi/core/jobs';
import type { JobOutcome } from '@phatnguoi/core/queue';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { canTransition, OPEN_STATUSES } from '../domain/case-status';
import { applyTransition, findCaseForUpdate, type Actor } from '../repositories/cases';

const CLOCK: Actor = { id: null, name: 'clock' };

/** Pending deadlines already due at `now`, oldest first (the sweep's safety net for lost delayed jobs). */
export async function dueDeadlines(db: Db, now: Date): Promise<{ case_id: string; kind: DeadlineKind }[]> {
  const { rows } = await db.query<{ case_id: string; kind: DeadlineKind }>(
    `SELECT case_id, kind FROM case_deadlines WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT 1000`,
    [now],
  );
  return rows;
}

/**
 * Fires one deadline if it is due by the (possibly controlled) clock, re-checking the case first. `skipped` with
 * reason `early` and `dueAt` when the clock has not reached it.
 */
export async function fireDueDeadline(db: Db, clock: Clock, caseId: string, kind: DeadlineKind): Promise<JobOutcome> {
  return withTransaction(db, async (tx): Promise<JobOutcome> => {
    const d = await tx.query<{ due_at: Date; status: string }>('SELECT due_at, status FROM case_deadlines WHERE case_id = $1 AND kind = $2 FOR UPDATE', [
      caseId,
      kind,
    ]);
    const dl = d.rows[0];
    if (!dl || dl.status !== 'pending') return { status: 'skipped', reason: 'not pending' };
    const now = clock.now();
    if (dl.due_at > now) return { status: 'skipped', reason: 'early', dueAt: dl.due_at.toISOString() };
    const c = await findCaseForUpdate(tx, caseId);
    if (!c) return { status: 'skipped', reason: 'no case' };
    let effect = 'none';
    // A notice issued but not delivered by any channel does not meet the 10-day duty either.
    const undelivered =
      kind === 'notice_due' &&
      c.status === 'notified' &&
      (
        await tx.query(`SELECT 1 FROM deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.case_id = $1 AND d.status IN ('sent', 'batched') LIMIT 1`, [
          caseId,
        ])
      ).rows.length === 0;
    if (kind === 'notice_due' && (OPEN_STATUSES.includes(c.status) || undelivered)) {
      await tx.query('UPDATE cases SET overdue = true, updated_at = $2 WHERE id = $1', [caseId, now]);
      await appendAudit(tx, {
        at: now,
        actorId: null,
        actor: 'clock',
        action: 'case.notice_overdue',
        entity: 'case',
        entityId: caseId,
        data: { dueAt: dl.due_at.toISOString() },
      });
      effect = 'overdue';
    } else if (kind === 'response_due' && c.status === 'notified') {
      await applyTransition(tx, clock, c, 'escalate', CLOCK, { dueAt: dl.due_at.toISOString() });
      effect = 'escalated';
    } else if (kind === 'limitation' && canTransition(c.status, 'lapse')) {
      await applyTransition(tx, clock, c, 'lapse', CLOCK, { dueAt: dl.due_at.toISOString() });
      effect = 'lapsed';
    }
    await tx.query(`UPDATE case_deadlines SET status = 'fired', fired_at = $3 WHERE case_id = $1 AND kind = $2`, [caseId, kind, now]);
    return { status: 'done', effect };
  });
}
