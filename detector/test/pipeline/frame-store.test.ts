import { describe, expect, it } from 'vitest';
import type { Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import { frameNear, type FrameStore } from '../../src/evidence/evidence';
import { CameraPipeline } from '../../src/pipeline/camera-pipeline';
import { geometry } from '../fixtures/scene';

const image = (): RgbImage => ({ data: new Uint8Array(64 * 72 * 3).fill(90), width: 64, height: 72 });
const noVehicles = { name: 'none', detect: async (): Promise<Detection[]> => [], dispose() {} };

describe('frames kept for evidence', () => {
  it('keeps the last 2 s raw, then only every fifth frame as JPEG, and forgets frames past the look-back', async () => {
    const pipeline = new CameraPipeline({ cameraId: 'cam', geometry, detector: noVehicles, location: 'test' });
    const t0 = Date.parse('2026-11-25T08:00:00Z');
    for (let seq = 0; seq < 150; seq++) await pipeline.processFrame({ seq, capturedAtMs: t0 + seq * 200, image: image() });
    const kept = pipeline.framesKept;
    // 2 s at 5 fps is raw (the newest 11 frames, ages 0..2 s).
    expect(kept.raw).toBe(11);
    expect(kept.seqs.slice(-11)).toEqual(Array.from({ length: 11 }, (_, i) => 139 + i));
    // Older frames: one a second, encoded, back to the look-back (clip 3 s + emit delay 3 s + dwell 1 s + 6 s = 13 s).
    const older = kept.seqs.slice(0, -11);
    expect(older.every((s) => s % 5 === 0)).toBe(true);
    expect(kept.jpeg).toBe(older.length);
    expect(older[0]).toBe(85); // 149 − 13 s × 5 fps = 84: the first kept fifth frame after it
  });
});

describe('frameNear', () => {
  const frames: FrameStore = new Map(
    [10, 15, 20].map((seq) => [seq, { seq, capturedAtMs: seq * 200, width: 1, height: 1, pixels: { kind: 'rgb' as const, data: new Uint8Array(3) } }]),
  );
  it('gives the frame asked for, else the nearest in time within a second, else none', () => {
    expect(frameNear(frames, 15, 3000)?.seq).toBe(15);
    expect(frameNear(frames, 17, 17 * 200)?.seq).toBe(15);
    expect(frameNear(frames, 18, 18 * 200)?.seq).toBe(20);
    expect(frameNear(frames, 40, 40 * 200)).toBeNull();
  });
});

describe('lamp history (the geometry editor lamp tool)', () => {
  /** A 640x720 frame, grey, with the red lamp region (560,20)-(580,40) lit red. */
  const redLit = (): RgbImage => {
    const img = { data: new Uint8Array(640 * 720 * 3).fill(70), width: 640, height: 720 };
    for (let y = 20; y < 40; y++) for (let x = 560; x < 580; x++) img.data.set([250, 30, 20], (y * 640 + x) * 3);
    return img;
  };

  it('keeps the last 25 frames per head in the saved state, with learned levels, and a restarted pipeline serves them again', async () => {
    const pipeline = new CameraPipeline({ cameraId: 'cam', geometry, detector: noVehicles, location: 'test' });
    const t0 = Date.parse('2026-11-25T08:00:00Z');
    for (let seq = 0; seq < 30; seq++) await pipeline.processFrame({ seq, capturedAtMs: t0 + seq * 200, image: redLit() });
    const saved = JSON.parse(JSON.stringify(pipeline.snapshot())) as ReturnType<CameraPipeline['snapshot']>;
    const frames = saved.lampFrames!.H1!;
    expect(frames).toHaveLength(25);
    expect(frames[0]!.t).toBe((t0 + 5 * 200) / 1000);
    const last = frames.at(-1)!;
    expect(last.round).toBe('red');
    const red = last.readings.find((r) => r.lampId === 'R')!;
    expect(red.lit).toBe(true);
    expect(red.brightness).toBe(250);
    expect(last.readings.find((r) => r.lampId === 'G')!.lit).toBe(false);
    // the lit red lamp has learned its lit level, the green one its unlit level
    expect(saved.lampLevels!.H1!.R!.lit).toBeCloseTo(250, 0);
    expect(saved.lampLevels!.H1!.G!.unlit).toBeCloseTo(70, 0);
    const again = new CameraPipeline({ cameraId: 'cam', geometry, detector: noVehicles, location: 'test' });
    again.restore(saved);
    expect(again.lampHistory('H1')).toEqual(frames);
  });
});
