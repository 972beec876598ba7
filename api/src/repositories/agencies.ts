// Agency reads the routes and services share.
import type { Queryable } from '@phatnguoi/core/db';

/** The agency's name; null without an agency or when there is none with that id. */
export async function agencyName(q: Queryable, agencyId: string | null): Promise<string | null> {
  if (!agencyId) return null;
  const { rows } = await q.query<{ name: string }>('SELECT name FROM agencies WHERE id = $1', [agencyId]);
  return rows[0]?.name ?? null;
}
