// Frame ring against real Redis and disk: raw I420 slots, order, overwritten slots reported as drops,
// damaged slots reported as corrupt, bounded writer, and real ffmpeg writing the slots in place.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { decodeSlotTrailer, frameBytes, SLOT_TRAILER_BYTES, slotContent, slotFileBytes, type FrameEvent } from '@phatnguoi/core/camera-node/frames';
import { i420ToRgb, rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import { frameRingEnvironment, frameRingPreset, isShowinfoLine, parseProgress, parseShowinfoFrame } from '@phatnguoi/core/ffmpeg/presets';
import { droppedKey } from '@phatnguoi/core/camera-node/channels';
import { FrameRingWriter, progressPeriodSeconds, type FrameRingRun } from '../src/frame-ring';
import { readFrames, slotPath } from '@phatnguoi/core/camera-node/frame-ring';

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
  const colours = [
    [200, 30, 40],
    [20, 180, 60],
    [30, 60, 210],
    [128, 128, 128],
  ];
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
    // The slot: the I420 planes, then the trailer naming the frame.
    const slotBytes = readFileSync(frames[3]!.ref.path);
    expect(decodeSlotTrailer(slotBytes)).toEqual({ format: 'yuv420p', width: FW, height: FH, seq: 3, capturedAtMs: 1_700_000_000_600 });
    expect(slotBytes.length).toBe(frameBytes(FW, FH) + SLOT_TRAILER_BYTES);
    expect(slotBytes.subarray(0, frameBytes(FW, FH)).equals(frame.data)).toBe(true);
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
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix });
    await w.init();
    for (let i = 0; i < 14; i++) {
      w.offer(frame, Date.now());
      await w.flush();
    }
    const events = await drain(cameraId, '0');
    const delivered = events.flatMap((e) => (e.kind === 'frame' ? [e.ref.seq] : []));
    const dropped = events.reduce((n, e) => n + (e.kind === 'dropped' ? e.count : 0), 0);
    // Only the last 8 frames still have their slots; everything before is a drop (overwritten or trimmed).
    expect(delivered).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
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

  it("does not trust a slot read that ends after the reference's readBy", () => {
    const bytes = slotFileBytes(frame, 0, 1_700_000_000_000);
    const ref = { seq: 0, width: FW, height: FH, format: 'yuv420p' as const, readBy: new Date(1_700_000_001_000).toISOString() };
    expect(slotContent(bytes, ref, 1_700_000_000_999).kind).toBe('frame');
    expect(slotContent(bytes, ref, 1_700_000_001_001).kind).toBe('overwritten');
    expect(slotContent(bytes, { ...ref, readBy: undefined }, Number.MAX_SAFE_INTEGER).kind).toBe('frame');
  });

  it('commits the frames ffmpeg writes into its slots in place, across runs', async () => {
    const cameraId = randomUUID();
    // The whole run's output is fed at once here: let all of it wait for its commit.
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix, maxPending: 16 });
    await w.init();
    const first = await w.startRun(5);
    expect(first.firstSlot).toBe(0);
    // Capture times a minute ahead: every readBy is still to come when the test reads.
    const t0 = Math.round(Date.now() / 1000) * 1000 + 60_000;
    await ffmpegIntoRing(w, first, 12, t0);
    expect(w.written).toBe(12);
    const inodes = Array.from({ length: 8 }, (_, i) => statSync(slotPath(root, cameraId, i)).ino);
    // The next run goes on from the slot after the last one written, into the same files.
    const second = await w.startRun(5);
    expect(second.firstSlot).toBe(4);
    await ffmpegIntoRing(w, second, 4, t0 + 10_000);
    expect({ written: w.written, dropped: w.dropped, corrupt: w.corrupt }).toEqual({ written: 16, dropped: 0, corrupt: 0 });
    expect(Array.from({ length: 8 }, (_, i) => statSync(slotPath(root, cameraId, i)).ino)).toEqual(inodes);

    const refs: [number, number, string][] = [];
    for (const [, fields] of await redis.xrange(`${prefix}frames:${cameraId}`, '-', '+')) {
      const m = new Map<string, string>();
      for (let i = 0; i < fields.length; i += 2) m.set(fields[i]!, fields[i + 1]!);
      refs.push([Number(m.get('seq')), Number(m.get('slot')), m.get('capturedAt')!]);
    }
    expect(refs.map(([seq]) => seq)).toEqual(Array.from({ length: 16 }, (_, i) => i).slice(-refs.length));
    expect(refs.at(-1)).toEqual([15, 7, new Date(t0 + 10_600).toISOString()]);
    expect(refs.at(-5)).toEqual([11, 3, new Date(t0 + 2200).toISOString()]);

    // Only the last 8 frames still have their slots; the ones ffmpeg wrote over count as dropped.
    const ac = new AbortController();
    const events: FrameEvent[] = [];
    setTimeout(() => ac.abort(), 600);
    for await (const ev of readFrames(redis, cameraId, '0', { keyPrefix: prefix, blockMs: 100, signal: ac.signal, reportDrops: false })) events.push(ev);
    const frames = events.flatMap((e) => (e.kind === 'frame' ? [e] : []));
    expect(frames.map((f) => f.ref.seq)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(frames[0]!.frame).toMatchObject({ format: 'yuv420p', width: FW, height: FH });
    // Each slot holds its own frame: seq 15 is the second run's fourth frame, seq 11 the first run's twelfth.
    const source = await rawFrames(12);
    const frameOf = (i: number) => source.subarray(i * frameBytes(FW, FH), (i + 1) * frameBytes(FW, FH));
    expect(frames.at(-1)!.frame.data.equals(frameOf(3))).toBe(true);
    expect(frames[3]!.frame.data.equals(frameOf(11))).toBe(true);
    expect(frames[3]!.frame.data.equals(frameOf(10))).toBe(false);
    // readBy: (slots - 3) sampling intervals after capture.
    expect(Date.parse(frames[0]!.ref.readBy!) - Date.parse(frames[0]!.ref.capturedAt)).toBe(1000);
  });

  it('commits the frames one progress report counts together, as one pending commit', async () => {
    const cameraId = randomUUID();
    // One commit may wait: frames committed one by one would see all but the first dropped.
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix, maxPending: 1 });
    await w.init();
    const run = await w.startRun(5);
    await ringFfmpeg(w, run, 6);
    const t0 = Date.now() + 60_000;
    expect(run.firstFrame(t0, FW, FH)).toBe(0);
    expect(run.progress(4)).toBe(3); // counted 4, the last one held back
    expect(run.progress(4)).toBe(0); // the same count again lets nothing more through
    // The next report comes while that commit still waits: its frames are dropped together, and counted.
    expect(run.progress(7)).toBe(3);
    await w.flush();
    expect({ written: w.written, dropped: w.dropped }).toEqual({ written: 3, dropped: 3 });
    const seqs = (await redis.xrange(`${prefix}frames:${cameraId}`, '-', '+')).map(([, f]) => Number(f[f.indexOf('seq') + 1]));
    expect(seqs).toEqual([0, 1, 2]);
  });

  it('counts and logs a slot that does not hold a whole frame after ffmpeg wrote it', async () => {
    const cameraId = randomUUID();
    const logged: string[] = [];
    const w = new FrameRingWriter({ rootDir: root, cameraId, slots: 8, redis, keyPrefix: prefix, onCorrupt: (r) => logged.push(r) });
    await w.init();
    const run = await w.startRun(5);
    await ffmpegIntoRing(w, run, 3, 1_700_000_000_000);
    // As if ffmpeg had died writing slot 3: cut short, then reported written by a progress count.
    writeFileSync(slotPath(root, cameraId, 3), frame.data.subarray(0, 300));
    run.progress(5);
    await w.flush();
    expect({ written: w.written, corrupt: w.corrupt, dropped: w.dropped }).toEqual({ written: 3, corrupt: 1, dropped: 0 });
    expect(logged).toEqual([expect.stringMatching(/slot 3 has 300 bytes/)]);
  });
});

