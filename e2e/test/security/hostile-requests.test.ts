// A generated stream of malformed and hostile requests against every route of the app (taken from its route
// table, filled by an onRoute hook), for every kind of caller: wrong types, oversized and deeply nested
// bodies, SQL and path injection, forged / expired / revoked credentials, the other agency's ids. Nothing may
// answer 5xx, leak internals, or change any table (the audit log included). Bounded: a seeded generator and a
// fixed number of variants per route and caller, so the file runs in well under a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createRng } from '@phatnguoi/core/plates/generate';
import { issueChallenge, solveChallenge } from '@phatnguoi/api/services/pow';
import { FORGED_TOKENS, PRINCIPALS, randomId, startSecurityHarness, stateFingerprint, type SecurityHarness, type Who } from './harness';

let h: SecurityHarness;
beforeAll(async () => {
  h = await startSecurityHarness();
});
afterAll(async () => h?.close());

const INJECTION = [
  "' OR '1'='1",
  '1; DROP TABLE cases; --',
  "'); DELETE FROM audit_log; --",
  '" OR ""="',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '$where: 1',
  "63A-123.45' UNION SELECT full_name, phone FROM registry_owners --",
  '🚓'.repeat(50),
  'a'.repeat(5000),
];

function nested(depth: number): unknown {
  let v: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) v = { a: v, b: [v] };
  return v;
}
function nestedText(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  minimum?: number;
  format?: string;
  items?: Schema;
};

/** The smallest value a JSON schema accepts (enough for TypeBox request schemas): used to reach past validation. */
function minimal(s: Schema | undefined): unknown {
  if (!s) return {};
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.anyOf) return minimal(s.anyOf[0]);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of s.required ?? []) out[k] = minimal(s.properties?.[k]);
      return out;
    }
    case 'array':
      return [];
    case 'string':
      return s.format === 'uuid'
        ? randomId()
        : s.format === 'date'
          ? '2025-01-01'
          : s.format === 'date-time'
            ? new Date().toISOString()
            : 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** Body variants: wrong types, broken JSON, oversized, deeply nested, prototype pollution, injection in every string field. */
function bodyVariants(schema: Schema | undefined, next: () => number): { payload: string | Buffer; contentType: string }[] {
  const json = (v: unknown) => ({ payload: JSON.stringify(v), contentType: 'application/json' });
  const base = minimal(schema);
  const out = [
    json(null),
    json([]),
    json('text'),
    json(12),
    json(true),
    json([base, base]),
    { payload: '{"a":', contentType: 'application/json' },
    { payload: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"role":"admin"}}}', contentType: 'application/json' },
    { payload: nestedText(5000), contentType: 'application/json' },
    json(nested(12)),
    { payload: JSON.stringify({ big: 'x'.repeat(70 * 1024) }), contentType: 'application/json' },
    { payload: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]), contentType: 'application/json' },
    { payload: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', contentType: 'application/xml' },
    { payload: "plate,owner\n'; DROP TABLE cases; --,x", contentType: 'text/csv' },
    { payload: 'username=admin&password=x', contentType: 'application/x-www-form-urlencoded' },
  ];
  if (base && typeof base === 'object' && !Array.isArray(base)) {
    const obj = base as Record<string, unknown>;
    const props = Object.keys((schema?.properties ?? {}) as object);
    for (const k of props) {
      // wrong types for each field, and injection strings in it
      const wrong: unknown[] = [null, -1, [], {}, true, 'x'.repeat(20_000)];
      out.push(json({ ...obj, [k]: wrong[Math.floor(next() * wrong.length)] }));
      out.push(json({ ...obj, [k]: INJECTION[Math.floor(next() * INJECTION.length)] }));
    }
    out.push(json({ ...obj, extra: INJECTION[0], role: 'admin', agencyId: randomId() }));
  }
  return out;
}

