// Citizen lookup: plate + vehicle type + proof of work, rate-limited per IP. Answers with the published
// fields only; the response schema (additionalProperties: false) strips anything else by construction.
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import { LookupChallengeResponse, LookupRequest, LookupResponse, PublicCaseResponse, PublicTokenParams } from '@phatnguoi/core/contracts/api/lookup';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import { checkSolution, issueChallenge } from '../../services/pow';
import { normalisePlateInput } from '@phatnguoi/core/plates/entry';
import { PublicDirectory } from '../../services/public-directory';
import { PUBLIC_COLUMNS, PUBLISHED, publicEvidence, toPublic, type PublicRow } from '../../services/public-case';

// The hot query reads the cases index only; places, units and offence labels come from PublicDirectory.
const LOOKUP_SQL = `SELECT ${PUBLIC_COLUMNS} FROM cases c
  WHERE c.plate_text = $1 AND c.vehicle_type = ANY($2::text[]) AND ${PUBLISHED}
  ORDER BY c.occurred_at DESC LIMIT 100`;
const PUBLIC_CASE_SQL = `SELECT ${PUBLIC_COLUMNS} FROM cases c WHERE c.public_token = $1 AND ${PUBLISHED}`;

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
    const evidence = await publicEvidence(db, app.clock, app.deps.storage, r.id, 'public view', seconds);
    return { violation: (await toPublic(dir, [r]))[0]!, evidence, expiresInSeconds: seconds };
  });
}
