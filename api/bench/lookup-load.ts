// npm run bench:api — public lookup under rising request rates against ≥1 million cases, next to a bare
// fastify route measured in the same run, same machine, same load generator.
//
//   npm run bench:api [-- --cases 1000000 --rates 100,200,400,800,1600 --seconds 5 --reseed]
//   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pn_bench_api; created and migrated when missing)
//
// The servers run in child processes; this process only generates load (open loop: requests are sent on
// schedule whether or not earlier ones finished, and latency counts from the scheduled time, so queueing
// shows up in p99 instead of being hidden).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Fastify from 'fastify';
import { createPool } from '@phatnguoi/core/db';
import { migrate } from '@phatnguoi/core/migrate';
import { issueChallenge, solveChallenge } from '../src/services/pow';
import { benchPlate } from './plates';

const SECRET = 'bench-signing-secret';
const PLATES = 300_000;
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pn_bench_api';

const PLATE_SQL = (k: string) => `CASE WHEN ${k} % 10 < 7
  THEN lpad((11 + ${k} % 89)::text, 2, '0') || '-' || substr('ABCDEFGHKLMNPSTUVXYZ', (${k} / 89) % 20 + 1, 1) || (1 + ${k} % 9)::text || ' '
       || substr(lpad(((${k}::bigint * 7919) % 99999 + 1)::text, 5, '0'), 1, 3) || '.' || substr(lpad(((${k}::bigint * 7919) % 99999 + 1)::text, 5, '0'), 4, 2)
  ELSE lpad((11 + ${k} % 89)::text, 2, '0') || substr('ABCDEFGHKLMNPSTUVXYZ', (${k} / 89) % 20 + 1, 1) || '-'
       || substr(lpad(((${k}::bigint * 7919) % 99999 + 1)::text, 5, '0'), 1, 3) || '.' || substr(lpad(((${k}::bigint * 7919) % 99999 + 1)::text, 5, '0'), 4, 2) END`;

async function ensureDatabase(): Promise<void> {
  const u = new URL(DB_URL);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  await admin.end();
}

