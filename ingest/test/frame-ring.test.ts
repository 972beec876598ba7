// Frame ring against real Redis and disk: raw I420 slots, order, overwritten slots reported as drops,
// damaged slots reported as corrupt, bounded writer.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { decodeSlotTrailer, frameBytes, i420ToRgb, parseY4mFrameHead, rgbToI420, SLOT_TRAILER_BYTES, type FrameEvent } from '@phatnguoi/core/contracts/frames';
import { sampledFrameFilesPreset } from '@phatnguoi/core/ffmpeg/presets';
import { droppedKey, FrameRingWriter, readFrames, slotPath } from '../src/frame-ring';

const prefix = `pn-test-ring-${randomUUID().slice(0, 8)}:`;
const root = mkdtempSync(join(tmpdir(), 'pn-ring-'));
let redis: Redis;
// 33x24: an odd width, so the chroma planes round up (17x12).
const FW = 33;
const FH = 24;
let rgb: Uint8Array;
let frame: { data: Buffer; width: number; height: number };

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  // Four flat colour quadrants: conversion errors would show as wrong colours.
  rgb = new Uint8Array(FW * FH * 3);
  const colours = [[200, 30, 40], [20, 180, 60], [30, 60, 210], [128, 128, 128]];
  for (let y = 0; y < FH; y++) for (let x = 0; x < FW; x++) rgb.set(colours[(y < FH / 2 ? 0 : 2) + (x < 16 ? 0 : 1)]!, (y * FW + x) * 3);
  frame = { data: rgbToI420(rgb, FW, FH), width: FW, height: FH };
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
  it('delivers raw I420 frames in order, each slot carrying its sequence number', async () => {
    const cameraId = randomUUID();
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix });
    await w.init();
    for (let i = 0; i < 5; i++) {
      expect(w.offer(frame, 1_700_000_000_000 + i * 200)).toBe(true);
      await w.flush();
    }
    const events = await drain(cameraId, '0');
    expect(events.map((e) => e.kind)).toEqual(['frame', 'frame', 'frame', 'frame', 'frame']);
    const frames = events.flatMap((e) => (e.kind === 'frame' ? [e] : []));
    expect(frames.map((f) => f.ref.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(frames[2]!.ref.capturedAt).toBe(new Date(1_700_000_000_400).toISOString());
    expect(frames[3]!.ref).toMatchObject({ width: FW, height: FH, format: 'yuv420p', slot: 3 });
    // The slot: a one-frame YUV4MPEG2 file plus the trailer naming the frame.
    const slotBytes = readFileSync(frames[3]!.ref.path);
    expect(decodeSlotTrailer(slotBytes)).toEqual({ format: 'yuv420p', width: FW, height: FH, seq: 3, capturedAtMs: 1_700_000_000_600 });
    const head = parseY4mFrameHead(slotBytes);
    expect(head).toMatchObject({ ok: true, width: FW, height: FH });
    expect(slotBytes.length).toBe((head.ok ? head.dataOffset : 0) + frameBytes(FW, FH) + SLOT_TRAILER_BYTES);
    expect(frames[0]!.frame).toMatchObject({ format: 'yuv420p', width: FW, height: FH });
    expect(frames[0]!.frame.data.length).toBe(frameBytes(FW, FH));
    expect(frames[0]!.frame.data.equals(frame.data)).toBe(true);
    // Back to RGB: every pixel within a few levels of the original (4:2:0 rounding).
    const back = i420ToRgb(frames[0]!.frame);
    let worst = 0;
    for (let i = 0; i < rgb.length; i++) worst = Math.max(worst, Math.abs(back[i]! - rgb[i]!));
    expect(worst).toBeLessThanOrEqual(3);

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
      w.offer(frame, Date.now());
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
    const accepted = Array.from({ length: 20 }, () => w.offer(frame, Date.now())).filter(Boolean).length;
    await w.flush();
    expect(accepted).toBe(2);
    expect(w.dropped).toBe(18);
    expect(w.written).toBe(2);
  });

  it('reports a damaged slot (trailer right, pixels cut short) as corrupt, counts it and goes on', async () => {
    const cameraId = randomUUID();
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix });
    await w.init();
    for (let i = 0; i < 3; i++) {
      w.offer(frame, Date.now());
      await w.flush();
    }
    const slot1 = readFileSync(slotPath(root, cameraId, 1));
    writeFileSync(slotPath(root, cameraId, 1), Buffer.concat([slot1.subarray(0, 100), slot1.subarray(-SLOT_TRAILER_BYTES)]));
    const events = await drain(cameraId, '0');
    expect(events.map((e) => e.kind)).toEqual(['frame', 'corrupt', 'frame']);
    const bad = events[1]!;
    expect(bad.kind === 'corrupt' && bad.ref.seq).toBe(1);
    expect(bad.kind === 'corrupt' && bad.reason).toMatch(/has 132 bytes/);
    expect(w.corrupt).toBe(0);
    expect(Number(await redis.hget(droppedKey(prefix), cameraId))).toBe(1);
  });

  it('refuses a frame whose pixels do not match its size', () => {
    const w = new FrameRingWriter({ rootDir: root, cameraId: randomUUID(), slots: 8, redis, keyPrefix: prefix });
    expect(() => w.offer({ data: frame.data.subarray(1), width: FW, height: FH }, Date.now())).toThrow(/not 33x24 I420/);
  });

  it('commits frame files ffmpeg wrote, and counts and removes one that is cut short', async () => {
    const cameraId = randomUUID();
    const logged: string[] = [];
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix, onCorrupt: (r) => logged.push(r) });
    await w.init();
    // The frame ring's ffmpeg output options, on a small synthetic source: three frame files.
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${FW + 1}x${FH}:rate=5,format=rgb24,crop=${FW}:${FH}`, '-frames:v', '3',
      ...sampledFrameFilesPreset({ fps: 5, listTarget: join(w.incomingDir, 'list.csv') }), join(w.incomingDir, '%09d.y4m'),
    ]);
    const listed = readFileSync(join(w.incomingDir, 'list.csv'), 'utf8').trim().split('\n').map((l) => l.split(',')[0]!);
    expect(listed).toEqual(['000000000.y4m', '000000001.y4m', '000000002.y4m']);
    // The middle one is cut short, as if ffmpeg had died writing it.
    const mid = join(w.incomingDir, listed[1]!);
    writeFileSync(mid, readFileSync(mid).subarray(0, 300));
    for (const [i, f] of listed.entries()) expect(w.offerFile(join(w.incomingDir, f), 1_700_000_000_000 + i * 200)).toBe(true);
    await w.flush();
    expect({ written: w.written, corrupt: w.corrupt, dropped: w.dropped }).toEqual({ written: 2, corrupt: 1, dropped: 0 });
    expect(logged).toEqual([expect.stringMatching(/frame file has 300 bytes/)]);
    expect(existsSync(mid)).toBe(false);
    const events = await drain(cameraId, '0');
    const frames = events.flatMap((e) => (e.kind === 'frame' ? [e] : []));
    // Sequence numbers stay consecutive: the corrupt file took none.
    expect(frames.map((f) => [f.ref.seq, f.ref.capturedAt])).toEqual([
      [0, new Date(1_700_000_000_000).toISOString()],
      [1, new Date(1_700_000_000_400).toISOString()],
    ]);
    expect(frames[0]!.frame).toMatchObject({ format: 'yuv420p', width: FW, height: FH });
  });
});
