// Review-desk helpers: who is signed in (200 with null when nobody: the login page makes no failing request),
// the live queue signal (SSE: the agency's cases changed), officer throughput, cameras by name.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { UserSummary } from '@phatnguoi/core/contracts/api/auth';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';

const errors = { 401: ErrorResponse, 403: ErrorResponse };

export const SessionResponse = Type.Object({ user: Type.Union([UserSummary, Type.Null()]) });

export const ThroughputResponse = Type.Object({
  /** Decisions (confirm or reject) by this officer in the last hour, and today (Vietnam time). */
  lastHour: Type.Integer(),
  today: Type.Integer(),
  /** Decisions per hour over today's working span (first to last decision, at least one hour). */
  perHour: Type.Number(),
  /** Share of today's decisions that confirmed the case (0-1); null before the first decision. */
  approvalRate: Type.Union([Type.Number(), Type.Null()]),
  /** The same per officer of the agency today, busiest first. */
  officers: Type.Array(Type.Object({ username: Type.String(), decisions: Type.Integer(), perHour: Type.Number() })),
});

export const DeskCameras = Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) });

/** Midnight in Vietnam (UTC+7) of the day `now` falls on. */
export function vietnamDayStart(now: Date): Date {
  const t = new Date(now.getTime() + 7 * 3600_000);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - 7 * 3600_000);
}

export default async function deskRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  const anyRole = requireRoles('officer', 'supervisor', 'operator', 'admin');

  app.get('/api/session', { schema: { tags: ['auth'], response: { 200: SessionResponse } } }, async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      await (anyRole as unknown as (this: FastifyInstance, r: FastifyRequest, p: FastifyReply) => Promise<void>).call(app, req, reply);
    } catch {
      return { user: null };
    }
    const u = userOf(req);
    const a = u.agencyId ? await db.query<{ name: string }>('SELECT name FROM agencies WHERE id = $1', [u.agencyId]) : null;
    return { user: { id: u.id, username: u.username, displayName: u.displayName, role: u.role, agencyId: u.agencyId, agencyName: a?.rows[0]?.name ?? null } };
  });

  await app.register(async (desk) => {
    desk.addHook('onRequest', requireRoles('officer', 'supervisor'));

    desk.get('/api/desk/throughput', { schema: { tags: ['officer'], response: { 200: ThroughputResponse, ...errors } } }, async (req) => {
      const u = userOf(req);
      const now = app.clock.now();
      const { rows } = await db.query<{ actor: string; n: string; confirmed: string; first: Date; last: Date; last_hour: string }>(
        `SELECT a.actor, count(*) AS n, count(*) FILTER (WHERE a.action = 'case.confirm') AS confirmed, min(a.at) AS first, max(a.at) AS last,
                count(*) FILTER (WHERE a.at >= $3) AS last_hour
           FROM audit_log a JOIN cases c ON c.id::text = a.entity_id
          WHERE a.entity = 'case' AND a.action IN ('case.confirm', 'case.reject') AND a.at >= $1 AND a.at <= $4
            AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)
          GROUP BY a.actor`,
        [vietnamDayStart(now), agencyScope(u), new Date(now.getTime() - 3600_000), now],
      );
      const rate = (r: (typeof rows)[number]) => Number(r.n) / Math.max(1, (r.last.getTime() - r.first.getTime()) / 3600_000);
      const mine = rows.find((r) => r.actor === u.username);
      return {
        lastHour: Number(mine?.last_hour ?? 0),
        today: Number(mine?.n ?? 0),
        perHour: mine ? Math.round(rate(mine) * 10) / 10 : 0,
        approvalRate: mine ? Number(mine.confirmed) / Number(mine.n) : null,
        officers: rows
          .map((r) => ({ username: r.actor, decisions: Number(r.n), perHour: Math.round(rate(r) * 10) / 10 }))
          .sort((a, b) => b.decisions - a.decisions),
      };
    });

    desk.get('/api/desk/cameras', { schema: { tags: ['officer'], response: { 200: DeskCameras, ...errors } } }, async (req) => {
      const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM cameras WHERE ($1::uuid IS NULL OR agency_id = $1) ORDER BY name', [
        agencyScope(userOf(req)),
      ]);
      return { items: rows };
    });

    // Server-sent events: `changed` when the agency's cases changed (new case, decision, claim), so the queue
    // reloads in place; a comment line every 15 s keeps proxies from closing the stream.
    desk.get('/api/cases/events', { schema: { tags: ['officer'] } }, async (req, reply) => {
      const scope = agencyScope(userOf(req));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let last = '';
      let ticks = 0;
      const poll = async () => {
        try {
          const { rows } = await db.query<{ n: string; at: Date | null }>(
            `SELECT count(*) AS n, max(updated_at) AS at FROM cases WHERE ($1::uuid IS NULL OR agency_id = $1 OR resolving_agency_id = $1)`,
            [scope],
          );
          const sig = `${rows[0]!.n}|${rows[0]!.at?.toISOString() ?? ''}`;
          if (last && sig !== last) res.write(`event: changed\ndata: ${JSON.stringify({ total: Number(rows[0]!.n) })}\n\n`);
          else if (++ticks % 5 === 0) res.write(': keep-alive\n\n');
          last = sig;
        } catch (err) {
          req.log.warn({ err }, 'case events poll failed');
        }
      };
      await poll();
      res.write(`event: ready\ndata: ${JSON.stringify({ total: Number(last.split('|')[0] || 0) })}\n\n`);
      const timer = setInterval(() => void poll(), 3000);
      req.raw.on('close', () => clearInterval(timer));
    });
  });
}
