// Real RTSP (GStreamer test cameras) into real ffmpeg, frame ring on disk and Redis streams.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@phatnguoi/core/logger';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { frameBytes, type FrameRef, type RawFrame } from '@phatnguoi/core/camera-node/frames';
import { i420ToRgb } from '@phatnguoi/core/camera-node/pixels';
import { globalPreset } from '@phatnguoi/core/ffmpeg/presets';
import { runFfmpeg } from '@phatnguoi/core/ffmpeg/process';
import { CameraSupervisor } from '../src/camera-supervisor';
import { readFrames } from '@phatnguoi/core/camera-node/frame-ring';
import { startTestCamera, type TestCamera } from '../src/test-camera/index';
import { fastSettings, ffmpegPids, removeTempDirs, StatusLog, waitFor } from './helpers';

const prefix = `pn-test-ingest-${randomUUID().slice(0, 8)}:`;
const log = createLogger('ingest.test', { level: 'silent' });
let redis: Redis;
let reader: Redis;
const frameRingDir = mkdtempSync(join(tmpdir(), 'pn-ring-'));
const cameras: TestCamera[] = [];
const supervisors: CameraSupervisor[] = [];

function supervise(streamUrl: string, statuses: StatusLog, sampleFps = 5, settings = fastSettings()): CameraSupervisor {
  const sup = new CameraSupervisor(
    { id: randomUUID(), streamUrl, sampleFps },
    { redis, log, settings, frameRingDir, keyPrefix: prefix, holder: 'test', node: 'test-node', onStatus: statuses.push },
  );
  supervisors.push(sup);
  sup.start();
  return sup;
}

async function collectRefs(cameraId: string, untilMs: number, firstFrame?: RawFrame[]): Promise<FrameRef[]> {
  const refs: FrameRef[] = [];
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), untilMs - Date.now());
  for await (const ev of readFrames(reader, cameraId, '$', { keyPrefix: prefix, blockMs: 200, signal: ac.signal })) {
    if (ev.kind !== 'frame') continue;
    refs.push(ev.ref);
    if (firstFrame && firstFrame.length === 0) firstFrame.push(ev.frame);
  }
  clearTimeout(timer);
  return refs;
}

beforeAll(async () => {
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  reader = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { blocking: true });
});

afterAll(async () => {
  await Promise.all(supervisors.map((s) => s.stop()));
  await Promise.all(cameras.map((c) => c.stop()));
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  reader.disconnect();
  removeTempDirs();
  rmSync(frameRingDir, { recursive: true, force: true });
});

