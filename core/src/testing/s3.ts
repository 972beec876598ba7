// An S3 endpoint for a test file: the one in S3_ENDPOINT when set (e.g. MinIO in CI), otherwise an s3rver
// started on a free loopback port with its data in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3AddressFromUrl, type S3Config } from '../config';
import { startEmbeddedS3 } from '../embedded/s3';

export interface TestS3 {
  endpoint: string;
  /** Pass as `testConfig({ s3: testS3.s3 })`; testConfig adds a unique bucket prefix. */
  s3: Omit<S3Config, 'bucketPrefix'>;
  stop(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const external = process.env.S3_ENDPOINT;
  if (external) {
    return {
      endpoint: external,
      s3: {
        ...s3AddressFromUrl(external),
        accessKey: process.env.S3_ACCESS_KEY || 'minioadmin',
        secretKey: process.env.S3_SECRET_KEY || 'minioadmin',
        region: process.env.S3_REGION || 'us-east-1',
      },
      async stop() {},
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'phatnguoi-s3-'));
  const server = await startEmbeddedS3({ dir });
  return {
    endpoint: server.endpoint,
    s3: server.s3,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
