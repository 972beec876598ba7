// Frame ring against real Redis and disk: order, overwritten slots reported as drops, bounded writer.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { decodeFrameHeader, type FrameEvent } from '@phatnguoi/core/contracts/frames';
import { droppedKey, FrameRingWriter, readFrames } from '../src/frame-ring';

const prefix = `pn-test-ring-${randomUUID().slice(0, 8)}:`;
const root = mkdtempSync(join(tmpdir(), 'pn-ring-'));
let redis: Redis;
let jpeg: Buffer;

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  jpeg = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#808080' } }).jpeg().toBuffer();
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  rmSync(root, { recursive: true, force: true });
});

async function drain(cameraId: string, afterId: string, lastSeq?: number): Promise<FrameEvent[]> {
  const ac = new AbortController();
  const out: FrameEvent[] = [];
  setTimeout(() => ac.abort(), 600);
  for await (const ev of readFrames(redis, cameraId, afterId, { keyPrefix: prefix, blockMs: 100, signal: ac.signal, lastSeq })) out.push(ev);
  return out;
}

describe('frame ring', () => {
  it('delivers frames in order as valid JPEGs carrying their sequence number', async () => {
    const cameraId = randomUUID();
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix });
    await w.init();
    for (let i = 0; i < 5; i++) {
      expect(w.offer(jpeg, 32, 24, 1_700_000_000_000 + i * 200)).toBe(true);
      await w.flush();
    }
    const events = await drain(cameraId, '0');
    expect(events.map((e) => e.kind)).toEqual(['frame', 'frame', 'frame', 'frame', 'frame']);
    const frames = events.flatMap((e) => (e.kind === 'frame' ? [e] : []));
    expect(frames.map((f) => f.ref.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(frames[2]!.ref.capturedAt).toBe(new Date(1_700_000_000_400).toISOString());
    expect(decodeFrameHeader(frames[3]!.jpeg)).toEqual({ seq: 3, capturedAtMs: 1_700_000_000_600 });
    expect(await sharp(frames[0]!.jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 32, height: 24 });

    // A restarted writer continues the numbering.
    const again = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix });
    await again.init();
    expect(again.seq).toBe(5);
  });

  it('reports slots overwritten before they were read as dropped, and counts them', async () => {
    const cameraId = randomUUID();
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 4, redis, keyPrefix: prefix });
    await w.init();
    for (let i = 0; i < 10; i++) {
      w.offer(jpeg, 32, 24, Date.now());
      await w.flush();
    }
    const events = await drain(cameraId, '0');
    const delivered = events.flatMap((e) => (e.kind === 'frame' ? [e.ref.seq] : []));
    const dropped = events.reduce((n, e) => n + (e.kind === 'dropped' ? e.count : 0), 0);
    // Only the last 4 frames still have their slots; everything before is a drop (overwritten or trimmed).
    expect(delivered).toEqual([6, 7, 8, 9]);
    expect(dropped).toBe(6);
    expect(Number(await redis.hget(droppedKey(prefix), cameraId))).toBe(6);
  });

  it('drops instead of queueing when writes fall behind', async () => {
    const cameraId = randomUUID();
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix, maxPending: 2 });
    await w.init();
    const accepted = Array.from({ length: 20 }, () => w.offer(jpeg, 32, 24, Date.now())).filter(Boolean).length;
    await w.flush();
    expect(accepted).toBe(2);
    expect(w.dropped).toBe(18);
    expect(w.written).toBe(2);
  });
});
