// Vehicle identification, a step of the case workflow (Circular 73/2024/TT-BCA Art. 24.1): within 10 days the
// vehicle and its owner are identified from the registration data, and when the owner lives elsewhere the case
// goes to the police of the owner's locality. An officer or supervisor of the case's agency searches the registry,
// picks the vehicle or enters the owner from the registration papers, or routes the case. Every look at personal
// data and every change is written to the audit log in the same transaction.
import type { Db, DbClient, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, UserError } from '@phatnguoi/core/errors';
import { plateChars } from '@phatnguoi/core/plates/format';
import type {
  AgencyOption,
  CaseIdentification,
  IdentifyRequest,
  RegistrySearchHit,
  RegistrySearchQuery,
  RegistryVehicleInfo,
  RouteRequest,
} from '@phatnguoi/core/contracts/api/identification';
import type { OwnerInfo } from '@phatnguoi/core/contracts/api/cases';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { lockCase, type CaseRow } from './cases';
import { normalisePlateInput, plateKindOf } from '@phatnguoi/core/plates/entry';

/** Statuses in which the vehicle may still be identified or the case routed (before the notice). */
const IDENTIFIABLE = new Set(['detected', 'confirmed', 'approved']);

interface VehicleRow {
  plate: string;
  plate_colour: RegistryVehicleInfo['plateColour'];
  vehicle_type: RegistryVehicleInfo['vehicleType'];
  brand: string | null;
  colour: string | null;
  source: string;
}
const vehicleOf = (r: VehicleRow): RegistryVehicleInfo => ({
  plate: r.plate,
  plateColour: r.plate_colour,
  vehicleType: r.vehicle_type,
  brand: r.brand,
  colour: r.colour,
  source: r.source,
});

/** The identification state of a case as the review screens show it (no personal data: the owner is in CaseDetail). */
export async function caseIdentification(q: Queryable, caseId: string, agencyId: string | null = null): Promise<CaseIdentification> {
  const { rows } = await q.query<{
    plate_text: string | null;
    owner_id: string | null;
    agency_id: string;
    resolving_agency_id: string | null;
    ra_code: string | null;
    ra_name: string | null;
  }>(
    `SELECT c.plate_text, c.owner_id, c.agency_id, c.resolving_agency_id, ra.code AS ra_code, ra.name AS ra_name
       FROM cases c LEFT JOIN agencies ra ON ra.id = c.resolving_agency_id
      WHERE c.id = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`,
    [caseId, agencyId],
  );
  const c = rows[0];
  if (!c) throw new NotFoundError('no such case');
  let vehicle: RegistryVehicleInfo | null = null;
  if (c.plate_text) {
    const v = await q.query<VehicleRow>('SELECT plate, plate_colour, vehicle_type, brand, colour, source FROM registry_vehicles WHERE plate = $1', [
      c.plate_text,
    ]);
    if (v.rows[0]) vehicle = vehicleOf(v.rows[0]);
  }
  const state: CaseIdentification['state'] = !c.plate_text ? 'plate_unread' : c.owner_id ? 'identified' : 'not_in_registry';
  return {
    state,
    vehicle,
    resolvingAgency: c.resolving_agency_id && c.ra_code && c.ra_name ? { id: c.resolving_agency_id, code: c.ra_code, name: c.ra_name } : null,
    routed: !!c.resolving_agency_id && c.resolving_agency_id !== c.agency_id,
  };
}

/** `%`, `_` and `\` stand for themselves in a LIKE pattern. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/**
 * Registry search by whole or partial plate (punctuation ignored), vehicle type, vehicle colour and plate colour.
 * At least one criterion; the plate part needs 2 characters or more. A search that finds owners is audited as
 * `registry.searched` (the criteria and the number of hits, never the owners found).
 */
