// Taking access away (issue 22, item 11): deactivating a user ends their sessions, sessions and worker tokens can
// be revoked, each audited; the fine schedule takes only the offences cases know.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, PASSWORD, startHarness, type Harness } from '../helpers';

let h: Harness;
let admin = '';
beforeAll(async () => {
  h = await startHarness();
  admin = await loginAs(h.app, 'admin1');
});
afterAll(async () => h?.close());

const audit = async (action: string) => (await h.db.pool.query('SELECT entity_id, data FROM audit_log WHERE action = $1 ORDER BY seq', [action])).rows;

describe('users, sessions and tokens (item 11)', () => {
  it('deactivating a user ends their sessions now and refuses their sign-in; activating lets them sign in again', async () => {
    const id = h.ids.users.officer2!;
    const s1 = await loginAs(h.app, 'officer2');
    const s2 = await loginAs(h.app, 'officer2');
    expect((await h.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(s1) })).statusCode).toBe(200);
    const off = await h.app.inject({ method: 'POST', url: `/api/admin/users/${id}/deactivate`, headers: bearer(admin) });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toEqual({ id, active: false, sessionsRevoked: 2 });
    for (const s of [s1, s2]) expect((await h.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(s) })).statusCode).toBe(401);
    const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'officer2', password: PASSWORD } });
    expect(login.statusCode).toBe(401);
    const list = (await h.app.inject({ method: 'GET', url: '/api/admin/users', headers: bearer(admin) })).json() as {
      items: { id: string; active: boolean }[];
    };
    expect(list.items.find((u) => u.id === id)!.active).toBe(false);
    expect(await audit('user.deactivated')).toEqual([{ entity_id: id, data: { username: 'officer2', wasActive: true, sessionsRevoked: 2 } }]);
    expect((await h.app.inject({ method: 'POST', url: `/api/admin/users/${id}/activate`, headers: bearer(admin) })).json()).toEqual({
      id,
      active: true,
      sessionsRevoked: 0,
    });
    expect(await loginAs(h.app, 'officer2')).toBeTruthy();
    expect(await audit('user.activated')).toHaveLength(1);
  });

  it('an admin cannot deactivate themself; unknown users are 404; only admins may do it', async () => {
    const self = await h.app.inject({ method: 'POST', url: `/api/admin/users/${h.ids.users.admin1}/deactivate`, headers: bearer(admin) });
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({ error: 'cannot_deactivate_self' });
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/admin/users/00000000-0000-4000-8000-000000000000/deactivate', headers: bearer(admin) })).statusCode,
    ).toBe(404);
    const sup = await loginAs(h.app, 'super1');
    expect((await h.app.inject({ method: 'POST', url: `/api/admin/users/${h.ids.users.officer1}/deactivate`, headers: bearer(sup) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(sup) })).statusCode).toBe(200);
  });

  it("revoking a user's sessions signs them out everywhere but leaves the account usable", async () => {
    const s = await loginAs(h.app, 'officer1');
    const res = await h.app.inject({ method: 'POST', url: `/api/admin/users/${h.ids.users.officer1}/sessions/revoke`, headers: bearer(admin) });
    expect(res.json()).toMatchObject({ active: true });
    expect((res.json() as { sessionsRevoked: number }).sessionsRevoked).toBeGreaterThanOrEqual(1);
    expect((await h.app.inject({ method: 'GET', url: '/api/cases', headers: bearer(s) })).statusCode).toBe(401);
    expect(await loginAs(h.app, 'officer1')).toBeTruthy();
    expect(await audit('user.sessions_revoked')).toHaveLength(1);
  });

  it('a revoked worker token is refused at once; the list never shows a token', async () => {
    const created = (
      await h.app.inject({ method: 'POST', url: '/api/admin/tokens', headers: bearer(admin), payload: { name: 'detector-7', role: 'worker' } })
    ).json() as { id: string; token: string };
    const post = () => h.app.inject({ method: 'POST', url: '/api/worker/violations', headers: bearer(created.token), payload: { nope: 1 } });
    expect((await post()).statusCode).toBe(400);
    const list = await h.app.inject({ method: 'GET', url: '/api/admin/tokens', headers: bearer(admin) });
    expect(list.body).not.toContain(created.token);
    expect((list.json() as { items: { id: string; revokedAt: string | null; createdBy: string }[] }).items.find((t) => t.id === created.id)).toMatchObject({
      revokedAt: null,
      createdBy: 'admin1',
    });
    const rev = await h.app.inject({ method: 'POST', url: `/api/admin/tokens/${created.id}/revoke`, headers: bearer(admin) });
    expect(rev.statusCode).toBe(200);
    expect((await post()).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: `/api/admin/tokens/${created.id}/revoke`, headers: bearer(admin) })).statusCode).toBe(409);
    expect(await audit('token.revoked')).toEqual([{ entity_id: created.id, data: { name: 'detector-7' } }]);
  });
});

describe('fine schedule (item 11)', () => {
  it('an offence the cases do not know is refused and nothing is stored', async () => {
    const before = (await h.db.pool.query('SELECT count(*)::int AS n FROM fine_schedule')).rows[0].n as number;
    for (const offence of ["'; DROP TABLE cases;--", 'red_light_typo']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/admin/fines',
        headers: bearer(admin),
        payload: {
          offence,
          vehicleGroup: 'car',
          description: 'x',
          legalBasis: 'x',
          article: 'x',
          fineMin: 1,
          fineMax: 2,
          points: 0,
          effectiveFrom: '2031-01-01',
        },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: 'unknown_offence' });
    }
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM fine_schedule')).rows[0].n).toBe(before);
    const known = (await h.db.pool.query<{ offence: string }>('SELECT offence FROM violation_offences LIMIT 1')).rows[0]!.offence;
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/admin/fines',
      headers: bearer(admin),
      payload: {
        offence: known,
        vehicleGroup: 'car',
        description: 'x',
        legalBasis: 'x',
        article: 'x',
        fineMin: 1,
        fineMax: 2,
        points: 0,
        effectiveFrom: '2031-01-01',
      },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });
});
