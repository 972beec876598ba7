// Full run on a clip from the scene simulator: its rendered video and truth file, the detector pipeline
// with the plate reader, evidence in a real S3 endpoint. The vehicle detector is the truth-replay
// detector with noise (rules, tracking, signal reading and evidence in isolation); once the trained
// model is committed (models/vehicle-detector/detector.json), the same clip also runs through it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { violationEventErrors } from '@phatnguoi/core/contracts/violation-event';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { startTestS3, testConfig, type TestS3 } from '@phatnguoi/core/testing/index';
import { resolveScenario } from '../src/scenario/resolve';
import { renderScenarioVideo } from '../src/render/video';
import type { TruthFile } from '../src/truth';
import { detectViolationsInVideo } from '@phatnguoi/detector/offline';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { createRng } from '@phatnguoi/core/plates/generate';
import { TruthReplayDetector, truthFramesFromSim } from '@phatnguoi/detector/pipeline/truth-replay-detector';
import { Tracker } from '@phatnguoi/detector/tracking/tracker';
import { loadDetector, SIM_DETECTOR_CONFIG } from '@phatnguoi/detector/models/load-detector';
import { createPlateReader, DEFAULT_PLATE_MODEL, type PlateReader } from '@phatnguoi/detector/plates/index';
import { platePortFrom } from '@phatnguoi/detector/pipeline/plate-port';

let dir: string;
let video: string;
let truth: TruthFile;
let s3: TestS3;
let storage: Storage;
let reader: PlateReader | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pn-sim-run-'));
  const scenario = await resolveScenario('red-light-runners', { fps: 5 });
  video = join(dir, 'clip.mp4');
  ({ truth } = await renderScenarioVideo(scenario, { videoPath: video, truthPath: join(dir, 'clip.truth.json') }));
  s3 = await startTestS3();
  storage = createStorage(testConfig({ s3: s3.s3 }));
  await storage.ensureBuckets();
  if (existsSync(DEFAULT_PLATE_MODEL)) reader = await createPlateReader();
}, 240_000);

afterAll(async () => {
  reader?.dispose();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('detector full run on a simulator clip', () => {
  it('detects exactly the truth violations at their times, with hashed evidence', async () => {
    expect(truth.violations.length).toBeGreaterThan(0);
    const result = await detectViolationsInVideo(video, truth.geometry, {
      detector: new TruthReplayDetector(truthFramesFromSim(truth), { jitterPx: 1.5, dropRate: 0.03, seed: 11 }),
      cameraId: 'sim-red-light-runners',
      storage,
      ...(reader ? { plates: platePortFrom(reader) } : {}),
    });
    const detected = result.violations.map((v) => ({ type: v.type, time: v.time })).sort((a, b) => a.time - b.time);
    expect(detected.map((d) => d.type)).toEqual(truth.violations.map((v) => v.type));
    detected.forEach((d, i) => expect(Math.abs(d.time - truth.violations[i]!.timeS)).toBeLessThan(0.5));

    // The signal as the rules judge each frame (settled, new colours dated back to their first frame) agrees
    // with the simulator's controller state at the bar where the lamps are readable; on frames that
    // caught the LEDs dark it is the held colour or unknown, never a wrong colour.
    const heads = new Set(truth.geometry.signalHeads.map((h) => h.id));
    let agree = 0;
    let total = 0;
    let darkWrong = 0;
    for (const l of result.lights) {
      const f = truth.frames.find((x) => Math.abs(x.t - l.timeS) < 0.01);
      const t = f?.lights.find((x) => x.headId === l.headId);
      if (!t || !heads.has(l.headId)) continue;
      if (!t.lit) {
        if (l.round !== 'unknown' && l.round !== t.round) darkWrong++;
        continue;
      }
      total++;
      if (t.round === l.round) agree++;
    }
    expect(total).toBeGreaterThan(0);
    expect(agree / total).toBeGreaterThanOrEqual(0.99);
    expect(darkWrong).toBe(0);

    for (const v of result.violations) {
      expect(violationEventErrors(v.event)).toEqual([]);
      const kinds = v.event.evidence.map((e) => e.kind);
      expect(kinds).toEqual(expect.arrayContaining(['clip', 'scene_before', 'scene_after', 'vehicle_crop']));
      if (v.event.plate.reads > 0) expect(kinds).toContain('plate_crop');
      for (const f of v.event.evidence) {
        const bytes = await storage.get(f.bucket as 'evidence' | 'clips', f.key);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      }
    }
  }, 240_000);

  it('keeps one tracker id per simulated vehicle through box noise and dropouts', () => {
    const frames = truthFramesFromSim(truth, 0.5);
    const rand = createRng(5);
    const tracker = new Tracker();
    const idsOf = new Map<string, Map<string, number>>();
    frames.forEach((f, seq) => {
      const dets = f.objects
        .filter(() => rand() > 0.05)
        .map((o) => ({ truth: o.id, cls: o.cls, score: rand() < 0.1 ? 0.3 : 0.9, box: o.box.map((v) => v + (rand() - 0.5) * 3) as Box }));
      for (const tr of tracker.update(seq, f.t, dets).updated) {
        const det = dets.find((d) => d.box === tr.history[tr.history.length - 1]!.box)!;
        const m = idsOf.get(det.truth) ?? new Map<string, number>();
        m.set(tr.id, (m.get(tr.id) ?? 0) + 1);
        idsOf.set(det.truth, m);
      }
    });
    // Vehicles seen for at least 2 s: how many keep a single id (fragments of 1–2 frames aside)?
    const long = [...idsOf.values()].filter((m) => [...m.values()].reduce((a, b) => a + b, 0) >= 10);
    const stable = long.filter((m) => [...m.values()].filter((n) => n > 2).length === 1);
    expect(long.length).toBeGreaterThan(10);
    // Measured 24 of 30 on this clip at 5 fps: the switches are swaps between tiny motorbikes queued at the horizon.
    expect(stable.length / long.length).toBeGreaterThanOrEqual(0.75);
  });

  // The project's model trained on simulated scenes, on the same scene (held-out accuracy: models/vehicle-detector/MODEL.md,
  // `npm run eval -- --heldout`). Named explicitly: the shipped default (models/real-detector) is made for real cameras.
  it.runIf(existsSync(SIM_DETECTOR_CONFIG))(
    'finds the red-light runners with the trained vehicle detector, and no other red-light case',
    async () => {
      const detector = await loadDetector(SIM_DETECTOR_CONFIG);
      const result = await detectViolationsInVideo(video, truth.geometry, { cameraId: 'sim-model', detector }).finally(() => detector.dispose());
      const red = result.violations.filter((v) => v.type === 'red_light');
      const truthRed = truth.violations.filter((v) => v.type === 'red_light');
      for (const t of truthRed) expect(red.some((v) => Math.abs(v.time - t.timeS) < 1)).toBe(true);
      for (const v of red) expect(truthRed.some((t) => Math.abs(v.time - t.timeS) < 1)).toBe(true);
    },
    240_000,
  );
});
