// The api's job workers as their own process (scale separately from the HTTP api): `tsx api/src/worker.ts`.
import { loadConfig } from '@phatnguoi/core/config';
import { createLogger } from '@phatnguoi/core/logger';
import { createRuntime } from './runtime';
import { loadApiSettings } from './settings';

const log = createLogger('api-worker');
const config = loadConfig();
const runtime = await createRuntime(config, loadApiSettings(config), { workers: true });
log.info('api workers running');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(
    signal,
    () =>
      void runtime.close().then(
        () => process.exit(0),
        () => process.exit(1),
      ),
  );
}
