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
