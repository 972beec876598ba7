// tsx models/src/detector/eval-detector.ts [--model <detector.json>] [--nanodet <folder>] [--data <export>/detector] [--frames 150]
// Scores any detector config on the held-out scenes of a simulator export (the same scene split as training):
// per-class AP50, recall and precision at the config's score threshold, through the pipeline's own detector.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIM_DETECTOR_CONFIG, loadDetector } from '@phatnguoi/detector/models/load-detector';
import { nanodetCocoConfig } from '@phatnguoi/detector/models/presets/nanodet-coco';
import { evaluateDetections } from '@phatnguoi/detector/models/metrics';
import { VEHICLE_NET_LABELS } from '@phatnguoi/detector/models/vehicle-net';
import { frameTruth, readExport, readRgb, splitByGroup } from './dataset';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    nanodet: { type: 'string' },
    data: { type: 'string', default: path.join(ROOT, 'models/.data/vehicle-export/detector') },
    frames: { type: 'string', default: '150' },
    'val-fraction': { type: 'string', default: '0.15' },
  },
});

async function main(): Promise<void> {
  const labels = [...VEHICLE_NET_LABELS];
  const all = await readExport(args.data!);
  const { val } = splitByGroup(all, Number(args['val-fraction']));
  const n = Number(args.frames);
  const frames = val.length <= n ? val : val.filter((_, i) => i % Math.ceil(val.length / n) === 0);
  const config = args.nanodet ? nanodetCocoConfig(path.join(args.nanodet, 'nanodet.json')) : (args.model ?? SIM_DETECTOR_CONFIG);
  if (typeof config === 'string' && !existsSync(config)) throw new Error(`no detector config at ${config}`);
  const det = await loadDetector(config);
  const operating = det.config.scoreThreshold;
  // Low threshold so the AP curve is complete; the operating point is applied in the metrics.
  (det.config as { scoreThreshold: number }).scoreThreshold = Math.min(operating, 0.05);
  const images = [];
  const started = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    images.push({ truth: frameTruth(f, labels, f.roi), predictions: await det.detect(await readRgb(f.image), f.roi) });
    if ((i + 1) % 25 === 0) process.stderr.write(`  ${i + 1}/${frames.length} frames (${((performance.now() - started) / (i + 1)).toFixed(0)} ms/frame)\n`);
  }
  const m = evaluateDetections(images, labels, 0.5, operating);
  console.log(`${det.name} on ${frames.length} held-out frames (${new Set(frames.map((f) => f.group)).size} scenes) of ${args.data}`);
  for (const c of m.perClass) {
    console.log(
      `  ${c.cls.padEnd(10)} AP50 ${(c.ap * 100).toFixed(1).padStart(5)} %  recall ${(c.recallAtScore * 100).toFixed(1).padStart(5)} %  precision ${(c.precisionAtScore * 100).toFixed(1).padStart(5)} %  (objects ${c.groundTruth})`,
    );
  }
  console.log(`  mAP50 ${(m.mAP * 100).toFixed(1)} %  (IoU 0.5, operating score ${operating})`);
  det.dispose();
}

main().catch((err) => {
  console.error(`eval-detector failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
