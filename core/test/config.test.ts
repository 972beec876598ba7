import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envReader, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('gives working development defaults with no configuration at all', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.databaseUrl).toMatch(/^postgres:\/\//);
    expect(c.redisUrl).toMatch(/^redis:\/\//);
    expect(c.s3).toMatchObject({ endPoint: '127.0.0.1', port: 9000, useSSL: false, bucketPrefix: 'phatnguoi-' });
    expect(c.queuePrefix).toBe('phatnguoi-development');
    expect(c.apiPort).toBe(8080);
  });

  it('parses every setting', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://app:pw@db:5432/phatnguoi',
      REDIS_URL: 'rediss://cache:6380',
      S3_ENDPOINT: 'https://minio.internal',
      S3_ACCESS_KEY: 'ak',
      S3_SECRET_KEY: 'sk',
      S3_REGION: 'ap-southeast-1',
      S3_BUCKET_PREFIX: 'tg-',
      S3_PUBLIC_URL: 'https://files.example.vn',
      QUEUE_PREFIX: 'tg-prod',
      DATA_DIR: '/var/lib/pn',
      FRAME_RING_DIR: '/dev/shm/frames',
      LOG_LEVEL: 'debug',
      NODE_ID: 'node-7',
      API_PORT: '9090',
    });
    expect(c).toMatchObject({
      env: 'production',
      databaseUrl: 'postgresql://app:pw@db:5432/phatnguoi',
      redisUrl: 'rediss://cache:6380',
      s3: {
        endPoint: 'minio.internal',
        port: 443,
        useSSL: true,
        accessKey: 'ak',
        secretKey: 'sk',
        region: 'ap-southeast-1',
        bucketPrefix: 'tg-',
        publicUrl: 'https://files.example.vn',
      },
      queuePrefix: 'tg-prod',
      dataDir: '/var/lib/pn',
      frameRingDir: '/dev/shm/frames',
      logLevel: 'debug',
      nodeId: 'node-7',
      apiPort: 9090,
    });
  });

  it('throws one ConfigError naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({
        NODE_ENV: 'staging',
        DATABASE_URL: 'mysql://nope',
        REDIS_URL: 'not a url',
        S3_ENDPOINT: 'ftp://x',
        S3_BUCKET_PREFIX: 'Upper_Case',
        LOG_LEVEL: 'loud',
        API_PORT: '80a',
        QUEUE_PREFIX: 'has space',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    const named = e.problems.map((p) => p.variable).sort();
    expect(named).toEqual(['API_PORT', 'DATABASE_URL', 'LOG_LEVEL', 'NODE_ENV', 'QUEUE_PREFIX', 'REDIS_URL', 'S3_BUCKET_PREFIX', 'S3_ENDPOINT']);
    for (const v of named) expect(e.message).toContain(v);
  });

  it('requires servers and credentials in production, all reported together', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'REDIS_URL', 'S3_ACCESS_KEY', 'S3_ENDPOINT', 'S3_SECRET_KEY']);
  });

  it('reads secrets from *_FILE and rejects setting both forms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'db'), 'postgres://u:secret@db/x\n');
    writeFileSync(join(dir, 'sk'), 'from-file\n');
    const c = loadConfig({ DATABASE_URL_FILE: join(dir, 'db'), S3_SECRET_KEY_FILE: join(dir, 'sk') });
    expect(c.databaseUrl).toBe('postgres://u:secret@db/x');
    expect(c.s3.secretKey).toBe('from-file');

    const bad = () => loadConfig({ S3_SECRET_KEY: 'a', S3_SECRET_KEY_FILE: join(dir, 'sk'), REDIS_URL_FILE: join(dir, 'missing') });
    expect(bad).toThrowError(/S3_SECRET_KEY: set both/);
    expect(bad).toThrowError(/REDIS_URL_FILE: cannot read/);
  });

  it('never echoes a URL (which may hold a password) in the error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://user:hunter2@@:bad' })).toThrowError(ConfigError);
    try {
      loadConfig({ DATABASE_URL: 'postgres://user:hunter2@@:bad' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('lets other workspaces validate their own settings the same way', () => {
    const r = envReader({ FPS: '0', ENABLED: 'maybe', RATIO: 'x' });
    r.int('FPS', 5, { min: 1, max: 30 });
    r.bool('ENABLED', true);
    r.number('RATIO', 0.5);
    r.required('JWT_SECRET', { secret: true });
    expect(() => r.done()).toThrowError(ConfigError);
    expect(r.problems.map((p) => p.variable)).toEqual(['FPS', 'ENABLED', 'RATIO', 'JWT_SECRET']);
  });
});
