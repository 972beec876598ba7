// The whole demo path across separate processes, against real PostgreSQL, Redis, S3 (s3rver), ffmpeg and RTSP:
//
//   sim serve (RTSP camera, scripted red-light runners) → ingest → detector → violation.created (BullMQ)
//   → api worker (case) → api (HTTP): officer queue, claim, confirm → another supervisor approves, issues the
//   notice (PDF) → outbox: e-mail through a local SMTP sink, SMS through a local gateway, printable post batch
//   → citizen lookup (proof of work solved).
//
// The case is checked against the simulator's truth (type, time, plate or manual-entry flag) and every
// evidence file is downloaded from S3 and re-hashed. The delay from the violation in the video to the case
// in the queue is printed (figures in bench/README.md, never asserted).
//
// Detector: E2E_DETECTOR=model (default: detector/src/main.ts with the trained models/vehicle-detector, or
// DETECTOR_CONFIG) or truth-replay (e2e/src/detector-truth-replay.ts: the simulator's boxes instead of the model,
// the rest of the pipeline real). Held-out model accuracy is `npm run eval -- --heldout`'s business.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameRefFromFields } from '@phatnguoi/core/camera-node/frames';
import { frameStreamKey } from '@phatnguoi/core/camera-node/channels';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createStorage, type BucketName, type Storage } from '@phatnguoi/core/storage';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import type { Config } from '@phatnguoi/core/config';
import { plateChars as normalizePlate } from '@phatnguoi/core/plates/format';
import { createAgency, createRegistryEntry, createUser } from '@phatnguoi/api/seed/demo';
import { solveChallenge } from '@phatnguoi/api/services/pow';
import { readTruth, type TruthFile } from '@phatnguoi/sim/truth';
import { freePort, ROOT, startRole, type RoleProcess } from '../src/processes';
import { liveRoleEnv, writeRedLightScene } from '../src/live-path';
import { startSmtpSink, type SmtpSink } from '../src/smtp-sink';
import { startSmsSink, type SmsSink } from '../src/sms-sink';

const PASSWORD = 'e2e correct horse battery';
const MODEL_CONFIG = join(ROOT, 'models/vehicle-detector/detector.json');
const choice = process.env.E2E_DETECTOR ?? 'model';
if (choice !== 'model' && choice !== 'truth-replay') throw new Error(`E2E_DETECTOR must be model or truth-replay, not ${choice}`);
if (choice === 'model' && !process.env.DETECTOR_CONFIG && !existsSync(MODEL_CONFIG)) throw new Error(`E2E_DETECTOR=model: no trained model at ${MODEL_CONFIG}`);
const detectorKind: 'model' | 'truth-replay' = choice;

const work = mkdtempSync(join(tmpdir(), 'pn-e2e-'));
const roles: RoleProcess[] = [];
let db: TestDatabase;
let s3: TestS3;
let config: Config;
let storage: Storage;
let queues: Queues;
let redis: Redis;
let smtp: SmtpSink;
let sms: SmsSink;
let truth: TruthFile;
let cameraId = '';
let apiUrl = '';
let ingestPrefix = '';
let videoStartMs = 0;
const tokens: Record<string, string> = {};
/** Case id → when the test first saw it in the officer queue. */
const seenAt = new Map<string, number>();

interface Summary {
  id: string;
  status: string;
  type: string;
  occurredAt: string;
  createdAt: string;
  vehicleType: string;
  plate: { text: string | null; needsManualEntry: boolean; confidence: number };
  manualHandling: boolean;
  manualReason: string | null;
}

