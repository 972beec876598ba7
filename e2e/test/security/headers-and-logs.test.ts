// Security headers (a content security policy on the UI), and what never reaches a log line: passwords,
// session tokens, owner names / phones / e-mails / id numbers from a registry import, and the credentials
// of a camera's stream URL. The app's own pino output is captured (logger on, destination = a stream).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@phatnguoi/core/logger';
import { createCamera } from '@phatnguoi/api/seed/demo';
import { runRegistryImport } from '@phatnguoi/api/services/registry';
import { captureStream, PASSWORD, startSecurityHarness, type SecurityHarness } from './harness';

let h: SecurityHarness;
beforeAll(async () => {
  h = await startSecurityHarness();
});
afterAll(async () => h?.close());

describe('security headers', () => {
  it('the UI (and its SPA fallback) is served with a content security policy and hardening headers', async () => {
    for (const url of ['/', '/officer/queue', '/citizen?plate=63A-123.45']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBeDefined();
      expect(res.headers['strict-transport-security'], url).toBeDefined();
      expect(res.headers['referrer-policy'], url).toBeDefined();
      expect(res.headers['x-powered-by'], url).toBeUndefined();
    }
  });

  it('api answers and errors carry the same headers; the session cookie is httpOnly and SameSite=Strict', async () => {
    for (const [method, url] of [
      ['GET', '/health'],
      ['GET', '/api/cases'],
      ['GET', '/api/no-such-route'],
      ['POST', '/api/public/lookup'],
    ] as const) {
      const res = await h.app.inject({ method, url, ...(method === 'POST' ? { payload: '{', headers: { 'content-type': 'application/json' } } : {}) });
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin1', password: PASSWORD } });
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
  });
});

describe('logs', () => {
  it('a login, a registry import with owner data and a camera with stream credentials leave no secret or personal data in the logs', async () => {
    const secrets: string[] = [];
    const start = h.logs.length;
    // 1. Logins: good and wrong passwords, in the body; the token sent back later as bearer and cookie.
    const good = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin1', password: PASSWORD } });
    expect(good.statusCode).toBe(200);
    const token = good.cookies.find((c) => c.name === 'pn_session')!.value;
    expect(good.body).not.toContain(token);
    secrets.push(PASSWORD, token);
    const wrongPassword = 'Sai-mật-khẩu-9876!';
    secrets.push(wrongPassword);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'no.such.user', password: wrongPassword } })).statusCode).toBe(
      401,
    );
    // a login that fails validation (password too long) must not echo the password either
    const longPassword = `TooLong-${'p'.repeat(300)}`;
    secrets.push(longPassword);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin1', password: longPassword } })).statusCode).toBe(400);
    // 2. Registry import: owner names, id numbers, phones, e-mails, addresses; one good row, one rejected row.
    const owners = [
      { name: 'Phạm Thị Bí Mật', id: '079123456789', phone: '0987654321', email: 'pham.bimat@example.vn', address: '99 Đường Bí Mật, Quận 1' },
      { name: 'Võ Văn Riêng Tư', id: '079987654321', phone: '0912345678', email: 'vo.riengtu@example.vn', address: '7 Hẻm Riêng Tư, Quận 3' },
    ];
    for (const o of owners) secrets.push(o.name, o.id, o.phone, o.email, o.address);
    const csv = [
      'plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone',
      `51G-777.88,white,car,Toyota,đen,${owners[0]!.name},${owners[0]!.id},"${owners[0]!.address}",79,Bến Nghé,${owners[0]!.email},${owners[0]!.phone}`,
      `51G-77X.88,purple,car,Kia,trắng,${owners[1]!.name},${owners[1]!.id},"${owners[1]!.address}",79,,${owners[1]!.email},${owners[1]!.phone}`,
    ].join('\n');
    const admin = { authorization: `Bearer ${token}` };
    const imported = await h.app.inject({
      method: 'POST',
      url: '/api/admin/registry/imports',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imported.statusCode, imported.body).toBe(202);
    // the background job's work, here in this process (this harness runs no workers)
    await runRegistryImport({ db: h.db.pool, storage: h.deps.storage!, clock: h.clock }, (imported.json() as { id: string }).id);
    // an officer looks the owner up (audited) and a citizen's lookup misses
    const officer = {
      token: (await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'officer.a', password: PASSWORD } })).cookies.find(
        (c) => c.name === 'pn_session',
      )!.value,
    };
    secrets.push(officer.token);
    const reg = await h.app.inject({ method: 'GET', url: '/api/registry/vehicles?plate=51G-777.88', headers: { authorization: `Bearer ${officer.token}` } });
    expect(reg.statusCode).toBe(200);
    expect(reg.body).toContain(owners[0]!.phone);
    // 3. A camera whose stream URL carries credentials: its status appears on the ops wall; the URL never in a log
    //    (nor in the wall's answer).
    const streamPassword = 'CamPass-Rtsp-4321';
    const cameraId = await createCamera(h.db.pool, { agencyId: h.ids.agencyA, name: 'Cam with credentials', address: 'Mỹ Tho' });
    await h.db.pool.query('UPDATE cameras SET stream_url = $2 WHERE id = $1', [
      cameraId,
      `rtsp://admin:${streamPassword}@10.20.30.40:554/Streaming/Channels/101`,
    ]);
    secrets.push(streamPassword);
    const stats = await h.app.inject({ method: 'GET', url: '/api/stats', headers: admin });
    expect(stats.statusCode).toBe(200);
    expect(stats.body).toContain(cameraId);
    expect(stats.body).not.toContain(streamPassword);
    // camera administration routes, where the app has them: never the stream credentials either
    for (const url of ['/api/cameras', '/api/cameras/:id']) {
      if (!h.app.routeTable.some((r) => r.method === 'GET' && r.url === url)) continue;
      const res = await h.app.inject({ method: 'GET', url: url.replace(':id', cameraId), headers: admin });
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body, url).not.toContain(streamPassword);
    }
    // the same credentials in a request URL (query) and in a forged header
    await h.app.inject({ method: 'GET', url: `/api/cases?source=${encodeURIComponent(`rtsp://admin:${streamPassword}@10.20.30.40/x`)}`, headers: admin });
    await h.app.inject({ method: 'GET', url: '/api/cases', headers: { authorization: `Bearer ${streamPassword}`, cookie: `pn_session=${token}` } });
    // 4. A library error carrying a connection string on the project's logger (what every role logs through).
    const roleLines: string[] = [];
    const roleLog = createLogger('security-test', { level: 'info', destination: captureStream(roleLines) });
    roleLog.error(
      {
        err: new Error(`connect failed: rtsp://admin:${streamPassword}@10.20.30.40/stream`),
        owner: { fullName: owners[0]!.name },
        password: PASSWORD,
        phone: 'n/a',
      },
      'camera unreachable',
    );
    roleLog.info(`connecting to postgres://pn:${streamPassword}@db:5432/pn`);

    const lines = [...h.logs.slice(start), ...roleLines];
    // the capture works: requests were logged, including the login and the import
    expect(lines.some((l) => l.includes('/api/auth/login'))).toBe(true);
    expect(lines.some((l) => l.includes('/api/admin/registry/imports'))).toBe(true);
    expect(lines.some((l) => l.includes('camera unreachable'))).toBe(true);
    // query values never reach the request log (only the parameter names)
    expect(lines.some((l) => l.includes('/api/cases?source=…'))).toBe(true);
    const text = lines.join('\n');
    for (const s of secrets) {
      expect(text.includes(s), `log output contains "${s.slice(0, 24)}"`).toBe(false);
      expect(text.includes(JSON.stringify(s).slice(1, -1)), `log output contains (escaped) "${s.slice(0, 24)}"`).toBe(false);
    }
  });
});
