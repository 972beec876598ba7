// Citizen lookup: plate + vehicle type + proof of work, rate-limited per IP. Answers with the published
// fields only; the response schema (additionalProperties: false) strips anything else by construction.
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import {
  LookupChallengeResponse, LookupRequest, LookupResponse, PublicCaseResponse, PublicTokenParams, type PublicViolation,
} from '@phatnguoi/core/contracts/api/lookup';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import { checkSolution, issueChallenge } from '../../services/pow';
import { normalisePlateInput } from '@phatnguoi/core/plates/entry';
import { PublicDirectory } from '../../services/public-directory';
import { auditIntegrityFailure, checkObject } from '../../services/integrity';

// The hot query reads the cases index only; places, units and offence labels come from PublicDirectory.
const PUBLIC_COLUMNS = 'c.id, c.camera_id, c.agency_id, c.resolving_agency_id, c.type, c.vehicle_type, c.plate_text, c.plate_colour, c.occurred_at, c.status';
const PUBLISHED = "c.status IN ('approved', 'notified', 'escalated', 'resolved', 'lapsed')";
const LOOKUP_SQL = `SELECT ${PUBLIC_COLUMNS} FROM cases c
  WHERE c.plate_text = $1 AND c.vehicle_type = ANY($2::text[]) AND ${PUBLISHED}
  ORDER BY c.occurred_at DESC LIMIT 100`;
const PUBLIC_CASE_SQL = `SELECT ${PUBLIC_COLUMNS} FROM cases c WHERE c.public_token = $1 AND ${PUBLISHED}`;

interface PublicRow {
  id: string; camera_id: string; agency_id: string; resolving_agency_id: string | null; type: string;
  vehicle_type: PublicViolation['vehicleType']; plate_text: string; plate_colour: PublicViolation['plateColour']; occurred_at: Date; status: string;
}

async function toPublic(dir: PublicDirectory, rows: PublicRow[]): Promise<PublicViolation[]> {
  await dir.ensure({ cameraIds: rows.map((r) => r.camera_id), agencyIds: rows.flatMap((r) => [r.agency_id, r.resolving_agency_id ?? r.agency_id]) });
  return rows.map((r) => {
    const resolving = dir.agency(r.resolving_agency_id ?? r.agency_id);
    return {
      vehicleType: r.vehicle_type, plate: r.plate_text, plateColour: r.plate_colour, occurredAt: r.occurred_at.toISOString(), place: dir.place(r.camera_id),
      offence: dir.offence(r.type, r.vehicle_type, r.occurred_at), status: r.status === 'approved' ? 'pending_notice' : (r.status as PublicViolation['status']),
      detectingUnit: dir.agency(r.agency_id).name, resolvingUnit: resolving.name, resolvingPhone: resolving.phone, resolvingAddress: resolving.address,
    };
  });
}

export default async function lookupRoutes(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, { max: app.opts.lookupRatePerMinute, timeWindow: '1 minute', ...(app.deps.redis ? { redis: app.deps.redis, nameSpace: `${app.opts.rateLimitNamespace}lookup:` } : {}) });
  const { db } = app.deps;
  const dir = new PublicDirectory(db);
  const used = new Map<string, number>();
  const markUsed = async (challenge: string, now: Date): Promise<boolean> => {
    const redis = app.deps.redis;
    if (redis) return (await redis.set(`${app.opts.rateLimitNamespace}pow:${challenge.slice(-43)}`, '1', 'PX', 600_000, 'NX')) === 'OK';
    if (used.has(challenge)) return false;
    used.set(challenge, now.getTime());
    if (used.size > 100_000) for (const [k, t] of used) if (t < now.getTime() - 600_000) used.delete(k);
    return true;
  };

  app.get('/api/public/challenge', { schema: { tags: ['public'], response: { 200: LookupChallengeResponse } } }, async () => {
    const c = issueChallenge(app.opts.signingSecret, app.opts.powDifficulty, app.clock.now());
    return { challenge: c.challenge, difficulty: c.difficulty, expiresAt: c.expiresAt.toISOString() };
  });

  app.post<{ Body: LookupRequest }>('/api/public/lookup', {
    schema: { tags: ['public'], body: LookupRequest, response: { 200: LookupResponse, 400: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse } },
  }, async (req) => {
    const now = app.clock.now();
    const why = checkSolution(app.opts.signingSecret, req.body.challenge, req.body.nonce, now, app.opts.powDifficulty);
    if (why) throw new UserError('anti_bot_failed', `anti-bot check failed: ${why}`, 403);
    // One lookup per solved challenge, across replicas when Redis is there.
    if (!(await markUsed(req.body.challenge, now))) throw new UserError('anti_bot_failed', 'anti-bot check failed: challenge already used', 403);
    const plate = normalisePlateInput(req.body.plate, req.body.vehicleType);
    if (!plate) throw new UserError('invalid_plate', `"${req.body.plate}" is not a valid ${req.body.vehicleType} plate`);
    const types = req.body.vehicleType === 'motorbike' ? ['motorbike'] : ['car', 'bus', 'truck'];
    // Named (prepared) statement: planning this join costs far more than running it on the index.
    const { rows } = await db.query<PublicRow>({ name: 'public-lookup', text: LOOKUP_SQL, values: [plate, types] });
    return { plate, vehicleType: req.body.vehicleType, items: await toPublic(dir, rows) };
  });

  app.get<{ Params: PublicTokenParams }>('/api/public/cases/:token', {
    schema: { tags: ['public'], params: PublicTokenParams, response: { 200: PublicCaseResponse, 404: ErrorResponse } },
  }, async (req) => {
    const { rows } = await db.query<PublicRow>({ name: 'public-case', text: PUBLIC_CASE_SQL, values: [req.params.token] });
    const r = rows[0];
    if (!r) throw new NotFoundError('no such case');
    const seconds = 300;
    const ev = await db.query<{ kind: string; bucket: string; key: string; sha256: string; content_type: string }>(
      `SELECT kind, bucket, key, sha256, content_type FROM case_evidence WHERE case_id = $1 ORDER BY captured_at, kind`, [r.id]);
    const storage = app.deps.storage;
    // Only evidence that still hashes as recorded is linked; an item replaced in storage is left out and audited.
    const checked = storage ? await Promise.all(ev.rows.map(async (e) => ({ e, integrity: (await checkObject(storage, e.bucket, e.key, e.sha256)).integrity }))) : [];
    const bad = checked.filter((c) => c.integrity !== 'ok');
    if (bad.length > 0) await auditIntegrityFailure(db, app.clock, { id: null, name: 'citizen' }, 'case', r.id, { use: 'public view', items: bad.map((b) => ({ kind: b.e.kind, integrity: b.integrity })) });
    const evidence = storage
      ? await Promise.all(checked.filter((c) => c.integrity === 'ok').map(async ({ e }) => ({ kind: e.kind, contentType: e.content_type, sha256: e.sha256, url: await storage.presignedGet(e.bucket as BucketName, e.key, seconds) })))
      : [];
    return { violation: (await toPublic(dir, [r]))[0]!, evidence, expiresInSeconds: seconds };
  });
}