const QUERIES = [
  "?plate=' OR 1=1 --",
  '?plate=63A-123.45%27%20UNION%20SELECT%20*%20FROM%20registry_owners--',
  '?target=../../etc/passwd',
  '?status=detected&status=%00&limit=-1&offset=1e309',
  '?limit=999999999999&before=not-a-date',
  '?__proto__[admin]=1&constructor[prototype][role]=admin',
  `?q=${'a'.repeat(8000)}`,
  '?url=rtsp%3A%2F%2Fadmin%3ACamPass123%40127.0.0.1%2Fstream',
];

const PARAM_VALUES = (h: SecurityHarness) => [
  ...INJECTION.slice(0, 8).map(encodeURIComponent),
  '..%2F..%2Fadmin',
  '%2e%2e%2f%2e%2e%2f',
  'null',
  'undefined',
  '-1',
  '00000000-0000-0000-0000-000000000000',
  randomId(),
  h.ids.caseB,
  h.ids.confirmedB,
  h.ids.caseA,
];

// Requests an entitled caller makes that change state or never end by design, sent only by callers who are
// refused: logout revokes the caller's own session; the live stats stream (SSE) stays open.
const SIGNED_IN: Who[] = ['officerA', 'supervisorA', 'officerB', 'supervisorB', 'operator', 'admin', 'worker'];
function skipFor(method: string, url: string, who: Who): boolean {
  // (logging out an expired session marks it revoked: harmless, but a change)
  if (method === 'POST' && url === '/api/auth/logout') return SIGNED_IN.includes(who) || who === 'expired';
  if (url === '/api/stats/stream') return ['operator', 'supervisorA', 'supervisorB', 'admin'].includes(who);
  if (url === '/api/cases/events') return ['officerA', 'supervisorA', 'officerB', 'supervisorB'].includes(who);
  return false;
}

function headersFor(h: SecurityHarness, who: Who, i: number): Record<string, string> {
  switch (who) {
    case 'none':
      return {};
    case 'forged': {
      const t = FORGED_TOKENS[i % FORGED_TOKENS.length]!;
      return i % 3 === 0 ? { cookie: `pn_session=${encodeURIComponent(t)}` } : { authorization: `Bearer ${t.replace(/[^\x20-\x7e]/g, '?')}` };
    }
    default:
      return { authorization: `Bearer ${h.tokens[who]}` };
  }
}

// Bounds of the generated stream (requests per route and caller).
const ADMITTED_VARIANTS = 8;
const REFUSED_VARIANTS = 2;

