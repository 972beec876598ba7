import { defineConfig } from 'vitest/config';

// Pure tests only (rules, tracking, geometry, signal, plates, deadlines, simulator truth and scoring, UI models):
// no PostgreSQL, Redis, S3, ffmpeg or browser. `npm run test:unit`; `npm test` runs these and everything else.
export default defineConfig({
  test: {
    include: [
      'core/test/{backoff,config,logger,ground-calibration,boundaries,camera-secrets}.test.ts',
      'core/test/plates/**/*.test.ts',
      'detector/test/{rules,tracking,geometry,signal,plates}/**/*.test.ts',
      'detector/test/models/{decode,metrics}.test.ts',
      'api/test/{domain,reports-domain,oidc-claims}.test.ts',
      'sim/test/{eval,violations,speed-scenes}.test.ts',
      'review-ui/test/{unit,calibration-model,api-error-texts}.test.ts',
    ],
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    reporters: ['default'],
  },
});
