// npm run bench:reports — every report over N seeded cases (default 10 million), median of repeated runs.
//
//   npm run bench:reports [-- N] [-- --runs 5 --reseed --reports-only]
//   BENCH_REPORTS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pn_bench_reports; created and migrated when missing)
//
// Seeding: N cases over the 365 days of 2025 at 60 cameras of 3 agencies, mixes of type, vehicle and status like the
// province's (70 % motorbikes, 70 % red light), written in batches of 100,000 with progress. The bulk load runs with
// triggers off (session_replication_role = replica) and the rollups are then rebuilt once (timed); the cost the
// rollup triggers add to a case's insert and status change is measured separately on 20,000 cases.
// Timings: each report for a month and for the whole year, for all agencies and for one, run `--runs` times; the
// median is printed. The same database is reused by later runs unless it holds fewer cases or --reseed is given.
import pg from 'pg';
import { createPool, type Db } from '@phatnguoi/core/db';
import { migrate } from '@phatnguoi/core/migrate';
import { REPORT_KINDS, type ReportKind } from '@phatnguoi/core/contracts/api/reports';
import { buildReport } from '../src/services/reports';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const N = Number(args.find((a) => /^\d[\d_]*$/.test(a))?.replace(/_/g, '') ?? 10_000_000);
const RUNS = Number(opt('runs', '5'));
const DB_URL = process.env.BENCH_REPORTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pn_bench_reports';
const CAMERAS = 60;
const BATCH = 250_000;
const log = (s: string) => process.stdout.write(`${s}\n`);

async function ensureDatabase(): Promise<void> {
  const u = new URL(DB_URL);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  await admin.end();
}

/** The columns of a seeded case, from its number k (deterministic mixes by residues of k). */
const CASE_SELECT = (from: string) => `
  SELECT 'bench:' || k, c.agency_id, c.id,
         CASE WHEN k % 100 < 70 THEN 'red_light' WHEN k % 100 < 85 THEN 'wrong_lane' WHEN k % 100 < 95 THEN 'wrong_way' ELSE 'speeding' END,
         st.status, at, 't', 'p',
         CASE WHEN (k / 7) % 100 < 70 THEN 'motorbike' WHEN (k / 7) % 100 < 90 THEN 'car' WHEN (k / 7) % 100 < 95 THEN 'truck' WHEN (k / 7) % 100 < 98 THEN 'bus' ELSE 'unknown' END,
         '{}'::jsonb, at + interval '10 days', 'bench-' || k,
         CASE WHEN st.status = 'rejected' THEN (ARRAY['stopped_before_line','emergency_vehicle','plate_unreadable','image_unclear','duplicate','not_violation','other'])[1 + (k / 13) % 7] END,
         CASE WHEN st.status = 'rejected' AND (k / 13) % 7 = 6 THEN 'khác' END,
         CASE WHEN st.noticed THEN at + ((1 + (k / 17) % 12)::int * interval '1 day') END,
         CASE WHEN st.status = 'escalated' THEN at + ((21 + (k / 17) % 12 + (k / 19) % 3)::int * interval '1 day') END,
         CASE WHEN st.status = 'resolved' AND k % 2 = 0 THEN at + interval '25 days' END,
         st.status IN ('detected', 'confirmed', 'approved') AND at < timestamptz '2025-12-20',
         CASE WHEN st.status NOT IN ('detected', 'rejected') THEN c.officers[1 + (k / 11) % 3] END, CASE WHEN st.status NOT IN ('detected', 'rejected') THEN at + interval '1 day' END,
         CASE WHEN st.status = 'rejected' THEN c.officers[1 + (k / 11) % 3] END,
         CASE WHEN st.status IN ('approved', 'notified', 'escalated', 'resolved', 'lapsed') THEN c.supervisor END,
         CASE WHEN st.status IN ('approved', 'notified', 'escalated', 'resolved', 'lapsed') THEN at + interval '2 days' END,
         at + interval '1 day'
    FROM ${from} JOIN bench_cameras c ON c.n = k % ${CAMERAS},
         LATERAL (SELECT timestamptz '2025-01-01 00:00+07' + (k % 365) * interval '1 day' + ((k * 7919) % 86400) * interval '1 second' AS at) t,
         LATERAL (SELECT CASE WHEN (k / 3) % 100 < 5 THEN 'detected' WHEN (k / 3) % 100 < 25 THEN 'rejected' WHEN (k / 3) % 100 < 27 THEN 'confirmed'
                              WHEN (k / 3) % 100 < 30 THEN 'approved' WHEN (k / 3) % 100 < 60 THEN 'notified' WHEN (k / 3) % 100 < 70 THEN 'escalated'
                              WHEN (k / 3) % 100 < 95 THEN 'resolved' ELSE 'lapsed' END AS status) s0,
         LATERAL (SELECT s0.status, s0.status IN ('notified', 'escalated', 'resolved') OR (s0.status = 'lapsed' AND k % 2 = 0) AS noticed) st`;