async function api(
  method: string,
  path: string,
  user?: string,
  body?: unknown,
): Promise<{ status: number; json: () => unknown; buf: Buffer; session: string }> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { ...(user ? { authorization: `Bearer ${tokens[user]}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    buf,
    json: () => JSON.parse(buf.toString('utf8')) as unknown,
    session: /pn_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1] ?? '',
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${roles.flatMap((r) => r.lines.slice(-15)).join('\n')}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function queue(): Promise<Summary[]> {
  const res = await api('GET', `/api/cases?cameraId=${cameraId}`, 'officer1');
  if (res.status !== 200) throw new Error(`queue: ${res.status} ${res.buf.toString()}`);
  const items = (res.json() as { items: Summary[] }).items;
  const now = Date.now();
  for (const c of items) if (!seenAt.has(c.id)) seenAt.set(c.id, now);
  return items;
}

async function lookup(plate: string, vehicleType: 'car' | 'motorbike') {
  const ch = (await api('GET', '/api/public/challenge')).json() as { challenge: string; difficulty: number };
  return api('POST', '/api/public/lookup', undefined, { plate, vehicleType, challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.difficulty) });
}

const lookupType = (kind: string): 'car' | 'motorbike' => (kind === 'motorbike' ? 'motorbike' : 'car');

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  config = testConfig({ s3: s3.s3 });
  storage = createStorage(config);
  await storage.ensureBuckets();
  queues = createQueues(config);
  redis = createRedis(config.redisUrl);
  smtp = await startSmtpSink();
  sms = await startSmsSink();
  ingestPrefix = `${config.queuePrefix}:`;

  // A short, small scene: red-light-runners with the cycle shifted so red starts at 7 s (motorbike runs it at
  // about 9 s, the car at about 12 s), 640x360, 15 s. The camera loops it; ingest's connection starts at t=0.
  const scenarioFile = writeRedLightScene(work, 'e2e-red-light');
  const sim = startRole('sim', 'sim/src/cli.ts', ['serve', scenarioFile, '--out', join(work, 'sim'), '--port', '0'], {});
  roles.push(sim);
  const served = await sim.waitForLine(/serving \S+ at (rtsp:\/\/\S+)/, 180_000);
  const cameraUrl = served[1]!;
  truth = await readTruth(join(work, 'sim', 'e2e-red-light.truth.json'));

  const agency = await createAgency(db.pool, {
    code: 'PC08-TG',
    name: 'Phòng CSGT Công an tỉnh Tiền Giang',
    provinceCode: '63',
    phone: '0273 3872 000',
    address: '1 Lê Lợi, Mỹ Tho',
  });
  const cam = await db.pool.query<{ id: string }>(
    `INSERT INTO cameras (agency_id, name, address, stream_url, sample_fps, geometry) VALUES ($1, $2, $3, $4, 5, $5) RETURNING id`,
    [agency, 'Ngã tư Lê Lợi - Hùng Vương', 'TP Mỹ Tho, Tiền Giang', cameraUrl, JSON.stringify(truth.geometry)],
  );
  cameraId = cam.rows[0]!.id;
  for (const [username, role] of [
    ['officer1', 'officer'],
    ['super1', 'supervisor'],
    ['super2', 'supervisor'],
  ] as const) {
    await createUser(db.pool, { username, password: PASSWORD, role, agencyId: agency });
  }
  // Every vehicle of the scene is registered (owners with e-mail and phone), so any case can get a notice.
  for (const [i, t] of truth.tracks.entries()) {
    await createRegistryEntry(db.pool, {
      plate: t.plate.text,
      plateColour: t.plate.colour,
      vehicleType: lookupType(t.kind),
      ownerName: `Chủ xe ${i + 1}`,
      idNumber: `0820900${String(i).padStart(5, '0')}`,
      address: `${i + 1} Ấp Bắc, Mỹ Tho, Tiền Giang`,
      provinceCode: '63',
      email: `chuxe${i + 1}@example.vn`,
      phone: `09000${String(i).padStart(5, '0')}`,
    });
  }

  const env = liveRoleEnv({ db, s3, config, work, ingestPrefix, nodeId: 'e2e-node' });
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  const apiEnv = {
    ...env,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    API_WORKERS: '0',
    PUBLIC_BASE_URL: 'https://phatnguoi.test',
    LOOKUP_POW_DIFFICULTY: '8',
    LOOKUP_RATE_PER_MINUTE: '10000',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'csgt@phatnguoi.test',
    SMS_GATEWAY_URL: sms.url,
  };
  const apiRole = startRole('api', 'api/src/main.ts', [], apiEnv);
  roles.push(apiRole);
  roles.push(startRole('api-worker', 'api/src/worker.ts', [], apiEnv));
  roles.push(startRole('ingest', 'ingest/src/main.ts', [], env));
  roles.push(
    detectorKind === 'model'
      ? startRole('detector', 'detector/src/main.ts', [], { ...env, DETECTOR_CONFIG: process.env.DETECTOR_CONFIG ?? MODEL_CONFIG })
      : startRole('detector', 'e2e/src/detector-truth-replay.ts', [], { ...env, DETECTOR_TRUTH_FILE: join(work, 'sim', 'e2e-red-light.truth.json') }),
  );
  await waitFor('api /health', async () => (await fetch(`${apiUrl}/health`).catch(() => null))?.ok, 90_000);
  for (const u of ['officer1', 'super1', 'super2']) {
    const res = await api('POST', '/api/auth/login', undefined, { username: u, password: PASSWORD });
    if (res.status !== 200) throw new Error(`login ${u}: ${res.status} ${res.buf.toString()}`);
    tokens[u] = res.session;
  }
  // Wall-clock time of video t=0: the capture time of the camera's first frame (seq 0, ingest's first run).
  const key = frameStreamKey(cameraId, ingestPrefix);
  const first = await waitFor('the first frame from ingest', async () => (await redis.xrange(key, '-', '+', 'COUNT', 1))[0], 90_000, 100);
  const ref = frameRefFromFields(first[1])!;
  expect(ref.seq).toBe(0);
  videoStartMs = Date.parse(ref.capturedAt);
}, 300_000);

afterAll(async () => {
  await Promise.all(roles.map((r) => r.stop()));
  for (const r of roles)
    if (process.env.E2E_VERBOSE === undefined && r.child.exitCode !== 0 && r.child.exitCode !== null) console.log(r.lines.slice(-40).join('\n'));
  await smtp?.stop();
  await sms?.stop();
  await queues?.obliterateAll().catch(() => undefined);
  await queues?.close();
  if (redis) {
    await deleteKeysWithPrefix(redis, ingestPrefix).catch(() => undefined);
    redis.disconnect();
  }
  await db?.drop();
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe(`demo path (${detectorKind} detector)`, () => {
  let chosen: { summary: Summary; truthPlate: string; kind: string } | null = null;

  it('every scripted red-light run in the video becomes a case in the review queue, at the right time', { timeout: 180_000 }, async () => {
    const expected = truth.violations.filter((v) => v.type === 'red_light');
    expect(expected.length).toBeGreaterThanOrEqual(1);
    const tolS = 2;
    const match = (items: Summary[], v: (typeof expected)[number]) =>
      items.find((c) => c.type === 'red_light' && Math.abs(Date.parse(c.occurredAt) - (videoStartMs + v.timeS * 1000)) <= tolS * 1000);
    let last: Summary[] = [];
    const items = await waitFor(
      'a case for every red-light run',
      async () => {
        last = await queue();
        return expected.every((v) => match(last, v)) ? last : null;
      },
      150_000,
    ).catch((err: Error) => {
      const got = last.map(
        (c) => `${c.type}@${((Date.parse(c.occurredAt) - videoStartMs) / 1000).toFixed(1)}s ${c.vehicleType} ${c.plate.text ?? '(no plate)'}`,
      );
      throw new Error(
        `${err.message}\nexpected red_light at ${expected.map((v) => `${v.timeS.toFixed(1)}s`).join(', ')}; queue has: ${got.join('; ') || 'nothing'}`,
      );
    });

    const delays: number[] = [];
    const rows: string[] = [];
    for (const v of expected) {
      const c = match(items, v)!;
      const track = truth.tracks.find((t) => t.trackId === v.trackId)!;
      const violationMs = videoStartMs + v.timeS * 1000;
      const delay = Date.parse(c.createdAt) - violationMs;
      delays.push(delay);
      rows.push(
        `  ${track.kind.padEnd(9)} ${v.plateText.padEnd(13)} t=${v.timeS.toFixed(1)} s  case time off by ${((Date.parse(c.occurredAt) - violationMs) / 1000).toFixed(2)} s; ` +
          `in queue ${(delay / 1000).toFixed(1)} s after the violation (seen by polling after ${((seenAt.get(c.id)! - violationMs) / 1000).toFixed(1)} s); ` +
          `plate ${c.plate.needsManualEntry ? 'manual entry' : `${c.plate.text} (${c.plate.confidence.toFixed(2)})`}`,
      );
      expect(c.status).toBe('detected');
      expect(c.vehicleType).toBe(lookupType(track.kind));
      if (c.plate.needsManualEntry || !c.plate.text) {
        // No confident read: the case says so and asks the officer for the plate.
        expect(c.manualHandling).toBe(true);
      } else {
        expect(normalizePlate(c.plate.text)).toBe(normalizePlate(v.plateText));
      }
      if (!chosen || track.kind !== 'motorbike') chosen = { summary: c, truthPlate: v.plateText, kind: track.kind };
    }
    const sorted = [...delays].sort((a, b) => a - b);
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
    console.log(
      `[e2e] ${detectorKind} detector: ${expected.length} red-light runs, ${items.length} cases in the queue\n${rows.join('\n')}\n` +
        `[e2e] violation → case in queue: p50 ${(p50 / 1000).toFixed(1)} s, max ${(sorted.at(-1)! / 1000).toFixed(1)} s (n=${sorted.length})`,
    );
    // No duplicate cases for the same vehicle and phase.
    const keys = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE camera_id::text = $1', [cameraId]);
    expect(keys.rows[0]!.n).toBe(items.length);
  });

  it('every evidence file of the case is in S3 with the SHA-256 recorded at capture', async () => {
    const c = chosen!.summary;
    const { rows } = await db.pool.query<{ kind: string; bucket: string; key: string; sha256: string; size: string }>(
      'SELECT kind, bucket, key, sha256, size FROM case_evidence WHERE case_id = $1 ORDER BY kind',
      [c.id],
    );
    expect(rows.map((r) => r.kind)).toEqual(expect.arrayContaining(['clip']));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) {
      const bytes = await storage.get(r.bucket as BucketName, r.key);
      expect(bytes.length).toBe(Number(r.size));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(r.sha256);
    }
    // The officer's case view links the same files (presigned S3 URLs) with the same hashes.
    const detail = (await api('GET', `/api/cases/${c.id}`, 'officer1')).json() as { evidence: { url: string | null; sha256: string }[] };
    expect(detail.evidence).toHaveLength(rows.length);
    for (const e of detail.evidence) {
      const file = Buffer.from(await (await fetch(e.url!)).arrayBuffer());
      expect(createHash('sha256').update(file).digest('hex')).toBe(e.sha256);
    }
    console.log(`[e2e] evidence verified: ${rows.map((r) => r.kind).join(', ')}`);
  });

  it('officer claims and confirms; another supervisor approves and issues the notice PDF', async () => {
    const c = chosen!.summary;
    expect((await api('POST', `/api/cases/${c.id}/claim`, 'officer1')).status).toBe(200);
    // A plate the reader could not give (or gave differently) is typed in by the officer from the evidence.
    const needsPlate = c.plate.needsManualEntry || !c.plate.text || normalizePlate(c.plate.text) !== normalizePlate(chosen!.truthPlate);
    const confirm = await api(
      'POST',
      `/api/cases/${c.id}/confirm`,
      'officer1',
      needsPlate ? { plateText: chosen!.truthPlate, note: 'biển số đọc từ ảnh' } : { note: 'rõ biển số' },
    );
    expect(confirm.status, confirm.buf.toString()).toBe(200);
    expect(confirm.json()).toEqual({ id: c.id, status: 'confirmed' });
    const approve = await api('POST', `/api/cases/${c.id}/approve`, 'super1', {});
    expect(approve.status, approve.buf.toString()).toBe(200);
    const notice = await api('POST', `/api/cases/${c.id}/notice`, 'super1');
    expect(notice.status, notice.buf.toString()).toBe(200);
    const n = notice.json() as { noticeId: string; number: string; sha256: string };
    const pdf = await api('GET', `/api/notices/${n.noticeId}/pdf`, 'super2');
    expect(pdf.status).toBe(200);
    expect(createHash('sha256').update(pdf.buf).digest('hex')).toBe(n.sha256);
    const file = join(work, 'notice.pdf');
    writeFileSync(file, pdf.buf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const expected of ['THÔNG BÁO', n.number, chosen!.truthPlate, 'Vượt đèn đỏ', 'Ngã tư Lê Lợi - Hùng Vương']) expect(text).toContain(expected);
    const { rows } = await db.pool.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [c.id]);
    expect(rows[0]!.status).toBe('notified');
  });

  it('delivery goes through the outbox: e-mail to a real SMTP server, SMS to the gateway, post in a printable batch', { timeout: 90_000 }, async () => {
    const c = chosen!.summary;
    await waitFor(
      'e-mail and SMS sent',
      async () => {
        const { rows } = await db.pool.query<{ channel: string; status: string }>(
          `SELECT d.channel, d.status FROM deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.case_id = $1`,
          [c.id],
        );
        return rows.filter((r) => r.status === 'sent').length === 2 ? rows : null;
      },
      60_000,
    );
    const owner = await db.pool.query<{ email: string; phone: string }>(
      `SELECT o.email, o.phone FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = $1`,
      [chosen!.truthPlate],
    );
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual([owner.rows[0]!.email]);
    expect(mail.raw).toMatch(/Content-Type: application\/pdf/i);
    expect(sms.messages.map((m) => m.to)).toEqual([owner.rows[0]!.phone]);
    expect(sms.messages[0]!.text).toContain(chosen!.truthPlate);
    const batch = await api('POST', '/api/post-batches', 'super1');
    expect(batch.status, batch.buf.toString()).toBe(200);
    expect((batch.json() as { count: number }).count).toBe(1);
  });

  it('citizen lookup (proof of work solved) finds the case for its plate, and not for another plate', async () => {
    const c = chosen!.summary;
    const res = await lookup(chosen!.truthPlate, lookupType(chosen!.kind));
    expect(res.status, res.buf.toString()).toBe(200);
    const body = res.json() as { plate: string; items: { plate: string; occurredAt: string; offence: string; status: string }[] };
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ plate: chosen!.truthPlate, status: 'notified', occurredAt: c.occurredAt });
    for (const secret of ['Chủ xe', 'example.vn', 'Ấp Bắc']) expect(res.buf.toString()).not.toContain(secret);
    const other =
      truth.tracks.find((t) => t.plate.text !== chosen!.truthPlate && t.kind === chosen!.kind) ??
      truth.tracks.find((t) => t.plate.text !== chosen!.truthPlate)!;
    const miss = await lookup(other.plate.text, lookupType(other.kind));
    expect(miss.status).toBe(200);
    expect((miss.json() as { items: { plate: string }[] }).items.filter((i) => i.plate === chosen!.truthPlate)).toEqual([]);
    expect((miss.json() as { items: unknown[] }).items).toEqual([]);
  });
});