export async function searchRegistry(
  db: Db,
  clock: Clock,
  user: UserPrincipal,
  query: RegistrySearchQuery,
): Promise<{ items: RegistrySearchHit[]; truncated: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  const chars = query.plate ? plateChars(query.plate.normalize('NFC').toUpperCase()) : '';
  if (query.plate !== undefined && chars.length < 2) throw new UserError('plate_too_short', 'type at least two letters or digits of the plate');
  if (chars) add(`regexp_replace(v.plate, '[^0-9A-ZĐ]', '', 'g') LIKE ? ESCAPE '\\'`, `%${likeLiteral(chars)}%`);
  if (query.vehicleType) add('v.vehicle_type = ?', query.vehicleType);
  if (query.plateColour) add('v.plate_colour = ?', query.plateColour);
  if (query.colour) add(`lower(coalesce(v.colour, '')) LIKE ? ESCAPE '\\'`, `%${likeLiteral(query.colour.normalize('NFC').toLowerCase())}%`);
  if (where.length === 0) throw new UserError('search_criteria_required', 'give a plate (or part of it), a vehicle type or a colour');
  const limit = query.limit ?? 20;
  return withTransaction(db, async (tx) => {
    if (query.caseId) await lockCase(tx, query.caseId, user); // the case must be one the user may work on
    const { rows } = await tx.query<
      VehicleRow & { full_name: string; address: string; province_code: string; commune: string | null; email: string | null; phone: string | null }
    >(
      `SELECT v.plate, v.plate_colour, v.vehicle_type, v.brand, v.colour, v.source, o.full_name, o.address, o.province_code, o.commune, o.email, o.phone
         FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id
        WHERE ${where.join(' AND ')} ORDER BY v.plate LIMIT ${limit + 1}`,
      params,
    );
    const truncated = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => ({
      vehicle: vehicleOf(r),
      owner: {
        fullName: r.full_name,
        address: r.address,
        provinceCode: r.province_code,
        commune: r.commune,
        email: r.email,
        phone: r.phone,
      } satisfies OwnerInfo,
    }));
    // a search that shows owners is a look at personal data: audited (criteria and count, never the owners)
    if (items.length > 0)
      await appendAudit(tx, {
        at: clock.now(),
        actorId: user.id,
        actor: user.username,
        action: 'registry.searched',
        entity: query.caseId ? 'case' : 'registry',
        entityId: query.caseId ?? 'vehicles',
        data: {
          plate: query.plate ?? null,
          vehicleType: query.vehicleType ?? null,
          colour: query.colour ?? null,
          plateColour: query.plateColour ?? null,
          hits: items.length,
        },
      });
    return { items, truncated };
  });
}

/** The traffic police of a province, preferring the detecting agency when it is that province's. */
async function agencyOfProvince(q: Queryable, provinceCode: string, detectingAgencyId: string): Promise<string> {
  const local = await q.query<{ id: string }>(
    `SELECT id FROM agencies WHERE kind = 'traffic_police' AND province_code = $1 ORDER BY (id = $2) DESC, code LIMIT 1`,
    [provinceCode, detectingAgencyId],
  );
  return local.rows[0]?.id ?? detectingAgencyId;
}

function requireIdentifiable(c: CaseRow, user: UserPrincipal, now: Date): void {
  if (!IDENTIFIABLE.has(c.status)) throw new ConflictError(`a ${c.status} case can no longer be identified`, 'not_identifiable');
  if (c.status === 'detected' && c.claimed_by && c.claimed_by !== user.id && c.claimed_until && c.claimed_until > now) {
    throw new ConflictError('another officer is reviewing this case', 'claimed_by_other');
  }
}

async function setOwner(tx: DbClient, c: CaseRow, ownerId: string, provinceCode: string, now: Date): Promise<string> {
  const resolving = await agencyOfProvince(tx, provinceCode, c.agency_id);
  await tx.query(`UPDATE cases SET owner_id = $2, resolving_agency_id = $3, manual_handling = false, manual_reason = NULL, updated_at = $4 WHERE id = $1`, [
    c.id,
    ownerId,
    resolving,
    now,
  ]);
  return resolving;
}

/**
 * Identifies the vehicle of a case: `registry` picks a registered vehicle (its plate becomes the case's plate when
 * the read differed, the original read kept), `manual` enters the owner of the case's plate from the registration
 * papers (a registry row marked `manual`, with who entered it). The resolving agency follows the owner's province.
 */
