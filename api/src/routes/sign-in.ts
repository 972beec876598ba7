// Sign-in through OpenID providers. Public: which ways of signing in exist, and for staff and citizens each the
// start (302 to the provider) and the callback (302 back to the UI, with a session cookie or ?error=<code>).
// Citizen session (pn_citizen cookie): the citizen's own vehicles and cases, a response, sign-out.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteApp } from './route-app';
import rateLimit from '@fastify/rate-limit';
import { ErrorResponse, IdParams, OkResponse } from '@phatnguoi/core/contracts/api/common';
import { CallbackQuery, CitizenOverview, CitizenResponseRequest, LogoutResponse, SignInOptions } from '@phatnguoi/core/contracts/api/sign-in';
import { NotFoundError, UnauthorizedError, isUserError } from '@phatnguoi/core/errors';
import { SESSION_COOKIE } from '../plugins/auth';
import { PublicDirectory } from '../services/public-directory';
import type { OidcClient, ProviderTokens } from '../oidc/client';
import { refusalOf } from '../oidc/client';
import { LOGIN_STATE_SECONDS, SignInRefused, saveLoginState, stateCookie, takeLoginState, type Audience } from '../oidc/login-state';
import { auditRefusal, staffSignIn } from '../oidc/staff';
import { CITIZEN_COOKIE, citizenOf, citizenOverview, citizenSignIn, endCitizenSession, recordCitizenResponse, type Citizen } from '../oidc/citizen';

/** Where each audience lands after the callback, and where a refusal is explained. */
const LANDING: Record<Audience, { ok: string; refused: string; callback: string }> = {
  staff: { ok: '/', refused: '/login', callback: '/api/auth/oidc/callback' },
  citizen: { ok: '/cong-dan', refused: '/cong-dan', callback: '/api/citizen/oidc/callback' },
};

declare module 'fastify' {
  interface FastifyRequest {
    citizen: Citizen | null;
  }
}

