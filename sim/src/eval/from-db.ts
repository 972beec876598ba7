// Reading the system's violations back from the api's `cases` table for one camera and time window.
// Defensive: the table's columns are looked up first; only camera_id, occurred_at and the type are required.
import pg from 'pg';
import type { PredictedViolation } from './match';
import { predictionsFromRows } from './predictions';

export interface CasesQuery {
  url: string;
  cameraId: string;
  /** Wall-clock time of video second 0. */
  start: Date;
  end: Date;
}

export async function casesFromDatabase(q: CasesQuery): Promise<PredictedViolation[]> {
  const client = new pg.Client({ connectionString: q.url });
  await client.connect();
  try {
    const cols = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'cases' AND table_schema = ANY (current_schemas(false))`,
    );
    const have = new Set(cols.rows.map((r) => r.column_name));
    if (have.size === 0) throw new Error('no "cases" table in this database');
    const type = ['type', 'violation_type'].find((c) => have.has(c));
    for (const [need, ok] of [
      ['camera_id', have.has('camera_id')],
      ['occurred_at', have.has('occurred_at')],
      ['type (or violation_type)', !!type],
    ] as const) {
      if (!ok) throw new Error(`table "cases" has no column ${need}`);
    }
    const optional = ['track_id', 'plate_text'].filter((c) => have.has(c));
    const select = [`${type} AS type`, 'occurred_at', ...optional].join(', ');
    const r = await client.query(`SELECT ${select} FROM cases WHERE camera_id::text = $1 AND occurred_at >= $2 AND occurred_at < $3 ORDER BY occurred_at`, [
      q.cameraId,
      q.start,
      q.end,
    ]);
    return predictionsFromRows(r.rows as Record<string, unknown>[], q.start);
  } finally {
    await client.end();
  }
}