describe('camera supervisor over real RTSP', () => {
  it('delivers frames at the configured rate, in order, with capture times', async () => {
    const cam = await startTestCamera({ pattern: true, width: 320, height: 240, fps: 25 });
    cameras.push(cam);
    const statuses = new StatusLog();
    const sup = supervise(cam.url, statuses, 5);
    await waitFor('online', () => sup.state === 'online', 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // let the stream settle
    const windowStart = Date.now();
    const first: RawFrame[] = [];
    const refs = await collectRefs(sup.camera.id, windowStart + 10_000, first);
    const inWindow = refs.filter((r) => Date.parse(r.capturedAt) >= windowStart && Date.parse(r.capturedAt) < windowStart + 10_000);
    // 5 fps over 10 s: 50 frames, within 10 %.
    expect(inWindow.length).toBeGreaterThanOrEqual(45);
    expect(inWindow.length).toBeLessThanOrEqual(55);
    for (let i = 1; i < refs.length; i++) {
      expect(refs[i]!.seq).toBe(refs[i - 1]!.seq + 1);
      expect(Date.parse(refs[i]!.capturedAt)).toBeGreaterThanOrEqual(Date.parse(refs[i - 1]!.capturedAt));
    }
    expect(refs[0]).toMatchObject({ cameraId: sup.camera.id, width: 320, height: 240, format: 'yuv420p' });
    // Full-resolution raw pixels of the test pattern (a white ball on black): the right size, and a picture.
    expect(first[0]).toMatchObject({ format: 'yuv420p', width: 320, height: 240 });
    expect(first[0]!.data.length).toBe(frameBytes(320, 240));
    const rgb = i420ToRgb(first[0]!);
    let bright = 0;
    let dark = 0;
    for (let p = 0; p < rgb.length; p += 3) {
      const sum = rgb[p]! + rgb[p + 1]! + rgb[p + 2]!;
      if (sum > 600) bright++;
      else if (sum < 100) dark++;
    }
    expect(bright).toBeGreaterThan(100);
    expect(dark).toBeGreaterThan(320 * 240 * 0.5);
    expect(sup.status()).toMatchObject({ state: 'online', lastError: null, framesDropped: 0 });
    // The fps reported in status, averaged over the window, matches too.
    const reported = statuses.all.filter((st) => st.cameraId === sup.camera.id && Date.parse(st.updatedAt) > windowStart + 1000).map((st) => st.fps);
    const meanFps = reported.reduce((a, b) => a + b, 0) / reported.length;
    expect(meanFps).toBeGreaterThan(4.5);
    expect(meanFps).toBeLessThan(5.5);
  });

  it('goes offline when the stream stops and is back soon after it returns, without leaking ffmpeg', async () => {
    const cam = await startTestCamera({ pattern: true, width: 320, height: 240 });
    const statuses = new StatusLog();
    const sup = supervise(cam.url, statuses);
    await waitFor('online', () => sup.state === 'online', 20_000);
    const port = cam.port;
    await cam.stop();
    await waitFor('offline', () => sup.state === 'offline', 20_000);
    expect(sup.lastErrorCode).toMatch(/unreachable|stalled|ffmpeg_exited/);
    const framesBefore = sup.framesTotal;

    const again = await startTestCamera({ pattern: true, width: 320, height: 240, port });
    cameras.push(again);
    const returnedAt = Date.now();
    await waitFor('back online', () => sup.state === 'online' && sup.framesTotal > framesBefore, 15_000);
    // Back within a few seconds of the stream returning (backoff cap 1 s + RTSP start).
    expect(Date.now() - returnedAt).toBeLessThan(8000);
    expect(statuses.states(sup.camera.id)).toEqual(expect.arrayContaining(['online', 'offline']));
    const states = statuses.states(sup.camera.id);
    expect(states.lastIndexOf('online')).toBeGreaterThan(states.indexOf('offline'));

    expect(sup.livePids.size).toBe(1);
    const [pid] = [...sup.livePids];
    await sup.stop();
    expect(sup.livePids.size).toBe(0);
    expect(ffmpegPids(`:${port}/cam`)).not.toContain(pid);
    expect(ffmpegPids(`:${port}/cam`)).toEqual([]);
  });

  it('reports bad inputs clearly while a good camera keeps serving', async () => {
    const good = await startTestCamera({ pattern: true, width: 320, height: 240 });
    const secured = await startTestCamera({ pattern: true, width: 160, height: 120, user: 'officer', password: 's3cret' });
    const audio = await startTestCamera({ audioOnly: true });
    const corrupt = await startTestCamera({ garbage: true });
    cameras.push(good, secured, audio, corrupt);
    const statuses = new StatusLog();
    const goodSup = supervise(good.url, statuses);
    await waitFor('good online', () => goodSup.state === 'online', 20_000);

    const bad = {
      unreachable: supervise('rtsp://127.0.0.1:1/cam', statuses),
      notFound: supervise(good.url.replace('/cam', '/nothing-here'), statuses),
      unauthorized: supervise(secured.url.replace('s3cret', 'wrong-password'), statuses),
      noVideo: supervise(audio.url, statuses),
      corrupt: supervise(corrupt.url, statuses),
    };
    const framesAtStart = goodSup.framesTotal;
    await waitFor('all bad cameras offline', () => Object.values(bad).every((s) => s.state === 'offline'), 45_000, 200);

    expect(bad.unreachable.lastErrorCode).toBe('unreachable');
    expect(bad.notFound.lastErrorCode).toBe('not_found');
    expect(bad.unauthorized.lastErrorCode).toBe('unauthorized');
    expect(bad.noVideo.lastErrorCode).toBe('no_video');
    expect(['corrupt_stream', 'stalled']).toContain(bad.corrupt.lastErrorCode);
    for (const s of Object.values(bad)) {
      expect(s.lastError).toBeTruthy();
      expect(s.framesTotal).toBe(0);
    }
    // Credentials never appear in a status.
    expect(JSON.stringify(statuses.all)).not.toContain('wrong-password');

    // The good camera kept going the whole time.
    expect(goodSup.state).toBe('online');
    expect(goodSup.framesTotal).toBeGreaterThan(framesAtStart + 10);

    // The right credentials work.
    const authed = supervise(secured.url, statuses);
    await waitFor('authorised camera online', () => authed.state === 'online', 20_000);
  });

  it('accepts a video file as a looping source for development', async () => {
    const file = join(frameRingDir, 'loop.mp4');
    await runFfmpeg({
      globalOptions: globalPreset('error'),
      inputs: [{ source: 'testsrc=size=160x120:rate=25', options: ['-f', 'lavfi', '-t', '2'] }],
      outputs: [{ target: file, options: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] }],
    });
    const statuses = new StatusLog();
    const sup = supervise(file, statuses, 5);
    await waitFor('online', () => sup.state === 'online', 20_000);
    // 2 s of video at 5 fps is 10 frames: more than that means it looped, without restarting ffmpeg.
    await waitFor('looped', () => sup.framesTotal > 18, 20_000);
    expect(sup.restarts).toBe(0);
    expect(sup.state).toBe('online');
  });

  it('restarts a frozen stream through the watchdog and recovers when it resumes', async () => {
    const cam = await startTestCamera({ pattern: true, width: 160, height: 120 });
    cameras.push(cam);
    const statuses = new StatusLog();
    const sup = supervise(cam.url, statuses, 5, fastSettings({ watchdogMs: 1500, socketTimeoutMs: 10_000 }));
    await waitFor('online', () => sup.state === 'online', 20_000);
    const frozenAt = Date.now();
    process.kill(cam.pid, 'SIGSTOP'); // the connection stays open, nothing arrives
    try {
      await waitFor(
        'stall detected',
        () => statuses.all.some((st) => st.cameraId === sup.camera.id && st.lastErrorCode === 'stalled' && Date.parse(st.updatedAt) > frozenAt),
        20_000,
      );
      expect(sup.state).not.toBe('online');
    } finally {
      process.kill(cam.pid, 'SIGCONT');
    }
    const frames = sup.framesTotal;
    await waitFor('back online', () => sup.state === 'online' && sup.framesTotal > frames, 30_000);
    expect(sup.restarts).toBeGreaterThanOrEqual(1);
    await sup.stop();
    expect(ffmpegPids(`:${cam.port}/cam`)).toEqual([]);
  });
});
