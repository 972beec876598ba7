// CSV import of registration data; each bad row is reported with its line number and reason, good rows upserted.
import type { Db } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import { REGISTRY_CSV_COLUMNS, type ImportReport, type RegistryVehicle } from '@phatnguoi/core/contracts/api/registry';
import type { UserPrincipal } from '../domain/principal';
import { PLATE_COLOURS, CASE_VEHICLE_TYPES } from '@phatnguoi/core/contracts/api/common';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { normalisePlateInput, plateKindOf } from '@phatnguoi/core/plates/entry';

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. */
export function parseCsv(text: string): string[][] {
  return [...csvRows(text)];
}

/** The rows of a CSV text one at a time, so a caller can give the event loop a turn between them. */
export function* csvRows(text: string): Generator<string[]> {
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); yield row; row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); yield row; }
}

/** Rejected lines listed in a report at most; the rest are counted (an 18 MB file of bad rows came back as 42 MB). */
export const MAX_REPORTED_REJECTIONS = 100;
/** A value quoted in a reason is cut to this many characters. */
const QUOTE_MAX = 40;
const quote = (v: string | undefined) => JSON.stringify((v ?? '').length > QUOTE_MAX ? `${(v ?? '').slice(0, QUOTE_MAX)}…` : (v ?? ''));

export async function importRegistryCsv(db: Db, clock: Clock, actor: { id: string; name: string }, text: string): Promise<ImportReport> {
  const rows = csvRows(text.replace(/^\uFEFF/, ''));
  const first = rows.next();
  const header = first.done ? undefined : first.value.map((h) => h.trim().toLowerCase());
  if (!header || REGISTRY_CSV_COLUMNS.some((c, i) => header[i] !== c)) {
    throw new UserError('bad_csv_header', `the first line must be: ${REGISTRY_CSV_COLUMNS.join(',')}`);
  }
  const listed: ImportReport['rejected'] = [];
  let rejectedCount = 0;
  const rejected = { push(r: { line: number; reason: string }) { rejectedCount += 1; if (listed.length < MAX_REPORTED_REJECTIONS) listed.push(r); } };
  let accepted = 0;
  await withTransaction(db, async (tx) => {
    let i = 0;
    for (const r of rows) {
      i += 1;
      const line = i + 1;
      // Rows refused without a query never wait: give the event loop a turn every 500 rows (health, other requests).
      if (i % 500 === 0) await new Promise((res) => setImmediate(res));
      if (r.length === 1 && r[0]!.trim() === '') continue;
      if (r.length !== REGISTRY_CSV_COLUMNS.length) { rejected.push({ line, reason: `expected ${REGISTRY_CSV_COLUMNS.length} fields, got ${r.length}` }); continue; }
      const [plateIn, colour, vtype, brand, vcolour, name, idNumber, address, province, commune, email, phone] = r.map((f) => f.trim()) as string[];
      if (!(CASE_VEHICLE_TYPES as readonly string[]).includes(vtype!)) { rejected.push({ line, reason: `unknown vehicle_type ${quote(vtype)}` }); continue; }
      const plate = normalisePlateInput(plateIn!, plateKindOf(vtype!));
      if (!plate) { rejected.push({ line, reason: `invalid plate ${quote(plateIn)}` }); continue; }
      if (!(PLATE_COLOURS as readonly string[]).includes(colour!)) { rejected.push({ line, reason: `unknown plate_colour ${quote(colour)}` }); continue; }
      if (!name || !idNumber || !address) { rejected.push({ line, reason: 'owner_name, owner_id_number and address are required' }); continue; }
      if (!/^\d{2}$/.test(province!)) { rejected.push({ line, reason: `province_code must be two digits, got ${quote(province)}` }); continue; }
      if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) { rejected.push({ line, reason: `invalid email ${quote(email)}` }); continue; }
      const o = await tx.query<{ id: string }>(
        `INSERT INTO registry_owners (full_name, id_number, address, province_code, commune, email, phone, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)
         ON CONFLICT (id_number) DO UPDATE SET full_name = EXCLUDED.full_name, address = EXCLUDED.address, province_code = EXCLUDED.province_code,
           commune = EXCLUDED.commune, email = EXCLUDED.email, phone = EXCLUDED.phone, updated_at = EXCLUDED.updated_at RETURNING id`,
        [name, idNumber, address, province, commune || null, email || null, phone || null, clock.now()],
      );
      await tx.query(
        `INSERT INTO registry_vehicles (plate, plate_colour, vehicle_type, brand, colour, owner_id, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (plate) DO UPDATE SET plate_colour = EXCLUDED.plate_colour, vehicle_type = EXCLUDED.vehicle_type, brand = EXCLUDED.brand,
           colour = EXCLUDED.colour, owner_id = EXCLUDED.owner_id, updated_at = EXCLUDED.updated_at`,
        [plate, colour, vtype, brand || null, vcolour || null, o.rows[0]!.id, clock.now()],
      );
      accepted += 1;
    }
    await appendAudit(tx, { at: clock.now(), actorId: actor.id, actor: actor.name, action: 'registry.import', entity: 'registry', entityId: 'vehicles', data: { accepted, rejected: rejectedCount } });
  });
  return { accepted, rejected: listed, rejectedCount };
}

/**
 * The registered vehicle and owner of a plate typed by an officer (400 for a plate that is none, 404 when it is not
 * registered). Every look at personal data is written to the audit log.
 */
export async function viewRegistryVehicle(db: Db, clock: Clock, user: UserPrincipal, plateInput: string): Promise<RegistryVehicle> {
  const plate = normalisePlateInput(plateInput);
  if (!plate) throw new UserError('invalid_plate', `"${plateInput}" is not a valid plate`);
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ plate: string; plate_colour: RegistryVehicle['plateColour']; vehicle_type: RegistryVehicle['vehicleType']; brand: string | null; colour: string | null;
      full_name: string; address: string; province_code: string; commune: string | null; email: string | null; phone: string | null }>(
      `SELECT v.plate, v.plate_colour, v.vehicle_type, v.brand, v.colour, o.full_name, o.address, o.province_code, o.commune, o.email, o.phone
         FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = $1`, [plate]);
    const r = rows[0];
    if (!r) throw new NotFoundError(`${plate} is not in the registry`, 'plate_not_in_registry');
    await appendAudit(tx, { at: clock.now(), actorId: user.id, actor: user.username, action: 'registry.viewed', entity: 'registry', entityId: plate, data: {} });
    return { plate: r.plate, plateColour: r.plate_colour, vehicleType: r.vehicle_type, brand: r.brand, colour: r.colour,
      owner: { fullName: r.full_name, address: r.address, provinceCode: r.province_code, commune: r.commune, email: r.email, phone: r.phone } };
  });
}
