import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/errors';
import { BUCKET_NAMES, Buckets, createStorageWithClient } from '../src/storage';
import { testConfig } from '../src/testing/config';
import { startTestS3, type TestS3 } from '../src/testing/s3';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('storage against an S3 endpoint', () => {
  let s3: TestS3;
  let storage: ReturnType<typeof createStorageWithClient>;

  beforeAll(async () => {
    s3 = await startTestS3();
    storage = createStorageWithClient(testConfig({ s3: s3.s3 }));
    await storage.ensureBuckets();
  });
  afterAll(async () => s3.stop());

  it('creates every bucket under the prefix, and doing it twice is harmless', async () => {
    await storage.ensureBuckets();
    for (const b of BUCKET_NAMES) expect(await storage.client.bucketExists(storage.bucketName(b))).toBe(true);
    expect(storage.bucketName(Buckets.evidence)).toMatch(/^t[a-z0-9]+-evidence$/);
  });

  it('round-trips bytes and records their SHA-256 on write', async () => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const put = await storage.put(Buckets.evidence, 'cam-1/2025/plate.jpg', body, 'image/jpeg');
    expect(put).toEqual({ sha256: sha(body), size: body.length });

    const back = await storage.get(Buckets.evidence, 'cam-1/2025/plate.jpg');
    expect(back.equals(body)).toBe(true);

    const st = await storage.stat(Buckets.evidence, 'cam-1/2025/plate.jpg');
    expect(st).toMatchObject({ size: body.length, contentType: 'image/jpeg', sha256: sha(body) });
    expect(await storage.verify(Buckets.evidence, 'cam-1/2025/plate.jpg')).toMatchObject({ ok: true, actual: sha(body) });
  });

  it('hashes streams and files the same way', async () => {
    const text = 'clip bytes '.repeat(1000);
    const fromStream = await storage.put(Buckets.clips, 's.mp4', Readable.from([Buffer.from(text.slice(0, 500)), Buffer.from(text.slice(500))]), 'video/mp4');
    expect(fromStream.sha256).toBe(sha(text));
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    writeFileSync(join(dir, 'c.mp4'), text);
    const fromFile = await storage.putFile(Buckets.clips, 'f.mp4', join(dir, 'c.mp4'), 'video/mp4');
    expect(fromFile).toEqual({ sha256: sha(text), size: text.length });
    expect((await storage.get(Buckets.clips, 'f.mp4')).toString()).toBe(text);
  });

  it('detects an object changed behind its back', async () => {
    const original = await storage.put(Buckets.evidence, 'tamper.jpg', 'original', 'image/jpeg');
    // Someone rewrites the object directly (bypassing storage.put, so no new hash is recorded).
    await storage.client.putObject(storage.bucketName(Buckets.evidence), 'tamper.jpg', Buffer.from('forged'), 6, { 'Content-Type': 'image/jpeg' });
    const check = await storage.verify(Buckets.evidence, 'tamper.jpg', original.sha256);
    expect(check.ok).toBe(false);
    expect(check.actual).toBe(sha('forged'));
  });

  it('serves a presigned GET over plain HTTP', async () => {
    const body = Buffer.from('notice pdf bytes');
    await storage.put(Buckets.notices, 'n-1.pdf', body, 'application/pdf');
    const url = await storage.presignedGet(Buckets.notices, 'n-1.pdf', 300);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);

    // The link expires: it is signed for the lifetime asked for. (s3rver, unlike MinIO, also serves
    // unsigned requests, which is why the embedded endpoint listens on loopback only.)
    const params = new URL(url).searchParams;
    expect(params.get('X-Amz-Expires')).toBe('300');
    expect(params.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports missing objects as NotFoundError and removes objects', async () => {
    await expect(storage.get(Buckets.frames, 'nope.jpg')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.stat(Buckets.frames, 'nope.jpg')).rejects.toBeInstanceOf(NotFoundError);
    await storage.put(Buckets.snapshots, 'x.jpg', 'x', 'image/jpeg');
    expect(await storage.exists(Buckets.snapshots, 'x.jpg')).toBe(true);
    await storage.remove(Buckets.snapshots, 'x.jpg');
    expect(await storage.exists(Buckets.snapshots, 'x.jpg')).toBe(false);
  });

  it('rejects presigned lifetimes outside 1 s to 7 days', async () => {
    await expect(storage.presignedGet(Buckets.notices, 'n-1.pdf', 0)).rejects.toThrow(/lifetime/);
  });
});