const LEAK = /(syntax error at or near|relation "|violates|duplicate key|node_modules|at [\w.<>]+ \(|\.ts:\d+|password_hash|stack)/i;

describe('hostile requests against every route', () => {
  it('every route, every caller: no 5xx, no leaked internals, no state change', { timeout: 180_000 }, async () => {
    const routes = h.app.routeTable.filter((r) => r.method !== 'OPTIONS');
    const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
    // the route table is complete: every audience's routes are in it
    for (const must of [
      'POST /api/auth/login',
      'GET /api/cases/:id',
      'POST /api/cases/:id/approve',
      'GET /api/stats',
      'POST /api/admin/registry/imports',
      'POST /api/worker/violations',
      'POST /api/public/lookup',
      'GET /health',
    ]) {
      expect(urls, must).toContain(must);
    }
    const before = await stateFingerprint(h);
    const next = createRng(20251125); // deterministic, so a failure is reproducible
    const params = PARAM_VALUES(h);
    const failures: string[] = [];
    let sent = 0;
    const statuses = new Map<number, number>();
    const send = async (label: string, opts: InjectOptions) => {
      const res = await h.app.inject(opts);
      sent++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) failures.push(`${label} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      else if (res.statusCode >= 400 && LEAK.test(res.body)) failures.push(`${label} → ${res.statusCode} leaks internals: ${res.body.slice(0, 200)}`);
      return res.statusCode;
    };
    for (const route of routes) {
      const t0 = Date.now();
      const sent0 = sent;
      const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
      const urlWith = (): string => {
        let u = route.url.replace(/:(\w+)/g, () => pick(params)).replace(/\*$/, pick(['x', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/etc/passwd']));
        if (route.method === 'GET' || route.method === 'HEAD' || next() < 0.3) u += pick(QUERIES);
        return u;
      };
      const hasBody = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
      const bodies = hasBody ? bodyVariants(route.schema?.body as Schema | undefined, next) : [];
      // Admitted callers share the route's variants round-robin, so together they send all of them.
      let offset = 0;
      for (const who of PRINCIPALS) {
        const headers = headersFor(h, who, sent);
        // First: is this caller let in at all? (a benign request with an unknown id)
        const probeUrl = route.url.replace(/:(\w+)/g, () => randomId()).replace(/\*$/, 'x');
        if (skipFor(route.method, route.url, who)) continue;
        const probe = await send(`${route.method} ${probeUrl} as ${who} (probe)`, {
          method: route.method as InjectOptions['method'],
          url: probeUrl,
          headers,
          ...(hasBody ? { payload: {} } : {}),
        });
        const allowed = probe !== 401 && probe !== 403;
        // Callers refused at the door get a few variants; admitted callers get all of them.
        const n = allowed ? ADMITTED_VARIANTS : REFUSED_VARIANTS;
        for (let i = 0; i < n; i++) {
          const body = bodies.length ? (allowed ? bodies[offset++ % bodies.length]! : pick(bodies)) : null;
          const url = urlWith();
          await send(`${route.method} ${url.slice(0, 120)} as ${who}${body ? ` body ${String(body.payload).slice(0, 60)}` : ''}`, {
            method: route.method as InjectOptions['method'],
            url,
            headers: { ...headers, ...(body ? { 'content-type': body.contentType } : {}) },
            ...(body ? { payload: body.payload } : {}),
          });
        }
        // The other agency's cases with well-formed bodies: refused, never applied.
        if (allowed && route.url.startsWith('/api/cases/:id') && hasBody) {
          const foreign =
            who === 'officerA' || who === 'supervisorA' ? [h.ids.caseB, h.ids.confirmedB] : who === 'officerB' || who === 'supervisorB' ? [h.ids.caseA] : [];
          for (const id of foreign) {
            const url = route.url.replace(':id', id);
            const status = await send(`${route.method} ${url} as ${who} (other agency)`, {
              method: 'POST',
              url,
              headers,
              payload: (minimal(route.schema?.body as Schema | undefined) ?? {}) as object,
            });
            if (status < 400) failures.push(`${route.method} ${url} as ${who}: another agency's case answered ${status}`);
          }
        }
      }
      if (process.env.SECURITY_VERBOSE) console.log(`${route.method} ${route.url}: ${sent - sent0} requests, ${Date.now() - t0} ms`);
    }
    // Citizen lookup with a solved proof of work: the injection reaches plate parsing and the query path.
    for (const plate of INJECTION.filter((p) => p.length >= 4 && p.length <= 20)) {
      const c = issueChallenge(h.app.opts.signingSecret, h.app.opts.powDifficulty, h.clock.now());
      const nonce = solveChallenge(c.challenge, c.difficulty);
      await send(`lookup plate ${plate}`, { method: 'POST', url: '/api/public/lookup', payload: { plate, vehicleType: 'car', challenge: c.challenge, nonce } });
    }
    // Oversized registry CSV (past the CSV body limit) and a CSV whose header is an injection.
    const admin = { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'text/csv' };
    expect(
      await send('csv too large', {
        method: 'POST',
        url: '/api/admin/registry/imports',
        headers: admin,
        payload: Buffer.alloc(h.app.opts.csvBodyLimit + 1024, 0x61),
      }),
    ).toBe(413);

    const after = await stateFingerprint(h);
    console.log(
      `hostile stream: ${sent} requests over ${routes.length} routes x ${PRINCIPALS.length} callers; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(after).toEqual(before);
    // A CSV whose header is an injection is taken for the background job (an import recorded, which is a change),
    // whose header check refuses it (api/test/access.test.ts); the registry tables stay as they were.
    expect(
      await send('csv injection header', {
        method: 'POST',
        url: '/api/admin/registry/imports',
        headers: admin,
        payload: "plate'); DROP TABLE registry_owners; --,x\n1,2",
      }),
    ).toBe(202);
    const changed = await stateFingerprint(h);
    expect(changed.registry_owners).toEqual(before.registry_owners);
    expect(changed.registry_vehicles).toEqual(before.registry_vehicles);
    expect(sent).toBeGreaterThan(routes.length * PRINCIPALS.length);
  });

  it('injection strings in accepted fields are stored as data, not run as SQL', async () => {
    const name = "Đội CSGT'); DROP TABLE cases; --";
    const cases = (await h.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n;
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/admin/agencies',
      headers: { authorization: `Bearer ${h.tokens.admin}` },
      payload: { code: 'X-INJ', name, kind: 'traffic_police', provinceCode: '63' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const stored = await h.db.pool.query<{ name: string }>('SELECT name FROM agencies WHERE code = $1', ['X-INJ']);
    expect(stored.rows[0]?.name).toBe(name);
    expect((await h.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n).toBe(cases);
  });

  it('a NUL character anywhere in a request is a clear 400 (PostgreSQL text cannot hold it), not a 500', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin1\u0000', password: 'x' } });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toMatchObject({ error: 'invalid_characters' });
    const reject = await h.app.inject({
      method: 'POST',
      url: `/api/cases/${h.ids.caseA}/reject`,
      headers: { authorization: `Bearer ${h.tokens.officerA}` },
      payload: { reason: 'other', text: 'a\u0000b' },
    });
    expect(reject.statusCode).toBe(400);
    const query = await h.app.inject({
      method: 'GET',
      url: '/api/registry/vehicles?plate=63A%00123',
      headers: { authorization: `Bearer ${h.tokens.officerA}` },
    });
    expect(query.statusCode).toBe(400);
  });

  it('credentials: forged, expired and revoked tokens are refused everywhere a session is needed', async () => {
    for (const who of ['expired', 'revoked'] as const) {
      const res = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${h.tokens[who]}` } });
      expect(res.statusCode, who).toBe(401);
    }
    for (const t of FORGED_TOKENS) {
      const res = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `pn_session=${encodeURIComponent(t)}` } });
      expect(res.statusCode, t.slice(0, 20)).toBe(401);
    }
    // A worker token is not a user session, and a user session is not a worker token.
    expect((await h.app.inject({ method: 'GET', url: '/api/cases', headers: { authorization: `Bearer ${h.tokens.worker}` } })).statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/worker/violations', headers: { authorization: `Bearer ${h.tokens.admin}` }, payload: {} })).statusCode,
    ).toBe(403);
  });

  it("another agency's case is invisible: listing, detail, and every case action", async () => {
    const asA = { authorization: `Bearer ${h.tokens.officerA}` };
    const list = await h.app.inject({ method: 'GET', url: '/api/cases', headers: asA });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(h.ids.caseB);
    expect(list.body).toContain(h.ids.caseA);
    expect((await h.app.inject({ method: 'GET', url: `/api/cases/${h.ids.caseB}`, headers: asA })).statusCode).toBe(404);
    const approve = await h.app.inject({
      method: 'POST',
      url: `/api/cases/${h.ids.confirmedB}/approve`,
      headers: { authorization: `Bearer ${h.tokens.supervisorA}` },
      payload: {},
    });
    expect([403, 404]).toContain(approve.statusCode);
    const status = await h.db.pool.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [h.ids.confirmedB]);
    expect(status.rows[0]?.status).toBe('confirmed');
  });
});
