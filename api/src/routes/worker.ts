// Worker routes (API tokens): the detector may post violation events over HTTP; same idempotent path as the queue.
import type { RouteApp } from './route-app';
import { Type } from '@sinclair/typebox';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import { requireRoles } from '../plugins/auth';
import { ingestEvent } from '../services/case-flow';

export default async function workerRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('worker'));
  app.post(
    '/api/worker/violations',
    {
      schema: {
        tags: ['worker'],
        body: Type.Object({}, { additionalProperties: true }),
        response: {
          200: Type.Object({ caseId: Type.String(), created: Type.Boolean() }),
          201: Type.Object({ caseId: Type.String(), created: Type.Boolean() }),
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const out = await ingestEvent({ ...app.deps, clock: app.clock, options: app.opts }, req.body);
      return reply.status(out.created ? 201 : 200).send(out);
    },
  );
}
