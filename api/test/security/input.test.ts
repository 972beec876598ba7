// Input a probe sent that reached SQL or JSON as a 500 (issue 22, items 7 and 8): numbers that are not finite,
// lone UTF-16 surrogates in every text field. Each answer must be a clear 400 that changes nothing.
// Slow requests (item 9): a body or headers sent a byte at a time must not hold a connection open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type AddressInfo } from 'node:net';
import { bearer, loginAs, startHarness, type Harness } from '../helpers';
import { buildApp } from '../../src/app';
import { demoEvent } from '../../src/seed/demo';
import { ingestEvent } from '../../src/jobs/handlers';
import { inputProblem, normaliseText } from '../../src/plugins/input';
import { pageNumber } from '../../src/services/queries';

let h: Harness;
const tokens: Record<string, string> = {};
let caseId = '';
beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'super1', 'admin1']) tokens[u] = await loginAs(h.app, u);
  caseId = (await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt: new Date(Date.now() - 600_000) }))).caseId;
});
afterAll(async () => h?.close());

async function tableState(): Promise<string> {
  const r = await h.db.pool.query(`SELECT (SELECT count(*) FROM audit_log) AS audit, (SELECT count(*) FROM api_tokens) AS tokens,
    (SELECT count(*) FROM fine_schedule) AS fines, (SELECT md5(string_agg(c::text, '' ORDER BY id)) FROM cases c) AS cases`);
  return JSON.stringify(r.rows[0]);
}

describe('numbers (item 7)', () => {
  it('limit and offset that are not finite whole numbers in range are a 400, never an SQL error', async () => {
    for (const q of [
      'limit=1e999',
      'offset=1e999',
      'limit=Infinity',
      'offset=Infinity',
      'offset=-Infinity',
      'limit=NaN',
      'limit=0',
      'limit=201',
      'offset=-1',
      'limit=2.5',
      'minConfidence=1e999',
    ]) {
      const res = await h.app.inject({ method: 'GET', url: `/api/cases?${q}`, headers: bearer(tokens.officer1!) });
      expect(res.statusCode, `${q}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${q}: ${res.body}`).toBeLessThan(500);
      expect(res.body).not.toMatch(/column|infinity"|syntax/i);
    }
    const ok = await h.app.inject({ method: 'GET', url: '/api/cases?limit=200&offset=0', headers: bearer(tokens.officer1!) });
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as { items: { id: string }[] }).items.map((c) => c.id)).toContain(caseId);
  });

  it('JSON numbers that parse to Infinity are refused in bodies', async () => {
    const before = await tableState();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/admin/fines',
      headers: { ...bearer(tokens.admin1!), 'content-type': 'application/json' },
      payload:
        '{"offence":"red_light","vehicleGroup":"car","description":"x","legalBasis":"x","article":"x","fineMin":1e999,"fineMax":1e999,"points":1,"effectiveFrom":"2031-01-01"}',
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(await tableState()).toBe(before);
  });

  it('pageNumber binds only whole numbers in range', () => {
    expect(pageNumber(undefined, 50, 1, 200)).toBe(50);
    expect(pageNumber(7, 50, 1, 200)).toBe(7);
    for (const v of [Infinity, -Infinity, NaN, 0, 201, 2.5, 2 ** 60]) expect(() => pageNumber(v, 50, 1, 200)).toThrow(/whole number/);
  });
});

