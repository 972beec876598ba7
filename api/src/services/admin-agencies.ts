// Agencies (police units) and their jurisdiction (province, commune) and contact, as the administrator keeps them.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError } from '@phatnguoi/core/errors';
import type { Agency, CreateAgencyRequest } from '@phatnguoi/core/contracts/api/auth';
import type { UpdateAgencyRequest } from '@phatnguoi/core/contracts/api/admin';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { isUuid } from './cases';

interface AgencyRow {
  id: string;
  code: string;
  name: string;
  kind: Agency['kind'];
  province_code: string;
  commune: string | null;
  phone: string | null;
  address: string | null;
}
const SELECT = 'SELECT id, code, name, kind, province_code, commune, phone, address FROM agencies';
const toAgency = (r: AgencyRow): Agency => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  provinceCode: r.province_code,
  commune: r.commune,
  phone: r.phone,
  address: r.address,
});

export async function listAgencies(q: Queryable): Promise<Agency[]> {
  return (await q.query<AgencyRow>(`${SELECT} ORDER BY code`)).rows.map(toAgency);
}

export async function createAgency(db: Db, clock: Clock, admin: UserPrincipal, b: CreateAgencyRequest): Promise<Agency> {
  return withTransaction(db, async (tx) => {
    const r = await tx.query<AgencyRow>(
      `INSERT INTO agencies (code, name, kind, province_code, commune, phone, address) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (code) DO NOTHING
       RETURNING id, code, name, kind, province_code, commune, phone, address`,
      [b.code, b.name, b.kind, b.provinceCode, b.commune ?? null, b.phone ?? null, b.address ?? null],
    );
    if (!r.rows[0]) throw new ConflictError('agency code taken', 'code_taken');
    await appendAudit(tx, {
      at: clock.now(),
      actorId: admin.id,
      actor: admin.username,
      action: 'agency.created',
      entity: 'agency',
      entityId: r.rows[0].id,
      data: { code: b.code, kind: b.kind, provinceCode: b.provinceCode, commune: b.commune ?? null },
    });
    return toAgency(r.rows[0]);
  });
}

const COLUMNS = { name: 'name', kind: 'kind', provinceCode: 'province_code', commune: 'commune', phone: 'phone', address: 'address' } as const;

/** Changes the fields given (the code stays: rows and documents cite it); each change audited before and after. */
export async function updateAgency(db: Db, clock: Clock, admin: UserPrincipal, id: string, b: UpdateAgencyRequest): Promise<Agency> {
  return withTransaction(db, async (tx) => {
    const prev = isUuid(id) ? (await tx.query<AgencyRow>(`${SELECT} WHERE id = $1 FOR UPDATE`, [id])).rows[0] : undefined;
    if (!prev) throw new NotFoundError('no such agency');
    const values: unknown[] = [id];
    const sets: string[] = [];
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [key, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
      const to = b[key];
      const from = prev[column as keyof AgencyRow];
      if (to === undefined || to === from) continue;
      values.push(to);
      sets.push(`${column} = $${values.length}`);
      changes[key] = { from, to };
    }
    if (sets.length === 0) return toAgency(prev);
    const now = clock.now();
    values.push(now);
    const r = await tx.query<AgencyRow>(
      `UPDATE agencies SET ${sets.join(', ')}, updated_at = $${values.length} WHERE id = $1 RETURNING id, code, name, kind, province_code, commune, phone, address`,
      values,
    );
    await appendAudit(tx, {
      at: now,
      actorId: admin.id,
      actor: admin.username,
      action: 'agency.updated',
      entity: 'agency',
      entityId: id,
      data: { code: prev.code, changes },
    });
    return toAgency(r.rows[0]!);
  });
}
