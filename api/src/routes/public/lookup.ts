// Citizen lookup: plate + vehicle type + proof of work, rate-limited per IP. Answers with the published
// fields only; the response schema (additionalProperties: false) strips anything else by construction.
import type { RouteApp } from '../route-app';
import rateLimit from '@fastify/rate-limit';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import { LookupChallengeResponse, LookupRequest, LookupResponse, PublicCaseResponse, PublicTokenParams } from '@phatnguoi/core/contracts/api/lookup';
import { UserError } from '@phatnguoi/core/errors';
import { challengeLedger, checkSolution, issueChallenge } from '../../services/pow';
import { plateForVehicle } from '@phatnguoi/core/plates/entry';
import { PublicDirectory } from '../../services/public-directory';
import { publishedCase, publishedCasesOfPlate } from '../../services/public-case';

export default async function lookupRoutes(app: RouteApp): Promise<void> {
  await app.register(rateLimit, {
    max: app.opts.lookupRatePerMinute,
    timeWindow: '1 minute',
    redis: app.deps.redis,
    nameSpace: `${app.opts.rateLimitNamespace}lookup:`,
  });
  const { db } = app.deps;
  const dir = new PublicDirectory(db);
  const markUsed = challengeLedger(app.deps.redis, app.opts.rateLimitNamespace);

  app.get('/api/public/challenge', { schema: { tags: ['public'], response: { 200: LookupChallengeResponse } } }, async () => {
    const c = issueChallenge(app.opts.signingSecret, app.opts.powDifficulty, app.clock.now());
    return { challenge: c.challenge, difficulty: c.difficulty, expiresAt: c.expiresAt.toISOString() };
  });

  app.post(
    '/api/public/lookup',
    {
      schema: { tags: ['public'], body: LookupRequest, response: { 200: LookupResponse, 400: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse } },
    },
    async (req) => {
      const now = app.clock.now();
      const why = checkSolution(app.opts.signingSecret, req.body.challenge, req.body.nonce, now, app.opts.powDifficulty);
      if (why) throw new UserError('anti_bot_failed', `anti-bot check failed: ${why}`, 403);
      // One lookup per solved challenge, across replicas when Redis is there.
      if (!(await markUsed(req.body.challenge))) throw new UserError('anti_bot_failed', 'anti-bot check failed: challenge already used', 403);
      // A plate written in the other kind's shape (`66E-500.67` with "motorbike" chosen) is refused, as on the
      // officer's desk, not re-cut into a plate nobody has (`66-E5 0067`) and answered with "no violations".
      const entry = plateForVehicle(req.body.plate, req.body.vehicleType);
      if (!entry.ok && entry.reason === 'kind_mismatch')
        throw new UserError('plate_kind_mismatch', `"${req.body.plate}" is not a ${req.body.vehicleType} plate: choose the other vehicle type`, 400, {
          details: { params: { plate: req.body.plate, kind: req.body.vehicleType } },
        });
      if (!entry.ok)
        throw new UserError('invalid_plate', `"${req.body.plate}" is not a valid ${req.body.vehicleType} plate`, 400, {
          details: { params: { plate: req.body.plate, kind: req.body.vehicleType } },
        });
      const plate = entry.plate;
      return { plate, vehicleType: req.body.vehicleType, items: await publishedCasesOfPlate(db, dir, plate, req.body.vehicleType) };
    },
  );

  app.get(
    '/api/public/cases/:token',
    {
      schema: { tags: ['public'], params: PublicTokenParams, response: { 200: PublicCaseResponse, 404: ErrorResponse } },
    },
    async (req) => publishedCase(db, app.clock, app.deps.storage, dir, req.params.token, 300),
  );
}
