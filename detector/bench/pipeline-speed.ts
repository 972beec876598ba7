// Pipeline overhead and rules' upper bound on a simulator video: the truth-replay detector stands in for
// the model, so the time measured is decoding + signal reading + tracking + rules (+ evidence when asked).
//   npx tsx detector/bench/pipeline-speed.ts <video.mp4> <video.truth.json> [--fps 5] [--model] [--nanodet <dir>]
// With --model the shipped default detector runs instead (loadDetector(): models/real-detector, or DETECTOR_CONFIG's
// config through offline.ts); with --nanodet the COCO
// NanoDet graph model from that folder (e.g. /work/shared/data/models/nanodet-coco-tfjs).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { detectViolationsInVideo } from '../src/offline';
import type { VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { TruthReplayDetector, truthFramesFromSim } from '../src/pipeline/truth-replay-detector';
import { loadDetector } from '../src/models/load-detector';
import { nanodetCocoConfig } from '../src/models/presets/nanodet-coco';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { fps: { type: 'string' }, model: { type: 'boolean' }, nanodet: { type: 'string' }, jitter: { type: 'string' } },
});
const [video, truthPath] = positionals;
if (!video || !truthPath) {
  console.error('usage: npx tsx detector/bench/pipeline-speed.ts <video.mp4> <video.truth.json> [--fps 5] [--model] [--jitter px]');
  process.exit(2);
}
interface SimTruth {
  geometry: unknown;
  violations: { type: string; timeS: number; trackId: string }[];
  frames: { t: number; objects: Parameters<typeof truthFramesFromSim>[0]['frames'][number]['objects']; lights?: { headId: string; round: string }[] }[];
}
const truth = JSON.parse(await readFile(truthPath, 'utf8')) as SimTruth;
const fps = Number(values.fps ?? 5);
const started = performance.now();
let detector: VehicleDetector | undefined;
if (values.nanodet) detector = await loadDetector(nanodetCocoConfig(values.nanodet));
else if (!values.model) detector = new TruthReplayDetector(truthFramesFromSim(truth), { jitterPx: Number(values.jitter ?? 1), seed: 1 });
const result = await detectViolationsInVideo(video, truth.geometry, { fps, ...(detector ? { detector } : {}) });
const wall = performance.now() - started;
console.log(`detector ${result.detector}: ${result.frames} frames at ${fps} fps in ${(wall / 1000).toFixed(1)} s (incl. ffmpeg decode)`);
console.log(
  `per frame: pipeline ${result.msPerFrame.toFixed(2)} ms, of which detector ${result.detectMsPerFrame.toFixed(2)} ms; tracking+signal+rules ${(result.msPerFrame - result.detectMsPerFrame).toFixed(2)} ms`,
);
const st = result.stageMsPerFrame;
console.log(
  `stages per frame: signal ${st.signal.toFixed(2)} ms, tracking ${st.track.toFixed(2)} ms, plates ${st.plates.toFixed(2)} ms, rules ${st.rules.toFixed(2)} ms, evidence+emit ${st.emit.toFixed(2)} ms`,
);
let agree = 0;
let total = 0;
let unknown = 0;
for (const l of result.lights) {
  const f = truth.frames.find((x) => Math.abs(x.t - l.timeS) < 0.01);
  const t = f?.lights?.find((x) => x.headId === l.headId);
  if (!t) continue;
  total++;
  if (t.round === l.round) agree++;
  else if (l.round === 'unknown') unknown++;
}
if (total) console.log(`signal state vs truth: ${((100 * agree) / total).toFixed(1)}% of ${total} head-frames agree (${unknown} unknown)`);
console.log('truth:    ', truth.violations.map((v) => `${v.type}@${v.timeS.toFixed(2)}s(${v.trackId})`).join(' ') || '-');
console.log('detected: ', result.violations.map((v) => `${v.type}@${v.time.toFixed(2)}s(${v.trackId})`).join(' ') || '-');