const CASE_COLUMNS = `idempotency_key, agency_id, camera_id, type, status, occurred_at, track_id, phase_id, vehicle_type, event, notice_due_at, public_token,
  rejected_reason, rejected_text, noticed_at, escalated_at, paid_at, overdue, confirmed_by, confirmed_at, rejected_by, approved_by, approved_at, updated_at`;

async function setUp(db: Db): Promise<void> {
  for (let i = 1; i <= 3; i++) {
    await db.query(`INSERT INTO agencies (code, name, province_code) VALUES ($1, $2, '63') ON CONFLICT (code) DO NOTHING`, [
      `BENCH-${i}`,
      `Đội CSGT số ${i} (bench)`,
    ]);
  }
  const agencies = (await db.query<{ id: string }>(`SELECT id FROM agencies WHERE code LIKE 'BENCH-%' ORDER BY code`)).rows.map((r) => r.id);
  if (!(await db.query('SELECT 1 FROM cameras LIMIT 1')).rowCount) {
    for (let n = 0; n < CAMERAS; n++) {
      await db.query(`INSERT INTO cameras (agency_id, name, address, stream_url) VALUES ($1, $2, 'Tiền Giang', 'rtsp://bench')`, [
        agencies[n % 3],
        `Camera ${String(n + 1).padStart(2, '0')}`,
      ]);
    }
    for (const [i, ag] of agencies.entries()) {
      for (const [role, k] of [
        ['officer', 1],
        ['officer', 2],
        ['officer', 3],
        ['supervisor', 1],
      ] as const) {
        await db.query(`INSERT INTO users (username, display_name, password_hash, role, agency_id) VALUES ($1, $1, 'x', $2, $3)`, [
          `bench.${role}${k}.${i + 1}`,
          role,
          ag,
        ]);
      }
    }
  }
  // Each camera with its agency's three officers and supervisor, so a case's reviewers are an array lookup.
  await db.query(`CREATE TABLE IF NOT EXISTS bench_cameras AS
    SELECT (row_number() OVER (ORDER BY c.name) - 1)::int AS n, c.id, c.agency_id,
           (SELECT array_agg(u.id ORDER BY u.username) FROM users u WHERE u.agency_id = c.agency_id AND u.role = 'officer' AND u.username LIKE 'bench.%') AS officers,
           (SELECT u.id FROM users u WHERE u.agency_id = c.agency_id AND u.role = 'supervisor' AND u.username LIKE 'bench.%' LIMIT 1) AS supervisor
      FROM cameras c`);
}

/**
 * The indexes of the loaded tables that nothing references (all but the case id, which other tables' foreign keys
 * need), dropped for the bulk load and built once after it: inserting 10 million rows into five random-order B-trees
 * costs far more than building them. Each one's definition is kept in bench_dropped_indexes until it is built again,
 * so that a load stopped half-way rebuilds them on the next run.
 */
async function dropIndexes(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS bench_dropped_indexes (name text PRIMARY KEY, drop_sql text NOT NULL, create_sql text NOT NULL)`);
  const { rows } = await client.query<{ name: string; drop_sql: string; create_sql: string }>(
    `SELECT i.indexrelid::regclass::text AS name,
            CASE WHEN con.oid IS NULL THEN format('DROP INDEX %s', i.indexrelid::regclass)
                 ELSE format('ALTER TABLE %s DROP CONSTRAINT %I', i.indrelid::regclass, con.conname) END AS drop_sql,
            CASE WHEN con.oid IS NULL THEN pg_get_indexdef(i.indexrelid)
                 ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', i.indrelid::regclass, con.conname, pg_get_constraintdef(con.oid)) END AS create_sql
       FROM pg_index i
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u')
      WHERE i.indrelid IN ('cases'::regclass, 'case_deadlines'::regclass)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint fk WHERE fk.contype = 'f' AND fk.conindid = i.indexrelid)`,
  );
  for (const r of rows) {
    await client.query(`INSERT INTO bench_dropped_indexes (name, drop_sql, create_sql) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [
      r.name,
      r.drop_sql,
      r.create_sql,
    ]);
    await client.query(r.drop_sql);
  }
  log(`dropped ${rows.length} indexes for the load: ${rows.map((r) => r.name).join(', ')}`);
}

