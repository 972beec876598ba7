// The fine schedule as versions (Decree 168/2024): a new version takes effect on its date and closes the one in
// force; cases keep the row they were fined under. Only offences the cases know may get a row.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, UserError } from '@phatnguoi/core/errors';
import type { FineSchedule, NewFineVersionRequest } from '@phatnguoi/core/contracts/api/registry';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';

export async function fineSchedule(q: Queryable): Promise<FineSchedule> {
  const { rows } = await q.query<{
    id: number;
    offence: string;
    vehicle_group: string;
    description_vi: string;
    legal_basis: string;
    article: string;
    fine_min: string;
    fine_max: string;
    points: number;
    effective_from: string;
    effective_to: string | null;
  }>('SELECT * FROM fine_schedule ORDER BY offence, vehicle_group, effective_from');
  return {
    items: rows.map((r) => ({
      id: r.id,
      offence: r.offence,
      vehicleGroup: r.vehicle_group,
      description: r.description_vi,
      legalBasis: r.legal_basis,
      article: r.article,
      fineMin: Number(r.fine_min),
      fineMax: Number(r.fine_max),
      points: r.points,
      effectiveFrom: String(r.effective_from),
      effectiveTo: r.effective_to ? String(r.effective_to) : null,
    })),
  } as FineSchedule;
}

/** Offences a fine row may name: those the cases know (violation_offences). */
export async function knownOffences(q: Queryable): Promise<string[]> {
  return (await q.query<{ offence: string }>('SELECT DISTINCT offence FROM violation_offences ORDER BY offence')).rows.map((r) => r.offence);
}

export async function addFineVersion(db: Db, clock: Clock, admin: UserPrincipal, b: NewFineVersionRequest): Promise<FineSchedule> {
  if (b.fineMax < b.fineMin)
    throw new UserError('bad_range', 'fineMax must be at least fineMin', 400, { details: { errors: [{ path: 'fineMax', message: 'at least fineMin' }] } });
  await withTransaction(db, async (tx) => {
    const known = await knownOffences(tx);
    if (!known.includes(b.offence))
      throw new UserError('unknown_offence', `offence must be one of: ${known.join(', ')}`, 400, {
        details: { errors: [{ path: 'offence', message: 'unknown offence' }] },
      });
    const later = await tx.query('SELECT 1 FROM fine_schedule WHERE offence = $1 AND vehicle_group = $2 AND effective_from >= $3', [
      b.offence,
      b.vehicleGroup,
      b.effectiveFrom,
    ]);
    if (later.rowCount) throw new ConflictError('a version starting on or after that date exists already', 'version_conflict');
    await tx.query('UPDATE fine_schedule SET effective_to = $3 WHERE offence = $1 AND vehicle_group = $2 AND (effective_to IS NULL OR effective_to > $3)', [
      b.offence,
      b.vehicleGroup,
      b.effectiveFrom,
    ]);
    const r = await tx.query<{ id: number }>(
      `INSERT INTO fine_schedule (offence, vehicle_group, description_vi, legal_basis, article, fine_min, fine_max, points, effective_from)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
      [b.offence, b.vehicleGroup, b.description, b.legalBasis, b.article, b.fineMin, b.fineMax, b.points, b.effectiveFrom],
    );
    await appendAudit(tx, {
      at: clock.now(),
      actorId: admin.id,
      actor: admin.username,
      action: 'fine_schedule.version',
      entity: 'fine_schedule',
      entityId: String(r.rows[0]!.id),
      data: { ...b },
    });
  });
  return fineSchedule(db);
}
