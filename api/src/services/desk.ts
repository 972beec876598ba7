// Review-desk read models: officer throughput from the audit log, the agency's cameras by name, and the signature
// of the agency's caseload that the live queue signal watches.
import type { Queryable } from '@phatnguoi/core/db';
import { vietnamDayStart } from '../domain/vietnam-time';

export interface Throughput {
  lastHour: number;
  today: number;
  perHour: number;
  approvalRate: number | null;
  officers: { username: string; decisions: number; perHour: number }[];
}

/** Decisions (confirm or reject) today (Vietnam time) on the cases of `scope` (null: all), for `username` and per officer. */
export async function officerThroughput(q: Queryable, username: string, scope: string | null, now: Date): Promise<Throughput> {
  const { rows } = await q.query<{ actor: string; n: string; confirmed: string; first: Date; last: Date; last_hour: string }>(
    `SELECT a.actor, count(*) AS n, count(*) FILTER (WHERE a.action = 'case.confirm') AS confirmed, min(a.at) AS first, max(a.at) AS last,
            count(*) FILTER (WHERE a.at >= $3) AS last_hour
       FROM audit_log a JOIN cases c ON c.id::text = a.entity_id
      WHERE a.entity = 'case' AND a.action IN ('case.confirm', 'case.reject') AND a.at >= $1 AND a.at <= $4
        AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)
      GROUP BY a.actor`,
    [vietnamDayStart(now), scope, new Date(now.getTime() - 3600_000), now],
  );
  const rate = (r: (typeof rows)[number]) => Number(r.n) / Math.max(1, (r.last.getTime() - r.first.getTime()) / 3600_000);
  const mine = rows.find((r) => r.actor === username);
  return {
    lastHour: Number(mine?.last_hour ?? 0),
    today: Number(mine?.n ?? 0),
    perHour: mine ? Math.round(rate(mine) * 10) / 10 : 0,
    approvalRate: mine ? Number(mine.confirmed) / Number(mine.n) : null,
    officers: rows
      .map((r) => ({ username: r.actor, decisions: Number(r.n), perHour: Math.round(rate(r) * 10) / 10 }))
      .sort((a, b) => b.decisions - a.decisions),
  };
}

/** The cameras of `scope` (null: all), by name. */
export async function deskCameras(q: Queryable, scope: string | null): Promise<{ id: string; name: string }[]> {
  const { rows } = await q.query<{ id: string; name: string }>('SELECT id, name FROM cameras WHERE ($1::uuid IS NULL OR agency_id = $1) ORDER BY name', [
    scope,
  ]);
  return rows;
}

/** How many cases `scope` sees and a signature that changes whenever one of them changes. */
export async function caseloadSignature(q: Queryable, scope: string | null): Promise<{ total: number; signature: string }> {
  const { rows } = await q.query<{ n: string; at: Date | null }>(
    `SELECT count(*) AS n, max(updated_at) AS at FROM cases WHERE ($1::uuid IS NULL OR agency_id = $1 OR resolving_agency_id = $1)`,
    [scope],
  );
  return { total: Number(rows[0]!.n), signature: `${rows[0]!.n}|${rows[0]!.at?.toISOString() ?? ''}` };
}
