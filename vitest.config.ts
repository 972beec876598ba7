import { defineConfig } from 'vitest/config';

// One test run for every workspace. Tests talk to real services (PostgreSQL, Redis, S3 endpoint,
// ffmpeg, Chromium); each file isolates itself (own database cloned from a template, own queue prefix).
export default defineConfig({
  test: {
    include: ['{core,ingest,detector,api,review-ui,models,sim,e2e,stack}/test/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'e2e/test/faults/**'],
    // Migrates the template database once; test files clone it (core/src/testing/database.ts).
    globalSetup: ['core/src/testing/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
