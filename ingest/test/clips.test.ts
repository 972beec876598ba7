// Clip extraction from the segment ring of a live RTSP camera, uploaded to a real S3 endpoint.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@phatnguoi/core/logger';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { probe } from '@phatnguoi/core/ffmpeg/process';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { startTestS3, testConfig, type TestS3 } from '@phatnguoi/core/testing/index';
import { CameraSupervisor } from '../src/camera-supervisor';
import { cutClip } from '@phatnguoi/core/camera-node/clips';
import { startTestCamera, type TestCamera } from '../src/test-camera/index';
import { fastSettings, removeTempDirs, StatusLog, waitFor } from './helpers';

const prefix = `pn-test-clips-${randomUUID().slice(0, 8)}:`;
let s3: TestS3;
let storage: Storage;
let redis: Redis;
let camera: TestCamera;
let sup: CameraSupervisor;
const settings = fastSettings({ segmentSeconds: 1 });
const ringDir = mkdtempSync(join(tmpdir(), 'pn-ring-'));

beforeAll(async () => {
  s3 = await startTestS3();
  storage = createStorage(testConfig({ s3: s3.s3 }));
  await storage.ensureBuckets();
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  // Keyframe every 10 frames (0.4 s at 25 fps) like a camera tuned for evidence.
  camera = await startTestCamera({ pattern: true, width: 320, height: 240, fps: 25, gop: 10 });
  sup = new CameraSupervisor(
    { id: randomUUID(), streamUrl: camera.url, sampleFps: 5 },
    {
      redis,
      log: createLogger('clips.test', { level: 'silent' }),
      settings,
      frameRingDir: ringDir,
      keyPrefix: prefix,
      holder: 't',
      node: 'n',
      onStatus: new StatusLog().push,
    },
  );
  sup.start();
  await waitFor('online', () => sup.state === 'online', 20_000);
});

afterAll(async () => {
  await sup?.stop();
  await camera?.stop();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await s3?.stop();
  rmSync(ringDir, { recursive: true, force: true });
  removeTempDirs();
});

describe('cutClip', () => {
  it('returns the requested window as an mp4 stored with its SHA-256', async () => {
    await new Promise((r) => setTimeout(r, 6000)); // let the ring fill
    const t = Date.now() - 3000;
    const clip = await cutClip({ cameraId: sup.camera.id, from: t - 2000, to: t + 1500 }, { storage, segmentDir: settings.segmentDir, keepFile: true });
    expect(clip.complete).toBe(true);
    // Starts at the keyframe at or before `from` (keyframes every 0.4 s), ends at `to`.
    const startedAt = Date.parse(clip.startedAt);
    expect(startedAt).toBeLessThanOrEqual(t - 2000 + 1);
    expect(startedAt).toBeGreaterThan(t - 2000 - 600);
    expect(Date.parse(clip.endedAt)).toBe(t + 1500);

    const probed = await probe(clip.file!);
    expect(probed.streams.map((s) => s.codecType)).toEqual(['video']);
    expect(probed.streams[0]!.codecName).toBe('h264'); // stream copy, not re-encoded
    // The requested 3.5 s, plus at most one keyframe interval (0.4 s) before it and a little slack
    // for wall-clock timestamps taken on a busy machine.
    expect(probed.durationSeconds!).toBeGreaterThanOrEqual(3.5 - 0.1);
    expect(probed.durationSeconds!).toBeLessThan(3.5 + 0.4 + 0.35);

    const stored = await storage.get(clip.bucket, clip.key);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(clip.sha256);
    expect((await storage.verify(clip.bucket, clip.key, clip.sha256)).ok).toBe(true);
    expect(stored.length).toBe(clip.size);
    rmSync(clip.file!, { force: true });
  });

  it('rejects a bad window and reports a window the ring does not hold', async () => {
    await expect(cutClip({ cameraId: sup.camera.id, from: 2000, to: 1000 }, { storage, segmentDir: settings.segmentDir })).rejects.toThrow(/after/);
    await expect(
      cutClip(
        { cameraId: sup.camera.id, from: Date.now() - 3_600_000, to: Date.now() - 3_590_000 },
        { storage, segmentDir: settings.segmentDir, maxWaitMs: 0 },
      ),
    ).rejects.toThrow(/no recorded video/);
  });
});