describe('text (item 8)', () => {
  const LONE = '"a\\ud800b"';
  const cases: [string, string, string, () => string][] = [
    ['reject text', 'POST', `/api/cases/:id/reject`, () => `{"reason":"other","text":${LONE}}`],
    ['confirm note', 'POST', `/api/cases/:id/confirm`, () => `{"note":${LONE}}`],
    ['token name', 'POST', '/api/admin/tokens', () => `{"name":${LONE},"role":"worker"}`],
    [
      'fine offence',
      'POST',
      '/api/admin/fines',
      () =>
        `{"offence":${LONE},"vehicleGroup":"car","description":"x","legalBasis":"x","article":"x","fineMin":1,"fineMax":2,"points":1,"effectiveFrom":"2031-01-01"}`,
    ],
    ['agency name', 'POST', '/api/admin/agencies', () => `{"code":"X-1","name":${LONE},"kind":"traffic_police","provinceCode":"01"}`],
    ['login username', 'POST', '/api/auth/login', () => `{"username":${LONE},"password":"x"}`],
  ];
  for (const [name, method, url, body] of cases) {
    it(`a lone surrogate in the ${name} is a 400 invalid_characters and changes nothing`, async () => {
      const before = await tableState();
      const who = url.startsWith('/api/admin') ? tokens.admin1! : tokens.officer1!;
      const res = await h.app.inject({
        method: method as 'POST',
        url: url.replace(':id', caseId),
        headers: { ...bearer(who), 'content-type': 'application/json' },
        payload: body(),
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_characters' });
      expect(await tableState()).toBe(before);
    });
  }

  it('text is stored in NFC; passwords are kept as typed', async () => {
    const nfd = 'Trạm Cái Bè'.normalize('NFD');
    const res = await h.app.inject({ method: 'POST', url: '/api/admin/tokens', headers: bearer(tokens.admin1!), payload: { name: nfd, role: 'worker' } });
    expect(res.statusCode).toBe(201);
    const row = await h.db.pool.query<{ name: string }>('SELECT name FROM api_tokens WHERE id = $1', [(res.json() as { id: string }).id]);
    expect(row.rows[0]!.name).toBe('Trạm Cái Bè'.normalize('NFC'));
    expect(row.rows[0]!.name).not.toBe(nfd);
    const body = { username: 'x', password: nfd, nested: [{ a: nfd }] };
    normaliseText(body);
    expect(body.password).toBe(nfd);
    expect(body.nested[0]!.a).toBe(nfd.normalize('NFC'));
  });

  it('inputProblem finds surrogates, NUL and non-finite numbers at any depth', () => {
    let deep: unknown = 'ok';
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(inputProblem(deep)).toBeNull();
    expect(inputProblem({ a: [{ b: 'x\ud83d' }] })).toBe('surrogate');
    expect(inputProblem({ a: '\ud83d\ude00' })).toBeNull();
    expect(inputProblem({ a: 'x\u0000' })).toBe('nul');
    expect(inputProblem({ a: [1, Infinity] })).toBe('number');
    expect(inputProblem({ a: 2 ** 60 })).toBe('number');
  });
});

describe('slow requests (item 9)', () => {
  /** Opens a raw connection, sends `head`, then one byte every 200 ms; resolves with what the server answered once it closes. */
  function trickle(port: number, head: string, limitMs: number): Promise<{ closed: boolean; answer: string }> {
    return new Promise((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let answer = '';
      let timer: NodeJS.Timeout | undefined;
      const give = setTimeout(() => {
        clearInterval(timer);
        sock.destroy();
        resolve({ closed: false, answer });
      }, limitMs);
      sock.on('data', (d) => (answer += d.toString()));
      sock.on('error', () => undefined);
      sock.on('close', () => {
        clearTimeout(give);
        clearInterval(timer);
        resolve({ closed: true, answer });
      });
      sock.on('connect', () => {
        sock.write(head);
        timer = setInterval(() => {
          if (!sock.destroyed) sock.write('a');
        }, 200);
      });
    });
  }

  it('a body or headers trickled byte by byte are cut off at the request timeout', async () => {
    const app = await buildApp({ ...h.deps, options: { ...h.deps.options, requestTimeoutMs: 1500, headersTimeoutMs: 1000, idleTimeoutMs: 10_000 } });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      const body = await trickle(port, 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', 10_000);
      expect(body.closed).toBe(true);
      expect(body.answer).toMatch(/^HTTP\/1\.1 408|^$/);
      const headers = await trickle(port, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ', 10_000);
      expect(headers.closed).toBe(true);
      // The server still answers.
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('the defaults bound every request', async () => {
    const app = await buildApp(h.deps);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      expect(app.server.requestTimeout).toBeGreaterThan(0);
      expect(app.server.requestTimeout).toBeLessThanOrEqual(60_000);
      expect(app.server.headersTimeout).toBeLessThanOrEqual(10_000);
      expect(app.server.timeout).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
