// The api is a plugin: `buildApp(deps)` returns a ready-to-listen fastify instance; main.ts only listens,
// tests build the same app and call `app.inject`.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifySchema } from 'fastify';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import errors from './plugins/errors';
import { defaultOptions, type AppDeps, type ApiOptions } from './deps';
import type { Clock } from './clock';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import auth from './plugins/auth';
import inputChecks from './plugins/input';
import healthRoutes from './routes/public/health';
import lookupRoutes from './routes/public/lookup';
import authRoutes from './routes/auth';
import signInRoutes from './routes/sign-in';
import { SignIn } from './oidc';
import { SIGN_IN_OFF } from './oidc/settings';
import officerRoutes from './routes/officer';
import supervisorRoutes from './routes/supervisor';
import identificationRoutes from './routes/identification';
import outboxRoutes from './routes/outbox';
import deskRoutes from './routes/desk';
import opsRoutes from './routes/ops';
import adminRoutes from './routes/admin';
import cameraRoutes from './routes/cameras';
import workerRoutes from './routes/worker';
import metricsRoutes from './routes/metrics';
import reportRoutes from './routes/reports';
import paymentRoutes from './routes/payments';
import { createLogger, scrubSecrets } from '@phatnguoi/core/logger';
import { ForbiddenError } from '@phatnguoi/core/errors';
import { CameraStatusBoard } from './services/stats';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    opts: ApiOptions;
    clock: Clock;
    /** Latest camera status (ingest) and detector figures, fed by the ops routes' subscriptions; read by /metrics too. */
    cameraBoard: CameraStatusBoard;
    /** Sign-in through OpenID providers (staff and citizens): settings, clients, the staff session re-check. */
    signIn: SignIn;
    /** Every route as registered (method, url, schema): security tests walk it so no route is left out. */
    routeTable: { method: string; url: string; schema?: FastifySchema }[];
  }
}

/**
 * The request as logged: method, path (decoded, credentials scrubbed) and the names of the query parameters
 * only. Query values can carry anything a caller typed (stream URLs with passwords, percent-encoded past the
 * logger's scrubbing), so they never reach a log line.
 */
export function requestForLog(req: { method?: string; url?: string; host?: string; ip?: string }): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it encoded
  }
  const keys = q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1)).keys()].slice(0, 10).map((k) => scrubSecrets(k.slice(0, 40)));
  return {
    method: req.method,
    url: scrubSecrets(path.slice(0, 300)) + (keys.length ? `?${keys.map((k) => `${k}=…`).join('&')}` : ''),
    host: req.host,
    remoteAddress: req.ip,
  };
}

export { containsNul } from './plugins/input';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why a state-changing request is refused as cross-origin, or null: its Origin must be the api's own host
 * (the Host it was sent to) or one of `allowed`; without Origin, Sec-Fetch-Site must not say cross-site.
 */
export function crossOriginReason(
  origin: string | undefined,
  fetchSite: string | string[] | undefined,
  host: string,
  allowed: ReadonlySet<string>,
): string | null {
  if (origin === undefined) return fetchSite === 'cross-site' ? 'cross-site request refused' : null;
  if (origin === 'null') return 'requests from an opaque origin are refused';
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return 'the Origin header is not an origin';
  }
  if (!['http:', 'https:'].includes(u.protocol)) return 'requests from an opaque origin are refused';
  if (u.host === host.toLowerCase() || allowed.has(u.origin)) return null;
  return `requests from ${u.origin} are refused`;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const opts: ApiOptions = { ...defaultOptions, ...deps.options };
  // Request logs go through core's logger: the same redaction (passwords, tokens, owner data, URL credentials)
  // as every other role's lines.
  const level = opts.logLevel;
  const app = Fastify({
    ...(opts.logger
      ? {
          loggerInstance: createLogger('api', { level, ...(opts.logDestination ? { destination: opts.logDestination } : {}) }).child(
            {},
            { serializers: { req: requestForLog } },
          ) as FastifyBaseLogger,
        }
      : { logger: false }),
    bodyLimit: opts.bodyLimit,
    // A request must be complete (headers and body) within requestTimeoutMs: a body trickled a byte at a time
    // cannot hold a connection open. Idle connections close after idleTimeoutMs. Node checks the deadlines
    // every connectionsCheckingInterval.
    requestTimeout: opts.requestTimeoutMs,
    connectionTimeout: opts.idleTimeoutMs,
    http: {
      headersTimeout: Math.min(opts.headersTimeoutMs, opts.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(100, Math.min(5000, Math.floor(Math.min(opts.headersTimeoutMs, opts.requestTimeoutMs) / 2))),
    },
    genReqId: () => randomUUID(),
    // Only the configured proxies' forwarded headers are believed (none by default): request.ip, and so every
    // rate limit, is the real client, not whatever X-Forwarded-For a caller sends.
    trustProxy: opts.trustProxy.length > 0 ? opts.trustProxy : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  app.decorate('deps', deps);
  app.decorate('opts', opts);
  app.decorate('clock', deps.clock);
  app.decorate('cameraBoard', new CameraStatusBoard());
  app.decorate('signIn', new SignIn(deps.signIn ?? SIGN_IN_OFF, opts.publicBaseUrl, deps.db, deps.clock));
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, ...(route.schema ? { schema: route.schema } : {}) });
  });

  await app.register(errors);
  if (opts.exposePid) {
    // On the raw response, so it is also sent on hijacked replies (the live stats stream).
    app.addHook('onRequest', async (_req, reply) => {
      reply.raw.setHeader('x-api-pid', String(process.pid));
    });
  }
  // A browser names the page that sent a state-changing request in Origin (and Sec-Fetch-Site): one from another
  // site is refused before anything else runs, whatever cookie it carries. Clients that are not browsers send neither.
  const ownOrigins = new Set([...opts.allowedOrigins, new URL(opts.publicBaseUrl).origin]);
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    const why = crossOriginReason(request.headers.origin, request.headers['sec-fetch-site'], request.host, ownOrigins);
    if (why) throw new ForbiddenError(why, 'bad_origin');
  });
  // NUL characters, lone surrogates and non-finite numbers are refused (400) before any handler; text is NFC.
  await app.register(inputChecks);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'http:', 'https:'],
        mediaSrc: ["'self'", 'blob:', 'http:', 'https:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
  });
  await app.register(cookie);
  await app.register(auth);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Phạt nguội back-office API', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: ['public', 'auth', 'officer', 'supervisor', 'ops', 'admin', 'worker'].map((name) => ({ name })),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(metricsRoutes);

  // One folder (plugin) per audience; each adds its own role hook.
  await app.register(healthRoutes);
  await app.register(lookupRoutes);
  await app.register(authRoutes);
  await app.register(signInRoutes);
  await app.register(officerRoutes);
  await app.register(supervisorRoutes);
  await app.register(identificationRoutes);
  await app.register(outboxRoutes);
  await app.register(deskRoutes);
  await app.register(opsRoutes);
  await app.register(adminRoutes);
  await app.register(cameraRoutes);
  await app.register(workerRoutes);
  await app.register(reportRoutes);
  await app.register(paymentRoutes);

  const spa = existsSync(opts.uiDir);
  if (spa) await app.register(fastifyStatic, { root: opts.uiDir, prefix: '/', wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // SPA fallback: unknown GETs outside the api paths get the UI's index.html.
    if (spa && request.method === 'GET' && !path.startsWith('/api/') && !path.startsWith('/docs') && path !== '/metrics') {
      return reply.sendFile('index.html');
    }
    return reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${path}`, requestId: request.id });
  });
  return app;
}