describe('frame ring settings', () => {
  it('reports progress at most every second, within a quarter of the span a reader has', () => {
    expect(progressPeriodSeconds(32, 5)).toBe(1); // 5.8 s readable
    expect(progressPeriodSeconds(32, 25)).toBe(0.28); // 1.16 s readable
    expect(progressPeriodSeconds(8, 5)).toBe(0.25); // 1 s readable
    expect(progressPeriodSeconds(8, 25)).toBe(0.1); // 0.2 s readable: never below 0.1 s
  });

  it('sets glibc allocator thresholds for the ring ffmpeg, keeping tunables already set', () => {
    expect(frameRingEnvironment(undefined)).toEqual({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864' });
    expect(frameRingEnvironment('glibc.pthread.rseq=0').GLIBC_TUNABLES).toBe(
      'glibc.pthread.rseq=0:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864',
    );
  });
});

const SOURCE = `testsrc2=size=${FW + 1}x${FH}:rate=5,format=rgb24,crop=${FW}:${FH}`;

/** The first `frames` frames of the synthetic source as I420, straight from ffmpeg. */
function rawFrames(frames: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', SOURCE, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: 1 << 24 },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
}

/** Runs the frame ring's ffmpeg output on `frames` synthetic frames into the ring's slots; resolves with what it said. */
function ringFfmpeg(w: FrameRingWriter, run: FrameRingRun, frames: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-nostats',
        '-loglevel',
        'info',
        '-progress',
        'pipe:1',
        '-f',
        'lavfi',
        '-i',
        SOURCE,
        '-frames:v',
        String(frames),
        ...frameRingPreset({ fps: 5, slots: w.slots, firstSlot: run.firstSlot }),
        w.slotPattern,
      ],
      (err, out, errOut) => (err ? reject(err) : resolve({ stdout: out, stderr: errOut })),
    );
  });
}

/** Runs the frame ring's ffmpeg output on `frames` synthetic frames and feeds what it says to `run`, as ingest does. */
async function ffmpegIntoRing(w: FrameRingWriter, run: FrameRingRun, frames: number, startMs: number): Promise<void> {
  const { stdout, stderr } = await ringFfmpeg(w, run, frames);
  const shown = stderr
    .split('\n')
    .filter(isShowinfoLine)
    .flatMap((line) => parseShowinfoFrame(line) ?? []);
  expect(shown).toEqual([{ ptsTime: 0, width: FW, height: FH }]); // the first frame only
  run.firstFrame(startMs + shown[0]!.ptsTime * 1000, shown[0]!.width, shown[0]!.height);
  for (const line of stdout.split('\n')) {
    const p = parseProgress(line);
    if (p && 'end' in p) run.flushed();
    else if (p) run.progress(p.frames);
  }
  run.end();
  await w.flush();
}
