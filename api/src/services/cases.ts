// Cases: creation from detector events (idempotent), review, approval and the owner side.
// Every change runs in one transaction with its audit entry.
import { randomBytes } from 'node:crypto';
import type { Db, DbClient, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, ForbiddenError, UserError } from '@phatnguoi/core/errors';
import { violationEventErrors, type ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import type { CaseStatus, RejectReason } from '@phatnguoi/core/contracts/api/cases';
import { isValidPlate } from '@phatnguoi/core/plates/format';
import { appendAudit } from '../audit/chain';
import { nextStatus } from '../domain/case-status';
import { violationDeadlines } from '../domain/deadlines';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { plateForVehicle, plateKindOf } from '@phatnguoi/core/plates/entry';
import { applyTransition, cancelDeadlines, isUuid, liftWarnings, lockCase, type Actor, type CaseRow } from '../repositories/cases';

// The case repository's names, for the services and routes that import them from here.
export { applyTransition, isUuid, lockCase, type Actor, type CaseRow } from '../repositories/cases';

export const SYSTEM: Actor = { id: null, name: 'system' };
export function actorOf(u: UserPrincipal): Actor {
  return { id: u.id, name: u.username };
}

export interface CreatedCase {
  caseId: string;
  created: boolean;
  deadlines: { kind: 'notice_due' | 'response_due' | 'limitation'; dueAt: Date }[];
}

function vehicleTypeOf(cls: string): string {
  return ['car', 'motorbike', 'bus', 'truck', 'bicycle'].includes(cls) ? cls : 'unknown';
}

/** Registry match for a plate, with the agency that should resolve the case (the owner's locality when it has one). */
async function ownerRouting(q: Queryable, plate: string, cameraAgencyId: string): Promise<{ ownerId: string; resolvingAgencyId: string } | null> {
  const { rows } = await q.query<{ owner_id: string; province_code: string }>(
    `SELECT v.owner_id, o.province_code FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = $1`,
    [plate],
  );
  const r = rows[0];
  if (!r) return null;
  const local = await q.query<{ id: string }>(
    `SELECT a.id FROM agencies a
      WHERE a.kind = 'traffic_police'
        AND a.province_code = $1
      ORDER BY (a.id = $2) DESC, a.code LIMIT 1`,
    [r.province_code, cameraAgencyId],
  );
  return { ownerId: r.owner_id, resolvingAgencyId: local.rows[0]?.id ?? cameraAgencyId };
}

/**
 * Turns a detector event into a case. The event's idempotency key is a unique column: a second delivery
 * of the same event returns the existing case and changes nothing.
 */
export async function createCaseFromEvent(db: Db, clock: Clock, raw: unknown): Promise<CreatedCase> {
  const errors = violationEventErrors(raw);
  if (errors.length > 0) {
    throw new UserError(
      'invalid_event',
      `invalid violation event: ${errors
        .slice(0, 5)
        .map((e) => `${e.path} ${e.message}`)
        .join('; ')}`,
    );
  }
  const event = raw as ViolationEvent;
  if (!isUuid(event.cameraId)) throw new UserError('unknown_camera', `unknown camera ${event.cameraId}`);
  return withTransaction(db, async (tx) => {
    const existing = await tx.query<{ id: string }>('SELECT id FROM cases WHERE idempotency_key = $1', [event.idempotencyKey]);
    if (existing.rows[0]) return { caseId: existing.rows[0].id, created: false, deadlines: [] };
    const cam = await tx.query<{ agency_id: string; name: string; address: string }>('SELECT agency_id, name, address FROM cameras WHERE id = $1', [
      event.cameraId,
    ]);
    const camera = cam.rows[0];
    if (!camera) throw new UserError('unknown_camera', `unknown camera ${event.cameraId}`);
    const occurredAt = new Date(event.occurredAt);
    const plateText = event.plate.text && isValidPlate(event.plate.text) ? event.plate.text : null;
    let manualReason: string | null = null;
    let routing: { ownerId: string; resolvingAgencyId: string } | null = null;
    if (!plateText || event.plate.needsManualEntry) manualReason = 'plate_unread';
    else {
      routing = await ownerRouting(tx, plateText, camera.agency_id);
      if (!routing) manualReason = 'plate_not_in_registry';
    }
    const deadlines = violationDeadlines(occurredAt);
    const noticeDue = deadlines.find((d) => d.kind === 'notice_due')!.dueAt;
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO cases (idempotency_key, agency_id, camera_id, type, occurred_at, track_id, phase_id, vehicle_type,
                          plate_text, plate_colour, plate_confidence, plate_needs_manual, manual_handling, manual_reason,
                          owner_id, resolving_agency_id, rule_summary, event, notice_due_at, public_token, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$21)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [
        event.idempotencyKey,
        camera.agency_id,
        event.cameraId,
        event.type,
        occurredAt,
        event.trackId,
        event.phaseId,
        vehicleTypeOf(event.vehicleClass),
        plateText,
        event.plate.colour,
        event.plate.confidence,
        event.plate.needsManualEntry,
        manualReason !== null,
        manualReason,
        routing?.ownerId ?? null,
        routing?.resolvingAgencyId ?? camera.agency_id,
        event.ruleDetail.summary,
        JSON.stringify(event),
        noticeDue,
        randomBytes(24).toString('base64url'),
        clock.now(),
      ],
    );
    const row = inserted.rows[0];
    if (!row) {
      // Lost a race with another worker delivering the same event.
      const again = await tx.query<{ id: string }>('SELECT id FROM cases WHERE idempotency_key = $1', [event.idempotencyKey]);
      return { caseId: again.rows[0]!.id, created: false, deadlines: [] };
    }
    for (const ev of event.evidence) {
      await tx.query(
        `INSERT INTO case_evidence (case_id, kind, bucket, key, sha256, size, content_type, captured_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`,
        [row.id, ev.kind, ev.bucket, ev.key, ev.sha256, ev.size, ev.contentType, new Date(ev.capturedAt)],
      );
    }
    for (const d of deadlines) {
      await tx.query('INSERT INTO case_deadlines (case_id, kind, due_at) VALUES ($1,$2,$3)', [row.id, d.kind, d.dueAt]);
    }
    await appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: 'detector',
      action: 'case.created',
      entity: 'case',
      entityId: row.id,
      data: {
        idempotencyKey: event.idempotencyKey,
        type: event.type,
        plate: plateText,
        manualReason,
        evidence: event.evidence.map((e) => ({ key: e.key, sha256: e.sha256 })),
      },
    });
    return { caseId: row.id, created: true, deadlines };
  });
}

