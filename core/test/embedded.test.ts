import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { createPool } from '../src/db';
import { startEmbeddedS3 } from '../src/embedded/s3';
import { startServices } from '../src/embedded/services';
import { findOnPath, requirePrograms } from '../src/embedded/system';
import { MissingPrerequisiteError } from '../src/errors';
import { migrate } from '../src/migrate';
import { createQueues, startWorkers } from '../src/queue';
import { createStorage } from '../src/storage';

describe('embedded stack (no configuration at all)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-embedded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts PGlite, s3rver and redis-server, and the ordinary clients work against them', async () => {
    const services = await startServices({}, dir);
    try {
      expect(services.embedded).toHaveLength(3);
      const config = loadConfig({ ...services.env, QUEUE_PREFIX: 'pn-embedded-test' });
      expect(config.databaseUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);

      const pool = createPool(config.databaseUrl);
      try {
        await migrate(pool);
        await pool.query("INSERT INTO agencies (code, name, province_code) VALUES ('HN', 'CSGT Hà Nội', '01')");
        const { rows } = await pool.query('SELECT code FROM agencies');
        expect(rows).toEqual([{ code: 'HN' }]);
      } finally {
        await pool.end();
      }

      const storage = createStorage(config);
      await storage.ensureBuckets();
      const put = await storage.put('evidence', 'k', 'bytes', 'text/plain');
      expect((await storage.stat('evidence', 'k')).sha256).toBe(put.sha256);

      const queues = createQueues(config);
      const seen: string[] = [];
      const workers = await startWorkers(config, { 'notice.render': async (p) => void seen.push(p.noticeId) });
      try {
        await queues.enqueue('notice.render', { noticeId: 'embedded' });
        await queues.waitUntilDrained();
        expect(seen).toEqual(['embedded']);
      } finally {
        await workers.close();
        await queues.close();
      }
    } finally {
      await services.stop();
    }
  });

  it('keeps its data in the folder across restarts', async () => {
    const services = await startServices({}, dir);
    try {
      const pool = createPool(loadConfig(services.env).databaseUrl);
      try {
        expect((await pool.query('SELECT code FROM agencies')).rows).toEqual([{ code: 'HN' }]);
      } finally {
        await pool.end();
      }
    } finally {
      await services.stop();
    }
  });

  it('uses a configured server instead of starting its own', async () => {
    const services = await startServices({ REDIS_URL: 'redis://127.0.0.1:6379', S3_ENDPOINT: 'http://127.0.0.1:9', DATABASE_URL: 'postgres://x@127.0.0.1/db' }, dir);
    try {
      expect(services.embedded).toEqual([]);
      expect(services.env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    } finally {
      await services.stop();
    }
  });
});

describe('prerequisites', () => {
  it('finds programs on PATH', () => {
    expect(findOnPath('redis-server')).toMatch(/redis-server$/);
    expect(findOnPath('redis-server', '/nonexistent')).toBeUndefined();
  });

  it('stops with a message saying what to install', () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      let error: unknown;
      try {
        requirePrograms(['ffmpeg', 'redis-server']);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(MissingPrerequisiteError);
      expect((error as Error).message).toMatch(/ffmpeg: install with apt-get install ffmpeg/);
      expect((error as Error).message).toMatch(/redis-server: install with apt-get install redis-server/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('embedded S3 endpoint', () => {
  it('keeps an idle keep-alive connection past the 5 s at which Node\'s client agent drops its own', { timeout: 30_000 }, async () => {
    // With Node's default server timeout (5 s, the same as the client's), a request sent on an idle socket as the
    // server closes it failed with ECONNRESET (seen in CI). The server must be the one that waits longer.
    const dir = mkdtempSync(join(tmpdir(), 'pn-s3-keepalive-'));
    const s3 = await startEmbeddedS3({ dir });
    const agent = new Agent({ keepAlive: true, timeout: 60_000 }); // a client that keeps its idle sockets
    const get = () => new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
      const req = request(`${s3.endpoint}/`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
      });
      req.on('error', reject);
      req.end();
    });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      await new Promise((r) => setTimeout(r, 5_600));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
