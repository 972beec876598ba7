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
import { systemClock, type Clock } from './clock';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import auth from './plugins/auth';
import healthRoutes from './routes/public/health';
import lookupRoutes from './routes/public/lookup';
import authRoutes from './routes/auth';
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
import { createLogger, scrubSecrets } from '@phatnguoi/core/logger';
import { CameraStatusBoard } from './services/stats';
import { UserError } from '@phatnguoi/core/errors';
import type { LogLevel } from '@phatnguoi/core/config';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    opts: ApiOptions;
    clock: Clock;
    /** Latest camera status (ingest) and detector figures, fed by the ops routes' subscriptions; read by /metrics too. */
    cameraBoard: CameraStatusBoard;
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
  return { method: req.method, url: scrubSecrets(path.slice(0, 300)) + (keys.length ? `?${keys.map((k) => `${k}=…`).join('&')}` : ''), host: req.host, remoteAddress: req.ip };
}

/** Whether any string (key or value) inside a parsed request part contains U+0000; iterative, so deep nesting is safe. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const opts: ApiOptions = { ...defaultOptions, ...deps.options };
  // Request logs go through core's logger: the same redaction (passwords, tokens, owner data, URL credentials)
  // as every other role's lines.
  const level = (process.env.LOG_LEVEL ?? 'info') as LogLevel;
  const app = Fastify({
    ...(opts.logger ? {
      loggerInstance: createLogger('api', { level, ...(opts.logDestination ? { destination: opts.logDestination } : {}) })
        .child({}, { serializers: { req: requestForLog } }) as FastifyBaseLogger,
    } : { logger: false }),
    bodyLimit: opts.bodyLimit,
    genReqId: () => randomUUID(),
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  app.decorate('deps', deps);
  app.decorate('opts', opts);
  app.decorate('clock', deps.clock ?? systemClock);
  app.decorate('cameraBoard', new CameraStatusBoard());
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, ...(route.schema ? { schema: route.schema } : {}) });
  });

  await app.register(errors);
  // PostgreSQL text cannot hold U+0000: refuse it with a clear 400 before it reaches a query (it failed there as a 500).
  app.addHook('preHandler', async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      throw new UserError('invalid_characters', 'the request contains a NUL character (U+0000)');
    }
  });
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
  await app.register(officerRoutes);
  await app.register(supervisorRoutes);
  await app.register(identificationRoutes);
  await app.register(outboxRoutes);
  await app.register(deskRoutes);
  await app.register(opsRoutes);
  await app.register(adminRoutes);
  await app.register(cameraRoutes);
  await app.register(workerRoutes);

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