function requireClaim(c: CaseRow, user: UserPrincipal, now: Date): void {
  if (c.claimed_by && c.claimed_by !== user.id && c.claimed_until && c.claimed_until > now) {
    throw new ConflictError('another officer is reviewing this case', 'claimed_by_other');
  }
}

export async function claimCase(db: Db, clock: Clock, user: UserPrincipal, id: string, minutes: number): Promise<{ claimedUntil: Date }> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    if (c.status !== 'detected') throw new ConflictError(`a ${c.status} case cannot be claimed for review`, 'not_reviewable', { params: { status: c.status } });
    const now = clock.now();
    requireClaim(c, user, now);
    const until = new Date(now.getTime() + minutes * 60_000);
    await tx.query('UPDATE cases SET claimed_by = $2, claimed_until = $3 WHERE id = $1', [id, user.id, until]);
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: 'case.claim',
      entity: 'case',
      entityId: id,
      data: { until: until.toISOString() },
    });
    return { claimedUntil: until };
  });
}

export async function releaseCase(db: Db, clock: Clock, user: UserPrincipal, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    if (c.claimed_by !== user.id) throw new ConflictError('you do not hold this case', 'not_claimed');
    await tx.query('UPDATE cases SET claimed_by = NULL, claimed_until = NULL WHERE id = $1', [id]);
    await appendAudit(tx, { at: clock.now(), actorId: user.id, actor: user.username, action: 'case.release', entity: 'case', entityId: id, data: {} });
  });
}

/** The officer must hold a live claim on the case to decide it. */
function requireOwnClaim(c: CaseRow, user: UserPrincipal, now: Date): void {
  if (c.claimed_by !== user.id || !c.claimed_until || c.claimed_until <= now) {
    throw new ConflictError('claim the case before deciding it', 'claim_required');
  }
}

export interface PlateChange {
  plateText: string;
  plateColour?: string | undefined;
  vehicleType?: string | undefined;
}

async function applyPlateChange(tx: DbClient, clock: Clock, c: CaseRow, change: PlateChange, actor: Actor): Promise<void> {
  const vehicleType = change.vehicleType ?? c.vehicle_type;
  const entry = plateForVehicle(change.plateText, plateKindOf(vehicleType));
  if (!entry.ok) {
    throw entry.reason === 'kind_mismatch'
      ? new UserError('plate_kind_mismatch', `"${change.plateText}" is not a ${plateKindOf(vehicleType)} plate: fix the plate or the vehicle type`, 400, {
          details: { params: { plate: change.plateText, kind: plateKindOf(vehicleType) } },
        })
      : new UserError('invalid_plate', `"${change.plateText}" is not a valid ${plateKindOf(vehicleType)} plate`, 400, {
          details: { params: { plate: change.plateText, kind: plateKindOf(vehicleType) } },
        });
  }
  const text = entry.plate;
  const routing = await ownerRouting(tx, text, c.agency_id);
  await tx.query(
    `UPDATE cases SET plate_original = COALESCE(plate_original, plate_text), plate_text = $2, plate_colour = COALESCE($3, plate_colour),
            vehicle_type = $4, plate_needs_manual = false, owner_id = $5, resolving_agency_id = $6,
            manual_handling = $7, manual_reason = $8, updated_at = $9
      WHERE id = $1`,
    [
      c.id,
      text,
      change.plateColour ?? null,
      vehicleType,
      routing?.ownerId ?? null,
      routing?.resolvingAgencyId ?? c.agency_id,
      routing === null,
      routing === null ? 'plate_not_in_registry' : null,
      clock.now(),
    ],
  );
  await appendAudit(tx, {
    at: clock.now(),
    actorId: actor.id,
    actor: actor.name,
    action: 'case.plate_corrected',
    entity: 'case',
    entityId: c.id,
    data: { from: c.plate_text, to: text, colour: change.plateColour ?? null, vehicleType, inRegistry: routing !== null },
  });
  c.plate_text = text;
  c.owner_id = routing?.ownerId ?? null;
}

