// Full run on a short scripted clip: frames decoded with ffmpeg, signal read from the lamps, truth-replay
// detections (with noise) through the tracker and rules, evidence in a real S3 endpoint, events in BullMQ.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { violationEventErrors, type ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { startTestS3, testConfig, type TestS3 } from '@phatnguoi/core/testing/index';
import { toJobId } from '@phatnguoi/core/jobs';
import { detectViolationsInVideo } from '../../src/offline';
import { TruthReplayDetector } from '../../src/pipeline/truth-replay-detector';
import { SCRIPTED, renderVideo, truthFrames, videoGeometry } from '../fixtures/synthetic-video';

let dir: string;
let video: string;
let s3: TestS3;
let storage: Storage;
let queues: Queues;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pn-detector-run-'));
  video = join(dir, 'scene.mp4');
  await renderVideo(video);
  s3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  storage = createStorage(config);
  await storage.ensureBuckets();
  queues = createQueues(config);
});

afterAll(async () => {
  await queues?.obliterateAll().catch(() => undefined);
  await queues?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run() {
  const events: ViolationEvent[] = [];
  const result = await detectViolationsInVideo(video, videoGeometry, {
    detector: new TruthReplayDetector(truthFrames(), { jitterPx: 1.5, dropRate: 0.05, seed: 7 }),
    cameraId: 'cam-synthetic',
    location: 'Ngã tư thử nghiệm, Quận 1',
    storage,
    sink: async (event) => {
      events.push(event);
      await queues.enqueue('violation.created', event);
    },
  });
  return { result, events };
}

describe('detector full run on a scripted clip', () => {
  it('finds exactly the scripted violations, with verifiable evidence, enqueued once each', async () => {
    const { result, events } = await run();
    const found = result.violations.map((v) => ({ type: v.type, time: v.time })).sort((a, b) => a.type.localeCompare(b.type));
    expect(found.map((f) => f.type)).toEqual([...SCRIPTED].map((s) => s.type).sort());
    for (const s of SCRIPTED) {
      const v = result.violations.find((x) => x.type === s.type)!;
      expect(Math.abs(v.time - s.time)).toBeLessThan(0.5);
    }
    expect(result.frames).toBe(50); // 10 s at 5 fps

    for (const e of events) {
      expect(violationEventErrors(e)).toEqual([]);
      const kinds = e.evidence.map((f) => f.kind).sort();
      expect(kinds).toEqual(expect.arrayContaining(['scene_after', 'scene_before', 'vehicle_crop']));
      if (e.type === 'red_light') {
        expect(kinds).toContain('clip');
        expect(e.signalState).toMatchObject({ signalHeadId: 'H1', round: 'red', source: 'vision' });
        expect(e.ruleDetail.secondsAfterRed).toBeGreaterThan(2);
      }
      for (const f of e.evidence) {
        const bytes = await storage.get(f.bucket as 'evidence' | 'clips', f.key);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
        expect(bytes.length).toBe(f.size);
        if (f.contentType === 'image/jpeg') {
          const meta = await sharp(bytes).metadata();
          expect(meta.format).toBe('jpeg');
        }
      }
    }
    const red = events.find((e) => e.type === 'red_light')!;
    const scene = await sharp(await storage.get('evidence', red.evidence.find((f) => f.kind === 'scene_before')!.key)).metadata();
    expect([scene.width, scene.height]).toEqual([640, 360]);

    // Running the same video again re-sends the same events: BullMQ keeps one job per idempotency key.
    const again = await run();
    expect(again.events.map((e) => e.idempotencyKey).sort()).toEqual(events.map((e) => e.idempotencyKey).sort());
    const q = queues.queue('violations');
    const jobs = await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    expect(jobs.map((j) => j.id).sort()).toEqual(events.map((e) => toJobId(e.idempotencyKey)).sort());
  });
});