export async function identifyCase(db: Db, clock: Clock, user: UserPrincipal, caseId: string, req: IdentifyRequest): Promise<CaseIdentification> {
  const now = clock.now();
  await withTransaction(db, async (tx) => {
    const c = await lockCase(tx, caseId, user);
    requireIdentifiable(c, user, now);
    if (req.method === 'registry') {
      const plate = normalisePlateInput(req.plate);
      if (!plate) throw new UserError('invalid_plate', `"${req.plate}" is not a valid plate`, 400, { details: { params: { plate: req.plate, kind: 'any' } } });
      const v = await tx.query<{ owner_id: string; vehicle_type: string; plate_colour: string; province_code: string }>(
        `SELECT v.owner_id, v.vehicle_type, v.plate_colour, o.province_code FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = $1`,
        [plate],
      );
      const hit = v.rows[0];
      if (!hit) throw new NotFoundError(`${plate} is not in the registry`, 'plate_not_in_registry', { params: { plate } });
      if (plateKindOf(hit.vehicle_type) !== plateKindOf(c.vehicle_type) && c.vehicle_type !== 'unknown') {
        throw new ConflictError(`${plate} is registered as a ${hit.vehicle_type}, the case is a ${c.vehicle_type}`, 'vehicle_type_mismatch', {
          params: { plate, registered: hit.vehicle_type, caseType: c.vehicle_type },
        });
      }
      if (plate !== c.plate_text) {
        await tx.query(
          `UPDATE cases SET plate_original = COALESCE(plate_original, plate_text), plate_text = $2, plate_colour = $3, plate_needs_manual = false, updated_at = $4 WHERE id = $1`,
          [c.id, plate, hit.plate_colour, now],
        );
      }
      const resolving = await setOwner(tx, c, hit.owner_id, hit.province_code, now);
      await appendAudit(tx, {
        at: now,
        actorId: user.id,
        actor: user.username,
        action: 'case.owner_identified',
        entity: 'case',
        entityId: c.id,
        data: { method: 'registry', plate, previousPlate: c.plate_text, resolvingAgencyId: resolving, note: req.note ?? null },
      });
      return;
    }
    if (!c.plate_text) throw new UserError('plate_required', 'enter the plate of the case before its owner');
    const known = await tx.query('SELECT 1 FROM registry_vehicles WHERE plate = $1', [c.plate_text]);
    if (known.rows.length > 0)
      throw new ConflictError(`${c.plate_text} is already in the registry: pick it from the search`, 'plate_in_registry', { params: { plate: c.plate_text } });
    const o = req.owner;
    const existing = await tx.query<{ id: string; full_name: string }>('SELECT id, full_name FROM registry_owners WHERE id_number = $1', [o.idNumber]);
    let ownerId: string;
    if (existing.rows[0]) {
      // A person already in the registry (same identity number) keeps their record: only the vehicle is added.
      if (existing.rows[0].full_name.normalize('NFC').toLowerCase() !== o.fullName.normalize('NFC').toLowerCase()) {
        throw new ConflictError(`identity number ${o.idNumber} belongs to another name in the registry`, 'id_number_mismatch');
      }
      ownerId = existing.rows[0].id;
    } else {
      const ins = await tx.query<{ id: string }>(
        `INSERT INTO registry_owners (full_name, id_number, address, province_code, commune, email, phone, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
        [o.fullName.trim(), o.idNumber, o.address.trim(), o.provinceCode, o.commune?.trim() || null, o.email?.trim() || null, o.phone?.trim() || null, now],
      );
      ownerId = ins.rows[0]!.id;
    }
    await tx.query(
      `INSERT INTO registry_vehicles (plate, plate_colour, vehicle_type, brand, colour, owner_id, source, entered_by, updated_at) VALUES ($1,$2,$3,$4,$5,$6,'manual',$7,$8)`,
      [c.plate_text, req.plateColour, c.vehicle_type, req.brand?.trim() || null, req.colour?.trim() || null, ownerId, user.id, now],
    );
    const provinceCode = existing.rows[0]
      ? (await tx.query<{ province_code: string }>('SELECT province_code FROM registry_owners WHERE id = $1', [ownerId])).rows[0]!.province_code
      : o.provinceCode;
    await tx.query('UPDATE cases SET plate_colour = $2 WHERE id = $1', [c.id, req.plateColour]);
    const resolving = await setOwner(tx, c, ownerId, provinceCode, now);
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: 'case.owner_identified',
      entity: 'case',
      entityId: c.id,
      data: { method: 'manual', plate: c.plate_text, ownerExisted: !!existing.rows[0], resolvingAgencyId: resolving, note: req.note },
    });
  });
  return caseIdentification(db, caseId);
}

/**
 * Routes the case to another traffic or commune police unit (the owner's locality): that unit then sees the
 * case, sends the notice and resolves it. The detecting agency keeps read access.
 */
export async function routeCase(db: Db, clock: Clock, user: UserPrincipal, caseId: string, req: RouteRequest): Promise<CaseIdentification> {
  const now = clock.now();
  await withTransaction(db, async (tx) => {
    const c = await lockCase(tx, caseId, user);
    requireIdentifiable(c, user, now);
    const a = await tx.query<{ id: string; kind: string; name: string }>('SELECT id, kind, name FROM agencies WHERE id = $1', [req.agencyId]);
    const target = a.rows[0];
    if (!target) throw new NotFoundError('no such agency', 'unknown_agency');
    if (target.kind !== 'traffic_police' && target.kind !== 'commune_police')
      throw new UserError('not_police_unit', `${target.name} is not a police unit`, 400, { details: { params: { agency: target.name } } });
    if (target.id === c.resolving_agency_id)
      throw new ConflictError(`the case is already with ${target.name}`, 'already_routed', { params: { agency: target.name } });
    await tx.query('UPDATE cases SET resolving_agency_id = $2, updated_at = $3 WHERE id = $1', [c.id, target.id, now]);
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: 'case.routed',
      entity: 'case',
      entityId: c.id,
      data: { from: c.resolving_agency_id, to: target.id, reason: req.reason },
    });
  });
  return caseIdentification(db, caseId);
}

/** Police units a case can be routed to. */
export async function policeUnits(q: Queryable): Promise<AgencyOption[]> {
  const { rows } = await q.query<{ id: string; code: string; name: string; province_code: string; kind: string }>(
    `SELECT id, code, name, province_code, kind FROM agencies WHERE kind IN ('traffic_police', 'commune_police') ORDER BY province_code, kind DESC, name`,
  );
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, provinceCode: r.province_code, kind: r.kind }));
}
