// Public: login and logout. Any signed-in user: who am I.
import type { RouteApp } from './route-app';
import rateLimit from '@fastify/rate-limit';
import { LoginRequest, LoginResponse, UserSummary } from '@phatnguoi/core/contracts/api/auth';
import { ErrorResponse } from '@phatnguoi/core/contracts/api/common';
import { LogoutResponse } from '@phatnguoi/core/contracts/api/sign-in';
import { ForbiddenError } from '@phatnguoi/core/errors';
import { localSignInAllowed } from '../oidc/settings';
import { login, logout, TooManyAttemptsError, userSummary } from '../services/auth';
import { DEFAULT_LIMITS, LoginThrottle } from '../services/login-throttle';
import { requireRoles, SESSION_COOKIE, userOf } from '../plugins/auth';

export default async function authRoutes(app: RouteApp): Promise<void> {
  const o = app.opts;
  const throttle = new LoginThrottle(app.deps.redis, `${o.rateLimitNamespace}login-fail:`, {
    ...DEFAULT_LIMITS,
    pairThreshold: o.lockoutThreshold,
    maxBackoffMs: o.lockoutSeconds * 1000,
    ...(o.loginBackoffBaseMs !== undefined ? { baseBackoffMs: o.loginBackoffBaseMs } : {}),
    ...(o.loginNameThreshold !== undefined ? { nameThreshold: o.loginNameThreshold } : {}),
  });
  await app.register(async (pub: RouteApp) => {
    await pub.register(rateLimit, {
      max: app.opts.loginRatePerMinute,
      timeWindow: '1 minute',
      redis: app.deps.redis,
      nameSpace: `${app.opts.rateLimitNamespace}login:`,
    });
    pub.post(
      '/api/auth/login',
      {
        schema: { tags: ['public'], body: LoginRequest, response: { 200: LoginResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse } },
      },
      async (req, reply) => {
        if (!localSignInAllowed(app.signIn.settings, req.body.username)) {
          throw new ForbiddenError('password sign-in is switched off; sign in through the identity provider', 'local_login_disabled');
        }
        const out = await login(app.deps.db, app.clock, req.body.username, req.body.password, {
          ttlSeconds: o.sessionTtlSeconds,
          throttle,
          address: req.ip,
          onAuditError: (err) => req.log.error({ err }, 'failed sign-in not audited'),
        }).catch((err: unknown) => {
          if (err instanceof TooManyAttemptsError) void reply.header('retry-after', String(err.retryAfterSeconds));
          throw err;
        });
        void reply.setCookie(SESSION_COOKIE, out.token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: req.protocol === 'https',
          expires: out.expiresAt,
        });
        return { expiresAt: out.expiresAt.toISOString(), user: out.user };
      },
    );
    pub.post('/api/auth/logout', { schema: { tags: ['public'], response: { 200: LogoutResponse } } }, async (req, reply) => {
      const h = req.headers.authorization;
      const token = h?.startsWith('Bearer ') ? h.slice(7) : req.cookies[SESSION_COOKIE];
      const ended = token ? await logout(app.deps.db, app.clock, token) : null;
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      // A provider session: its refresh token revoked there, and the browser sent on to the provider's end session.
      const staff = app.signIn.staff;
      if (!ended?.idpIssuer || !staff || staff.issuer !== ended.idpIssuer) return { ok: true as const, endSessionUrl: null };
      if (ended.refreshToken)
        await staff.revoke(ended.refreshToken).catch((err: unknown) => req.log.warn({ err }, 'refresh token not revoked at the provider'));
      return { ok: true as const, endSessionUrl: await staff.endSessionUrl(ended.idToken, `${app.signIn.publicBaseUrl.replace(/\/$/, '')}/login`) };
    });
  });
  await app.register(async (any: RouteApp) => {
    any.addHook('onRequest', requireRoles('officer', 'supervisor', 'operator', 'admin'));
    any.get('/api/auth/me', { schema: { tags: ['auth'], response: { 200: UserSummary } } }, async (req) => {
      return userSummary(app.deps.db, userOf(req));
    });
  });
}