export default async function signInRoutes(app: RouteApp): Promise<void> {
  const { db } = app.deps;
  const signIn = app.signIn;
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
  const clientOf = (audience: Audience): OidcClient => {
    const c = audience === 'staff' ? signIn.staff : signIn.citizen;
    if (!c)
      throw new NotFoundError(`sign-in through an identity provider is not configured for ${audience === 'staff' ? 'staff' : 'citizens'}`, 'not_configured');
    return c;
  };
  const cookieBase = (req: FastifyRequest) => ({ httpOnly: true, path: '/', secure: req.protocol === 'https' });

  app.get('/api/auth/options', { schema: { tags: ['public'], response: { 200: SignInOptions } } }, async () => ({
    staffProvider: !!signIn.staff,
    local: signIn.settings.local.mode,
    citizenProvider: !!signIn.citizen,
  }));

  await app.register(async (flow: RouteApp) => {
    // Each start writes a row: limited per address like the password sign-in.
    await flow.register(rateLimit, {
      max: app.opts.loginRatePerMinute,
      timeWindow: '1 minute',
      redis: app.deps.redis,
      nameSpace: `${app.opts.rateLimitNamespace}oidc:`,
    });
    for (const audience of ['staff', 'citizen'] as const) {
      const base = audience === 'staff' ? '/api/auth/oidc' : '/api/citizen/oidc';
      flow.get(`${base}/start`, { schema: { tags: ['public'], response: { 404: ErrorResponse } } }, async (req, reply) => {
        const client = clientOf(audience);
        // A full-page navigation: a provider that cannot be reached is explained on the sign-in page, not as JSON.
        const started = await client.startLogin().catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'provider_unavailable') throw err;
          req.log.warn({ err }, `${audience} identity provider not reachable`);
          return null;
        });
        if (!started) return reply.redirect(`${LANDING[audience].refused}?error=provider_unavailable`, 302);
        const { url, checks } = started;
        await saveLoginState(db, app.clock, audience, checks);
        // SameSite=Lax: the provider's redirect back is a top-level cross-site navigation that must carry it.
        void reply.setCookie(stateCookie(audience), checks.state, { ...cookieBase(req), sameSite: 'lax', maxAge: LOGIN_STATE_SECONDS });
        return reply.redirect(url, 302);
      });
      flow.get(LANDING[audience].callback, { schema: { tags: ['public'], querystring: CallbackQuery } }, async (req, reply) => {
        return finishCallback(audience, req, req.query, reply);
      });
    }
  });

  async function finishCallback(audience: Audience, req: FastifyRequest, query: CallbackQuery, reply: FastifyReply) {
    const client = clientOf(audience);
    const cookieState = req.cookies[stateCookie(audience)];
    void reply.clearCookie(stateCookie(audience), { path: '/' });
    const action = audience === 'staff' ? 'auth.oidc.refused' : 'citizen.refused';
    const refused = (code: string) => reply.redirect(`${LANDING[audience].refused}?error=${encodeURIComponent(code)}`, 302);
    let tokens: ProviderTokens;
    try {
      const checks = await takeLoginState(db, app.clock, audience, query.state, cookieState);
      if (query.error) throw new SignInRefused('provider_error', 'the provider did not sign the user in', { error: query.error });
      const q = req.url.indexOf('?');
      tokens = await client.finishLogin(q < 0 ? '' : req.url.slice(q + 1), checks);
    } catch (err) {
      if (isUserError(err) && !(err instanceof SignInRefused)) throw err;
      // The state refused, the provider's error, or the token refused by the client library (signature, audience,
      // nonce, issuer, expiry, a used or stolen code): audited with the library's reason, never the token itself.
      const reason = err instanceof SignInRefused ? err.code : 'token_refused';
      if ((err as { code?: string }).code === 'provider_unavailable') return refused('provider_unavailable');
      await auditRefusal(db, app.clock, action, client.issuer, null, { reason, ...(err instanceof SignInRefused ? err.facts : refusalOf(err)) });
      req.log.warn({ reason, why: refusalOf(err) }, `${audience} sign-in refused`);
      return refused(reason);
    }
    try {
      if (audience === 'staff') {
        const out = await staffSignIn(db, app.clock, signIn.settings.staff!, tokens, { ttlSeconds: app.opts.sessionTtlSeconds });
        void reply.setCookie(SESSION_COOKIE, out.token, { ...cookieBase(req), sameSite: 'strict', expires: out.expiresAt });
      } else {
        const out = await citizenSignIn(db, app.clock, signIn.settings.citizen!, tokens);
        void reply.setCookie(CITIZEN_COOKIE, out.token, { ...cookieBase(req), sameSite: 'strict', expires: out.expiresAt });
      }
    } catch (err) {
      if (err instanceof SignInRefused) return refused(err.code);
      throw err;
    }
    return reply.redirect(LANDING[audience].ok, 302);
  }

  // The signed-in citizen's own pages; every query starts from the session's identity number.
  const dir = new PublicDirectory(db);
  await app.register(async (citizen: RouteApp) => {
    citizen.decorateRequest('citizen', null);
    citizen.addHook('onRequest', async (req) => {
      const c = await citizenOf(db, app.clock, req.cookies[CITIZEN_COOKIE]);
      if (!c) throw new UnauthorizedError('sign in as a citizen first');
      req.citizen = c;
    });
    const me = (req: FastifyRequest) => req.citizen!;
    citizen.get('/api/citizen/me', { schema: { tags: ['public'], response: { 200: CitizenOverview, ...errors } } }, async (req) =>
      citizenOverview(db, app.clock, app.deps.storage, dir, me(req)),
    );
    citizen.post(
      '/api/citizen/cases/:id/responses',
      { schema: { tags: ['public'], params: IdParams, body: CitizenResponseRequest, response: { 200: OkResponse, ...errors } } },
      async (req) => {
        await recordCitizenResponse(db, app.clock, me(req), req.params.id, req.body);
        return { ok: true as const };
      },
    );
    citizen.post('/api/citizen/logout', { schema: { tags: ['public'], response: { 200: LogoutResponse, ...errors } } }, async (req, reply) => {
      const c = me(req);
      await endCitizenSession(db, app.clock, c);
      void reply.clearCookie(CITIZEN_COOKIE, { path: '/' });
      const endSessionUrl = signIn.citizen ? await signIn.citizen.endSessionUrl(c.idToken, `${signIn.publicBaseUrl.replace(/\/$/, '')}/cong-dan`) : null;
      return { ok: true as const, endSessionUrl };
    });
  });
}
