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
import { testConfig } from '../src/testing/index';

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
  it('refuses unsigned requests (listing, reading, writing) but serves signed ones and presigned URLs (issue 22, item 12)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pn-s3-anon-'));
    const s3 = await startEmbeddedS3({ dir });
    try {
      const config = testConfig({ s3: s3.s3 });
      const storage = createStorage(config);
      await storage.ensureBuckets();
      await storage.put('notices', 'case/notice.pdf', Buffer.from('%PDF-1.4 secret notice'), 'application/pdf');
      const bucket = (await fetch(`${s3.endpoint}/`).then((r) => r.text()));
      expect(bucket).toContain('AccessDenied');
      const names = [`${config.s3.bucketPrefix}notices`, `${config.s3.bucketPrefix}evidence`];
      for (const [method, path] of [['GET', '/'], ['GET', `/${names[0]}`], ['GET', `/${names[0]}?list-type=2`], ['GET', `/${names[0]}/case/notice.pdf`], ['PUT', `/${names[0]}/x.txt`], ['DELETE', `/${names[0]}/x.txt`]] as const) {
        const res = await fetch(`${s3.endpoint}${path}`, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
        const text = await res.text();
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(text).not.toContain('secret notice');
        expect(text).not.toContain('notice.pdf');
      }
      // A forged signature is refused by s3rver's own check.
      const forged = await fetch(`${s3.endpoint}/${names[0]}`, { headers: { authorization: 'AWS S3RVER:bm90LWEtc2lnbmF0dXJl', date: new Date().toUTCString() } });
      expect(forged.status).toBe(403);
      // The services' signed client and a presigned URL still work.
      expect((await storage.get('notices', 'case/notice.pdf')).toString()).toContain('secret notice');
      const url = await storage.presignedGet('notices', 'case/notice.pdf', 60);
      expect(await (await fetch(url)).text()).toContain('secret notice');
    } finally {
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

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
      // Unsigned: refused (403), on a connection kept alive all the same.
      expect(await get()).toEqual({ status: 403, reused: false });
      await new Promise((r) => setTimeout(r, 5_600));
      expect(await get()).toEqual({ status: 403, reused: true });
    } finally {
      agent.destroy();
      await s3.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
