// Builds the app from the environment and listens on API_PORT (default 8080).
// With API_WORKERS unset or 1, this process also runs the api's BullMQ workers (case creation,
// delivery, legal clock); set API_WORKERS=0 to run them separately with `tsx api/src/worker.ts`.
import { loadConfig } from '@phatnguoi/core/config';
import { createLogger } from '@phatnguoi/core/logger';
import { createRuntime } from './runtime';
import { buildApp } from './app';

const log = createLogger('api');
const config = loadConfig();
const runtime = await createRuntime(config, { workers: process.env.API_WORKERS !== '0' });
const app = await buildApp({ ...runtime.deps, options: { ...runtime.deps.options, logger: true } });
const port = Number(process.env.API_PORT ?? 8080);
const host = process.env.API_HOST ?? '0.0.0.0';
await app.listen({ port, host });
log.info({ port }, 'api listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    void app.close().then(() => runtime.close()).then(() => process.exit(0), () => process.exit(1));
  });
}