async function seed(target: number, reseed: boolean): Promise<void> {
  await ensureDatabase();
  const db = createPool(DB_URL, { max: 2, applicationName: 'bench-seed' });
  await migrate(db);
  if (reseed) await db.query(`DELETE FROM case_deadlines; DELETE FROM case_evidence; DELETE FROM cases`);
  const have = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM cases`)).rows[0]!.n);
  const agency = (
    await db.query<{
      id: string;
    }>(`INSERT INTO agencies (code, name, province_code, phone, address) VALUES ('BENCH', 'Phòng CSGT (bench)', '63', '0273 000', 'Mỹ Tho')
    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id`)
  ).rows[0]!.id;
  let camera = (await db.query<{ id: string }>('SELECT id FROM cameras WHERE agency_id = $1 LIMIT 1', [agency])).rows[0]?.id;
  camera ??= (
    await db.query<{ id: string }>(
      `INSERT INTO cameras (agency_id, name, address, stream_url) VALUES ($1, 'Ngã tư bench', 'Mỹ Tho', 'rtsp://x') RETURNING id`,
      [agency],
    )
  ).rows[0]!.id;
  if (have >= target) {
    console.log(`database has ${have.toLocaleString('en')} cases (≥ ${target.toLocaleString('en')}): reusing it`);
    await db.end();
    return;
  }
  const batch = 100_000;
  const t0 = Date.now();
  for (let from = have + 1; from <= target; from += batch) {
    const to = Math.min(target, from + batch - 1);
    await db.query(
      `INSERT INTO cases (idempotency_key, agency_id, camera_id, type, status, occurred_at, track_id, phase_id, vehicle_type, plate_text, plate_colour,
                          plate_confidence, rule_summary, event, notice_due_at, public_token, resolving_agency_id, created_at)
       SELECT 'bench:' || g, $1, $2, (ARRAY['red_light','wrong_lane','wrong_way'])[1 + g % 3],
              (ARRAY['notified','notified','resolved','escalated','approved','detected','confirmed','lapsed','resolved','notified'])[1 + (g / 7) % 10],
              now() - ((g * 37) % 525600) * interval '1 minute', 't' || g, 'p', CASE WHEN (g % ${PLATES}) % 10 < 7 THEN 'motorbike' ELSE 'car' END,
              ${PLATE_SQL(`((g % ${PLATES})::int)`)}, 'white', 0.9, '', '{}'::jsonb, now() + interval '10 days', md5('bench' || g), $1, now()
         FROM generate_series($3::bigint, $4::bigint) g`,
      [agency, camera, from, to],
    );
    const rate = (to - have) / ((Date.now() - t0) / 1000);
    console.log(`seeded ${to.toLocaleString('en')} / ${target.toLocaleString('en')} cases (${Math.round(rate).toLocaleString('en')} rows/s)`);
  }
  console.log('ANALYZE …');
  await db.query('ANALYZE cases');
  await db.end();
}

// ---------- server roles (child processes) ----------
async function serve(kind: 'lookup' | 'bare'): Promise<void> {
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.post('/bare', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    process.send!({ port: (app.server.address() as { port: number }).port });
    return;
  }
  const { buildApp } = await import('../src/app');
  const { systemClock } = await import('../src/clock');
  const { loadConfig } = await import('@phatnguoi/core/config');
  const { createQueues } = await import('@phatnguoi/core/queue');
  const { createStorage } = await import('@phatnguoi/core/storage');
  const db = createPool(DB_URL, { max: 8, applicationName: 'bench-api' });
  // The lookup path touches neither storage, jobs nor the outbox; the app still gets the real adapters.
  const config = loadConfig({ ...process.env, NODE_ENV: 'development' });
  const { channelSubscriber, createRedis } = await import('@phatnguoi/core/redis');
  const { catcherOutbox } = await import('../src/outbox/catcher');
  const outbox = await catcherOutbox(db);
  const app = await buildApp({
    db,
    redis: createRedis(config.redisUrl),
    subscribe: channelSubscriber(createRedis(config.redisUrl, { blocking: true })),
    mailer: outbox.mailer,
    sms: outbox.sms,
    storage: createStorage(config),
    queues: createQueues(config),
    clock: systemClock,
    options: { signingSecret: SECRET, powDifficulty: 1, lookupRatePerMinute: 1e9, uiDir: '/nonexistent' },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send!({ port: (app.server.address() as { port: number }).port });
}

function startServer(kind: 'lookup' | 'bare'): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: (m as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

// ---------- load generator ----------
interface StageResult {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  achieved: number;
  p50: number;
  p99: number;
  rows: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runStage(url: string, rate: number, seconds: number, body: () => string): Promise<StageResult> {
  const latencies: number[] = [];
  let ok = 0,
    errors = 0,
    rows = 0,
    sent = 0,
    inFlight = 0;
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const done: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const scheduled = start + (sent / rate) * 1000;
        sent += 1;
        if (inFlight > 4000) {
          errors += 1;
          continue;
        }
        inFlight += 1;
        done.push(
          fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() })
            .then(async (res) => {
              const text = await res.text();
              if (res.status === 200) {
                ok += 1;
                const m = text.match(/"plate":/g);
                rows += m ? m.length - 1 : 0;
              } else errors += 1;
            })
            .catch(() => {
              errors += 1;
            })
            .finally(() => {
              inFlight -= 1;
              latencies.push(performance.now() - scheduled);
            }),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  await Promise.all(done);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate, sent, ok, errors, achieved: ok / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), rows };
}

async function main(): Promise<void> {
  const target = Number(arg('cases', '1000000'));
  const rates = arg('rates', '100,200,400,800,1600').split(',').map(Number);
  const seconds = Number(arg('seconds', '5'));
  await seed(target, args.includes('--reseed'));

  const lookup = await startServer('lookup');
  const bare = await startServer('bare');
  const lookupUrl = `http://127.0.0.1:${lookup.port}/api/public/lookup`;
  const bareUrl = `http://127.0.0.1:${bare.port}/bare`;
  // Pre-solved single-use challenges (difficulty 1: the server's verification cost is the same at any difficulty).
  let k = 0;
  const lookupBody = () => {
    const c = issueChallenge(SECRET, 1, new Date());
    const p = benchPlate((k++ * 7477) % PLATES);
    return JSON.stringify({ plate: p.plate, vehicleType: p.vehicleType, challenge: c.challenge, nonce: solveChallenge(c.challenge, 1) });
  };
  const bareBody = () => '{"x":1}';
  // warm-up
  await runStage(lookupUrl, 50, 2, lookupBody);
  await runStage(bareUrl, 50, 2, bareBody);
  const results: { target: string; r: StageResult }[] = [];
  for (const rate of rates) {
    results.push({ target: 'lookup', r: await runStage(lookupUrl, rate, seconds, lookupBody) });
    results.push({ target: 'bare', r: await runStage(bareUrl, rate, seconds, bareBody) });
  }
  lookup.child.kill();
  bare.child.kill();
  console.log(`\ncases: ${target.toLocaleString('en')}  stage: ${seconds}s  (open loop; latency from scheduled send)\n`);
  console.log('| route | offered req/s | achieved req/s | ok | errors | p50 ms | p99 ms | avg rows/answer |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { target: t, r } of results) {
    console.log(
      `| ${t === 'lookup' ? 'POST /api/public/lookup' : 'bare fastify POST'} | ${r.rate} | ${r.achieved.toFixed(0)} | ${r.ok} | ${r.errors} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${t === 'lookup' && r.ok ? (r.rows / r.ok).toFixed(1) : '-'} |`,
    );
  }
}

if (args[0] === '--serve') await serve(args[1] as 'lookup' | 'bare');
else
  await main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
