// Review-desk helpers: who is signed in (200 with null when nobody: the login page makes no failing request),
// the live queue signal (SSE: the agency's cases changed), officer throughput, cameras by name.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteApp } from './route-app';
import { DeskCameras, SessionResponse, ThroughputResponse } from '@phatnguoi/core/contracts/api/desk';
import { sseFrame } from '@phatnguoi/core/contracts/api/live';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { userSummary } from '../services/auth';
import { caseloadSignature, deskCameras, officerThroughput } from '../services/desk';

const errors = { 401: ErrorResponse, 403: ErrorResponse };

export default async function deskRoutes(app: RouteApp): Promise<void> {
  const { db } = app.deps;
  const anyRole = requireRoles('officer', 'supervisor', 'operator', 'admin');

  app.get('/api/session', { schema: { tags: ['auth'], response: { 200: SessionResponse } } }, async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      await (anyRole as unknown as (this: FastifyInstance, r: FastifyRequest, p: FastifyReply) => Promise<void>).call(app, req, reply);
    } catch {
      return { user: null };
    }
    return { user: await userSummary(db, userOf(req)) };
  });

  await app.register(async (desk: RouteApp) => {
    desk.addHook('onRequest', requireRoles('officer', 'supervisor'));

    desk.get('/api/desk/throughput', { schema: { tags: ['officer'], response: { 200: ThroughputResponse, ...errors } } }, async (req) => {
      const u = userOf(req);
      return officerThroughput(db, u.username, agencyScope(u), app.clock.now());
    });

    desk.get('/api/desk/cameras', { schema: { tags: ['officer'], response: { 200: DeskCameras, ...errors } } }, async (req) => {
      return { items: await deskCameras(db, agencyScope(userOf(req))) };
    });

    // Server-sent events: `changed` when the agency's cases changed (new case, decision, claim), so the queue
    // reloads in place; a comment line every 15 s keeps proxies from closing the stream.
    const STREAM = '/api/cases/events';
    desk.get(STREAM, { schema: { tags: ['officer'] } }, async (req, reply) => {
      const scope = agencyScope(userOf(req));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let last = '';
      let ticks = 0;
      const poll = async () => {
        try {
          const { total, signature } = await caseloadSignature(db, scope);
          if (last && signature !== last) res.write(sseFrame(STREAM, 'changed', { total }));
          else if (++ticks % 5 === 0) res.write(': keep-alive\n\n');
          last = signature;
        } catch (err) {
          req.log.warn({ err }, 'case events poll failed');
        }
      };
      await poll();
      res.write(sseFrame(STREAM, 'ready', { total: Number(last.split('|')[0] || 0) }));
      const timer = setInterval(() => void poll(), 3000);
      req.raw.on('close', () => clearInterval(timer));
    });
  });
}