/** Builds the indexes dropIndexes took away (with room to sort in memory), one at a time with its time. */
async function rebuildIndexes(client: pg.PoolClient): Promise<void> {
  if (!(await client.query(`SELECT to_regclass('bench_dropped_indexes') AS t`)).rows[0]?.t) return;
  await client.query(`SET maintenance_work_mem = '1GB'`);
  const { rows } = await client.query<{ name: string; create_sql: string }>(`SELECT name, create_sql FROM bench_dropped_indexes ORDER BY name`);
  for (const r of rows) {
    const t0 = Date.now();
    await client.query(r.create_sql);
    await client.query(`DELETE FROM bench_dropped_indexes WHERE name = $1`, [r.name]);
    log(`  index ${r.name} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  await client.query(`RESET maintenance_work_mem`);
}

async function seed(db: Db, target: number): Promise<void> {
  const client = await db.connect();
  try {
    const have = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n);
    if (have >= target) {
      log(`the database holds ${have.toLocaleString('en')} cases (≥ ${target.toLocaleString('en')}): reusing them`);
      await rebuildIndexes(client);
      return;
    }
    log(`seeding ${(target - have).toLocaleString('en')} cases (${have.toLocaleString('en')} there already) in batches of ${BATCH.toLocaleString('en')}`);
    const t0 = Date.now();
    await dropIndexes(client);
    // The bulk load skips every trigger (rollups, and foreign-key checks: the ids come from the tables above), waits
    // for no disk flush at commit (a crash loses the last batches, which the next run seeds again), and keeps
    // autovacuum off the tables it is filling.
    await client.query(`SET session_replication_role = replica`);
    await client.query(`SET synchronous_commit = off`);
    await client.query(`ALTER TABLE cases SET (autovacuum_enabled = false)`);
    await client.query(`ALTER TABLE case_deadlines SET (autovacuum_enabled = false)`);
    for (let from = have; from < target; from += BATCH) {
      const to = Math.min(target, from + BATCH);
      // The 20-day clock of notified cases: pending (the notice is recent, or one in a thousand whose timer was lost),
      // the others fired when they came due.
      await client.query(`WITH ins AS (INSERT INTO cases (${CASE_COLUMNS}) ${CASE_SELECT(`generate_series(${from}::bigint, ${to - 1}::bigint) AS k`)}
                                        RETURNING id, status, noticed_at, idempotency_key)
        INSERT INTO case_deadlines (case_id, kind, due_at, status, fired_at)
        SELECT id, 'response_due', noticed_at + interval '20 days', p.status, CASE WHEN p.status = 'fired' THEN noticed_at + interval '20 days' END
          FROM ins, LATERAL (SELECT CASE WHEN noticed_at > timestamptz '2025-12-26' OR hashtext(idempotency_key) % 1000 = 0 THEN 'pending' ELSE 'fired' END AS status) p
         WHERE ins.status = 'notified'`);
      const s = (Date.now() - t0) / 1000;
      log(`  ${to.toLocaleString('en')} / ${target.toLocaleString('en')} cases (${Math.round((to - have) / s).toLocaleString('en')}/s, ${s.toFixed(0)} s)`);
    }
    await client.query(`SET session_replication_role = origin`);
    await client.query(`RESET synchronous_commit`);
    log(`loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s; building the indexes`);
    const i0 = Date.now();
    await rebuildIndexes(client);
    log(`indexes built in ${((Date.now() - i0) / 1000).toFixed(0)} s`);
    await client.query(`ALTER TABLE cases RESET (autovacuum_enabled)`);
    await client.query(`ALTER TABLE case_deadlines RESET (autovacuum_enabled)`);
  } finally {
    client.release();
  }
  await db.query('ANALYZE cases');
  await db.query('ANALYZE case_deadlines');
  const r0 = Date.now();
  await db.query('SELECT report_rollups_rebuild()');
  for (const t of ['case_camera_daily', 'case_outcome_daily', 'reviewer_rollup_daily', 'pending_response_due']) await db.query(`ANALYZE ${t}`);
  const count = async (t: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n).toLocaleString('en');
  log(
    `rollups rebuilt from ${target.toLocaleString('en')} cases in ${((Date.now() - r0) / 1000).toFixed(1)} s ` +
      `(rows: ${await count('case_camera_daily')} camera-days, ${await count('case_outcome_daily')} outcome-days, ${await count('reviewer_rollup_daily')} reviewer-days)`,
  );
}

/** What the rollup triggers cost: 20,000 inserts and status changes with the triggers, and the same without them. */
async function triggerCost(db: Db): Promise<void> {
  const n = 20_000;
  const client = await db.connect();
  try {
    const run = async (label: string, replica: boolean) => {
      await client.query('BEGIN');
      if (replica) await client.query('SET LOCAL session_replication_role = replica');
      const t0 = process.hrtime.bigint();
      await client.query(
        `INSERT INTO cases (${CASE_COLUMNS}) ${CASE_SELECT(`generate_series(900000000000::bigint, ${900000000000 + n - 1}::bigint) AS k`)
          .replace("'bench:' || k", `'bench-trigger-${label}:' || k`)
          .replace("'bench-' || k", `'bench-trigger-${label}-' || k`)}`,
      );
      const ins = Number(process.hrtime.bigint() - t0) / 1e6;
      const t1 = process.hrtime.bigint();
      await client.query(
        `UPDATE cases SET status = 'lapsed', updated_at = now() WHERE idempotency_key LIKE 'bench-trigger-${label}:%' AND status IN ('detected', 'confirmed', 'approved', 'notified', 'escalated')`,
      );
      const upd = Number(process.hrtime.bigint() - t1) / 1e6;
      await client.query('ROLLBACK');
      return { ins, upd };
    };
    const off = await run('off', true);
    const on = await run('on', false);
    log(
      `rollup triggers: ${n.toLocaleString('en')} inserts ${on.ins.toFixed(0)} ms with, ${off.ins.toFixed(0)} ms without (+${(((on.ins - off.ins) / n) * 1000).toFixed(0)} µs a case); ` +
        `status changes ${on.upd.toFixed(0)} ms with, ${off.upd.toFixed(0)} ms without`,
    );
  } finally {
    client.release();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Median ms of RUNS builds of one report, and its row count. */
async function timeReport(db: Db, kind: ReportKind, params: Parameters<typeof buildReport>[2]): Promise<{ ms: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    rows = (await buildReport(db, kind, params)).rows.length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: median(times), rows };
}

async function timeReports(db: Db): Promise<void> {
  const agency = (await db.query<{ id: string }>(`SELECT id FROM agencies WHERE code = 'BENCH-1'`)).rows[0]!.id;
  const periods = [
    { label: 'month', from: '2025-06-01', to: '2025-06-30', split: '2025-06-16' },
    { label: 'year', from: '2025-01-01', to: '2025-12-31', split: '2025-07-01' },
  ];
  log(`\nmedian of ${RUNS} runs per report (ms); rows returned in brackets`);
  log(`${'report'.padEnd(16)}${['month, all', 'month, 1 agency', 'year, all', 'year, 1 agency'].map((h) => h.padStart(18)).join('')}`);
  for (const kind of REPORT_KINDS as readonly ReportKind[]) {
    const cells: string[] = [];
    for (const p of periods) {
      for (const agencyId of [null, agency]) {
        const params = { from: p.from, to: p.to, split: p.split, period: 'month' as const, agencyId, now: new Date('2026-01-15T00:00:00Z') };
        const t = await timeReport(db, kind, params);
        cells.push(`${t.ms.toFixed(1)} [${t.rows}]`.padStart(18));
      }
    }
    log(`${kind.padEnd(16)}${cells.join('')}`);
  }
}

async function main(): Promise<void> {
  log(`bench:reports — ${N.toLocaleString('en')} cases, database ${new URL(DB_URL).pathname.slice(1)}`);
  await ensureDatabase();
  const db = createPool(DB_URL, { max: 2, applicationName: 'bench-reports' });
  try {
    await migrate(db);
    if (flag('reseed')) {
      log('reseed: deleting the seeded cases');
      await db.query(`SET session_replication_role = replica`);
      await db.query('TRUNCATE case_deadlines, cases CASCADE');
      await db.query('SELECT report_rollups_rebuild()');
    }
    await setUp(db);
    await seed(db, N);
    if (!flag('reports-only')) await triggerCost(db);
    await timeReports(db);
  } finally {
    await db.end();
  }
}

await main();
