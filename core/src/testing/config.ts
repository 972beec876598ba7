// Config for tests: real local services, with a queue prefix and bucket prefix unique to this call so
// test files running in parallel (and engineers running suites at once) never see each other's data.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3AddressFromUrl, type Config, type S3Config } from '../config';
import { adminUrl } from './database';

export interface TestConfigOverrides extends Partial<Omit<Config, 's3'>> {
  s3?: Partial<S3Config>;
}

/** A short random id usable in bucket names (lowercase letters and digits). */
export function uniqueId(length = 8): string {
  return randomBytes(16)
    .toString('hex')
    .replace(/[^a-z0-9]/g, '')
    .slice(0, length);
}

export function testConfig(overrides: TestConfigOverrides = {}): Config {
  const id = uniqueId();
  const dataDir = overrides.dataDir ?? join(tmpdir(), `phatnguoi-test-${id}`);
  const { s3: s3Overrides, ...rest } = overrides;
  return {
    env: 'test',
    databaseUrl: adminUrl(),
    redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: `pn-test-${id}`,
    dataDir,
    frameRingDir: join(dataDir, 'frame-ring'),
    logLevel: 'warn',
    nodeId: `test-${id}`,
    apiPort: 0,
    ...rest,
    s3: {
      ...s3AddressFromUrl(process.env.S3_ENDPOINT || 'http://127.0.0.1:9000'),
      accessKey: process.env.S3_ACCESS_KEY || 'S3RVER',
      secretKey: process.env.S3_SECRET_KEY || 'S3RVER',
      region: process.env.S3_REGION || 'us-east-1',
      bucketPrefix: `t${id}-`,
      ...s3Overrides,
    },
  };
}