export async function correctPlate(db: Db, clock: Clock, user: UserPrincipal, id: string, change: PlateChange): Promise<CaseStatus> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    if (c.status !== 'detected')
      throw new ConflictError(`the plate of a ${c.status} case cannot be changed`, 'illegal_transition', { params: { status: c.status } });
    requireOwnClaim(c, user, clock.now());
    await applyPlateChange(tx, clock, c, change, actorOf(user));
    return c.status;
  });
}

export async function confirmCase(
  db: Db,
  clock: Clock,
  user: UserPrincipal,
  id: string,
  body: { plateText?: string | undefined; plateColour?: string | undefined; vehicleType?: string | undefined; note?: string | undefined },
): Promise<CaseStatus> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    nextStatus(c.status, 'confirm');
    requireOwnClaim(c, user, clock.now());
    if (body.plateText)
      await applyPlateChange(tx, clock, c, { plateText: body.plateText, plateColour: body.plateColour, vehicleType: body.vehicleType }, actorOf(user));
    if (!c.plate_text) throw new UserError('plate_required', 'enter the plate (or reject the case as plate_unreadable) before confirming');
    return applyTransition(tx, clock, c, 'confirm', actorOf(user), { note: body.note ?? null, plate: c.plate_text });
  });
}

export async function rejectCase(db: Db, clock: Clock, user: UserPrincipal, id: string, reason: RejectReason, text?: string): Promise<CaseStatus> {
  if (reason === 'other' && !text?.trim()) throw new UserError('reason_text_required', 'describe the reason when it is "other"');
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    nextStatus(c.status, 'reject');
    requireOwnClaim(c, user, clock.now());
    return applyTransition(tx, clock, c, 'reject', actorOf(user), { reason, text: text ?? null }, { rejection: { reason, text: text ?? null } });
  });
}

/** Second pair of eyes: a supervisor other than the confirming officer. */
export async function approveCase(db: Db, clock: Clock, user: UserPrincipal, id: string, note?: string): Promise<CaseStatus> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    nextStatus(c.status, 'approve');
    if (c.confirmed_by === user.id) throw new ForbiddenError('a case must be approved by someone other than the officer who confirmed it', 'same_reviewer');
    // Art. 24.1: the vehicle and its owner are identified before the notice; approving an unknown owner would stall at
    // issue, unless the case went to the police of the owner's locality, who identify the owner and send the notice.
    const routed = !!c.resolving_agency_id && c.resolving_agency_id !== c.agency_id;
    if (!c.owner_id && !routed)
      throw new ConflictError('the vehicle is not identified: pick it in the registry, enter its owner, or route the case first', 'owner_unknown');
    return applyTransition(tx, clock, c, 'approve', actorOf(user), { note: note ?? null });
  });
}

export async function returnCase(db: Db, clock: Clock, user: UserPrincipal, id: string, reason: string): Promise<CaseStatus> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    return applyTransition(tx, clock, c, 'return', actorOf(user), { reason });
  });
}

export async function recordOwnerResponse(
  db: Db,
  clock: Clock,
  user: UserPrincipal,
  id: string,
  body: { kind: 'response' | 'complaint'; driverName?: string | undefined; text: string },
): Promise<CaseStatus> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    if (c.status !== 'notified' && c.status !== 'escalated')
      throw new ConflictError(`a ${c.status} case has no notice to respond to`, 'illegal_transition', { params: { status: c.status } });
    const now = clock.now();
    await tx.query('INSERT INTO owner_responses (case_id, kind, driver_name, text, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6)', [
      id,
      body.kind,
      body.driverName ?? null,
      body.text,
      user.id,
      now,
    ]);
    // The owner came forward: the 20-day escalation no longer applies and warnings are lifted.
    await cancelDeadlines(tx, id, ['response_due']);
    await liftWarnings(tx, id, now);
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: `case.owner_${body.kind}`,
      entity: 'case',
      entityId: id,
      data: { driverName: body.driverName ?? null },
    });
    return c.status;
  });
}

export async function resolveCase(db: Db, clock: Clock, user: UserPrincipal, id: string, body: { outcome: string; text: string }): Promise<CaseStatus> {
  return withTransaction(db, async (tx) => {
    const c = await lockCase(tx, id, user);
    const to = await applyTransition(tx, clock, c, 'resolve', actorOf(user), { outcome: body.outcome });
    await tx.query(`INSERT INTO owner_responses (case_id, kind, outcome, text, recorded_by, recorded_at) VALUES ($1,'resolution',$2,$3,$4,$5)`, [
      id,
      body.outcome,
      body.text,
      user.id,
      clock.now(),
    ]);
    return to;
  });
}
