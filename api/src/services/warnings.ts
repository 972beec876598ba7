// Warnings after 20 days without a response (Art. 24): the list for one enforcing body, as CSV.
import type { Queryable } from '@phatnguoi/core/db';
import { caseInScope } from '../repositories/cases';

export type WarningTarget = 'inspection' | 'registration' | 'commune_police';

const COLUMNS = 'notice_number,plate,vehicle_type,occurred_at,notice_issued_at,warned_at,owner_name,owner_address,owner_commune';

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The warnings still out to `target` in the agency scope (null: every agency), oldest first, one CSV line each. */
export async function warningsCsv(q: Queryable, target: WarningTarget, scope: string | null): Promise<string> {
  const { rows } = await q.query<{
    number: string;
    plate_text: string;
    vehicle_type: string;
    occurred_at: Date;
    issued_at: Date;
    created_at: Date;
    full_name: string;
    address: string;
    commune: string | null;
  }>(
    `SELECT n.number, c.plate_text, c.vehicle_type, c.occurred_at, n.issued_at, w.created_at, o.full_name, o.address, o.commune
       FROM case_warnings w JOIN cases c ON c.id = w.case_id JOIN notices n ON n.case_id = c.id JOIN registry_owners o ON o.id = c.owner_id
      WHERE w.target = $1 AND w.lifted_at IS NULL AND ${caseInScope(2)}
      ORDER BY w.created_at`,
    [target, scope],
  );
  const lines = [
    COLUMNS,
    ...rows.map((r) =>
      [
        r.number,
        r.plate_text,
        r.vehicle_type,
        r.occurred_at.toISOString(),
        r.issued_at.toISOString(),
        r.created_at.toISOString(),
        r.full_name,
        r.address,
        r.commune ?? '',
      ]
        .map(csvField)
        .join(','),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
