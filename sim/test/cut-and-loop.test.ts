// Cuts and loops: the simulator's `discontinuities` (a hard cut into the red phase, then a loop back to the start)
// and its truth (no violation spans one), and the detector pipeline on that video: no case across a cut or loop,
// the scripted red-light run after the cut still found. Small and low-res so it stays quick.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectViolationsInVideo } from '@phatnguoi/detector/offline';
import { TruthReplayDetector, truthFramesFromSim } from '@phatnguoi/detector/pipeline/truth-replay-detector';
import { resolveScenario } from '../src/scenario/resolve';
import { renderScenarioVideo } from '../src/render/video';
import { evaluate } from '../src/eval/match';
import type { TruthFile } from '../src/truth';

let dir: string;
let video: string;
let truth: TruthFile;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pn-cut-loop-'));
  // Video 0-8 s: source 0-8 (green); 8-16 s: source 15-23 (red since 13); 16-20 s: source 0-4 again.
  const scenario = await resolveScenario('cut-and-loop', { width: 480, height: 270, fps: 5, durationS: 20 });
  video = join(dir, 'cut.mp4');
  ({ truth } = await renderScenarioVideo(scenario, { videoPath: video, truthPath: join(dir, 'cut.truth.json') }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cuts and loops', () => {
  it('the truth lists the cut and the loop, and judges no violation across them', () => {
    expect(truth.discontinuities).toEqual([
      { timeS: 8, kind: 'cut', fromS: 8, toS: 15 },
      { timeS: 16, kind: 'loop', fromS: 23, toS: 0 },
    ]);
    expect(truth.frames).toHaveLength(100);
    // the rider runs the red 6.3 s into it (source 19.3 s): 4.3 s after the cut in video time
    expect(truth.violations.map((v) => `${v.type} ${v.trackId}`)).toEqual(['red_light cut-runner']);
    expect(Math.abs(truth.violations[0]!.timeS - 12.3)).toBeLessThan(0.25);
    // the car crosses 0.5 s after the cut: its approach was before it, so it is not judged
    expect(truth.nearMisses.find((n) => n.trackId === 'cut-crosser')?.note).toMatch(/spans the discontinuity at 8 s/);
    // the video shows the source frames of each segment: the signal turns red at the cut without a yellow
    const round = (t: number) => truth.frames.find((f) => Math.abs(f.t - t) < 1e-6)!.lights[0]!.round;
    expect([round(7.8), round(8), round(15.8), round(16)]).toEqual(['green', 'red', 'red', 'green']);
  });

  it('the pipeline emits no case across the cut or the loop and still finds the red-light run', async () => {
    const result = await detectViolationsInVideo(video, truth.geometry, {
      detector: new TruthReplayDetector(truthFramesFromSim(truth), { jitterPx: 1, dropRate: 0.03, seed: 11 }),
      cameraId: 'sim-cut-and-loop',
    });
    const preds = result.violations.map((v) => ({ type: v.type, timeS: v.time, trackId: v.trackId, box: v.box }));
    const report = evaluate(truth, preds, []);
    expect(report.falseAlarms).toEqual([]);
    expect(report.missed).toEqual([]);
    expect(report.matches).toHaveLength(1);
    // the car first seen at the cut was the one case held back (its approach and the red onset lie before the cut)
    expect(result.suppressed).toBe(1);
  }, 120_000);
});
