import { defineConfig } from 'vitest/config';

// Fault tests (`npm run test:faults`): a private stack per run (own redis-server, PostgreSQL cluster and
// s3rver, killed and restarted by the tests), so they never touch the shared servers. Minutes long;
// excluded from `npm test`.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/test/faults/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
