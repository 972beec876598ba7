// The api is a plugin: `buildApp(deps)` returns a ready-to-listen fastify instance; main.ts only listens,
// tests build the same app and call `app.inject`.
import Fastify, { type FastifyInstance } from 'fastify';
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
import opsRoutes from './routes/ops';
import adminRoutes from './routes/admin';
import workerRoutes from './routes/worker';
import metricsRoutes from './routes/metrics';

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    opts: ApiOptions;
    clock: Clock;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const opts: ApiOptions = { ...defaultOptions, ...deps.options };
  const app = Fastify({
    logger: opts.logger ? { level: process.env.LOG_LEVEL ?? 'info', redact: ['req.headers.authorization', 'req.headers.cookie'] } : false,
    bodyLimit: opts.bodyLimit,
    genReqId: () => randomUUID(),
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  app.decorate('deps', deps);
  app.decorate('opts', opts);
  app.decorate('clock', deps.clock ?? systemClock);

  await app.register(errors);
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
  await app.register(opsRoutes);
  await app.register(adminRoutes);
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
