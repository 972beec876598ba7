// Writes models/vehicle-detector/MODEL.md from a finished training run: data, settings, size, accuracy, speed.
import { writeFile } from 'node:fs/promises';
import type { DetectionMetrics } from '@phatnguoi/detector/models/metrics';
import type { TrainState } from './checkpoint';

export interface ModelCardInput {
  settings: Record<string, unknown> & { width: number; height: number; batch: number; data: string };
  state: TrainState;
  metrics: DetectionMetrics;
  macs: number;
  params: number;
  inferenceMs: number;
  backend: string;
  trainFrames: number;
  trainScenes: number;
  trainExamples: number;
  valFrames: number;
  valScenes: number;
  trainObjects: Record<string, number>;
  command: string;
  /** Set when the weights were trained by models/gpu/train_centernet.py and imported. */
  gpuRun?: GpuRun;
}

/** train-gpu.json, written by models/gpu/train_centernet.py. */
export interface GpuRun {
  steps: number;
  examples: number;
  minutes: number;
  batch: number;
  lr: number;
  examplesPerSecond: number;
  validationLoss: number;
  data: string;
  trainFrames: number;
  trainScenes: number;
  trainObjects: Record<string, number>;
  validationFrames: number;
  device: string;
  command: string;
  history: Array<{ step: number; minutes: number; loss: number | null; val: number }>;
}

export async function writeModelCard(file: string, m: ModelCardInput): Promise<void> {
  const pct = (v: number) => (v * 100).toFixed(1);
  const rows = m.metrics.perClass
    .map((c) => `| ${c.cls} | ${c.groundTruth} | ${pct(c.ap)} | ${pct(c.recallAtScore)} | ${pct(c.precisionAtScore)} | ${pct(c.maxRecall)} |`)
    .join('\n');
  const last = m.state.lossHistory[m.state.lossHistory.length - 1];
  const text = `# vehicle-net: the project's vehicle detector

Written by \`npm run train:detector\` at the end of a training run (${new Date().toISOString().slice(0, 16)} UTC). Re-running the
command overwrites this file, the weights and \`metrics.json\`.

## What it is
- Architecture: \`detector/src/models/vehicle-net.ts\`: MobileNet-like backbone of depthwise-separable blocks (down to
  stride 32, so that vehicles close to the camera are seen whole), two top-down steps back to stride 8, CenterNet-style
  anchor-free head: per-class centre heatmap (sigmoid), log box size and centre offset per stride-8 cell. Decoding: 3x3
  local maxima, then per-class NMS (IoU 0.5).
- Classes: motorbike, car (taxis included), bus, truck.
- Input: ${m.settings.width}x${m.settings.height} RGB, 0–1, letterboxed from the region of interest (or the whole frame).
- Size: ${m.params.toLocaleString('en')} parameters (${((m.params * 4) / 1024).toFixed(0)} KiB float32), ${(m.macs / 1e6).toFixed(1)} M multiply-adds per frame.
- Files: \`model.json\` + \`weights.bin\` (TF.js layers model), \`detector.json\` (the loader config: \`loadDetector('models/vehicle-detector/detector.json')\`),
  \`metrics.json\`, \`checkpoint/\` (model, Adam state and loop state for \`--resume\`).

${m.gpuRun ? gpuSections(m, m.gpuRun) : tfjsSections(m, last)}
## Accuracy on held-out simulator scenes
IoU ≥ ${m.metrics.iouThreshold}; the operating point is the config's score threshold ${m.metrics.operatingScore}.

| class | objects | AP50 % | recall % | precision % | recall at any score % |
|---|---|---|---|---|---|
${rows}

mAP50: **${pct(m.metrics.mAP)} %**. These are simulator scenes only; real footage will score lower until the model sees real data.

## Speed
Model alone: ${m.inferenceMs.toFixed(1)} ms per frame on ${m.backend}, one thread (measured after training, on a loaded machine).
\`npm run bench:detector\` measures the whole per-frame path (frame conversion, preprocessing, model, decode/NMS).

## Loader config (\`detector.json\`)
The detector runs this model through the same loader as any production model (\`loadDetector\`, format documented in
\`detector/src/models/README.md\`): \`format: layers\`, \`modelPath: model.json\`, input ${m.settings.width}x${m.settings.height} NHWC RGB,
letterbox, mean 0 / std 255, \`head: { type: centernet, stride: 8 }\`, labels motorbike, car, bus, truck, score threshold 0.3,
per-class NMS at IoU 0.5. To use another model, write a config for it and point the detector at that file.

## Resume or retrain
- Data: \`npm run sim -- export --what detector --catalogue --scenarios 110 --every 12 --det-size 960x540 --out models/.data/vehicle-export\`
  (deterministic; held-out evaluation scenes are refused by the exporter).
- Resume an interrupted run: \`npm run train:detector -- --resume <same arguments>\` (reads \`checkpoint/\`).
- Train longer: \`--resume --steps <more> --minutes <more>\`.
`;
  await writeFile(file, text);
}

function tfjsSections(m: ModelCardInput, last: ModelCardInput['state']['lossHistory'][number] | undefined): string {
  return `## Data
- Simulator training export: \`${m.settings.data}\` (sim/EXPORT.md). Train/validation split by scene, so no scene is in both.
- Training: ${m.trainFrames} frames from ${m.trainScenes} scenes → ${m.trainExamples} examples per frame: the scene's
  region of interest as the pipeline crops it (\`detectionRoi\`: lanes plus the road past the stop lines), then alternately
  that region jittered (±20 % size, ±10 % shift) and random crops of the model's aspect ratio (30–100 % of the frame width); objects: ${Object.entries(
    m.trainObjects,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
  Objects more than 70 % occluded are not labelled. Augmentation per batch: horizontal flip, contrast 0.7–1.3, brightness ±30, 10 % greyscale.
- Validation: ${m.valFrames} frames from ${m.valScenes} held-out scenes, each scene's region of interest through the same \`TfVehicleDetector\` the pipeline uses; only objects at least half inside it count.

## Training
- Command: \`${m.command}\`
- Backend ${m.backend}, batch ${m.settings.batch}, Adam, learning rate ${String(m.settings.lr)} with 100-step warm-up and cosine decay
  over the step count or the time budget, whichever ends first.
- Ran ${m.state.step} steps (${m.state.examplesSeen.toLocaleString('en')} examples) in ${(m.state.trainSeconds / 60).toFixed(1)} min
  (${(m.state.examplesSeen / Math.max(1, m.state.trainSeconds)).toFixed(1)} examples/s on a shared 2-core machine).
- Final loss (moving average): ${last ? `${last.loss.toFixed(3)} (heatmap ${last.heatmap.toFixed(3)}, box ${last.box.toFixed(3)})` : 'n/a'}.`;
}

function gpuSections(m: ModelCardInput, g: GpuRun): string {
  return `## Data
- Simulator training export: \`${g.data}\` (sim/EXPORT.md), frames at 640x360. Train/validation split by scene, so no scene is in both.
- Training: ${g.trainFrames} frames from ${g.trainScenes} scenes; objects: ${Object.entries(g.trainObjects)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.
  Every example is drawn afresh: a third the scene's region of interest as the pipeline crops it (\`detectionRoi\`: lanes
  plus the road past the stop lines), a third that region jittered (±20 % size, ±10 % shift), a third random crops of
  the model's aspect ratio (30–100 % of the frame width). Objects more than 70 % occluded are not labelled.
  Augmentation: horizontal flip, contrast 0.7–1.3, brightness ±30, 10 % greyscale.
- Validation: ${m.valFrames} frames from ${m.valScenes} held-out scenes, each scene's region of interest through the same \`TfVehicleDetector\` the pipeline uses; only objects at least half inside it count.

## Training
- Trained on a lent GPU (${g.device}) by the optional PyTorch trainer \`models/gpu/train_centernet.py\` (models/gpu/README.md):
  the same network (built from this model.json), examples, targets and loss as \`npm run train:detector\`, then imported with
  \`${m.command}\`, which checked that TF.js gives the trainer's output on a fixed input before taking the weights.
- Command there: \`${g.command}\`
- Batch ${g.batch}, Adam, learning rate ${g.lr} with 200-step warm-up and cosine decay over the time budget.
- Ran ${g.steps.toLocaleString('en')} steps (${g.examples.toLocaleString('en')} examples) in ${g.minutes} min (${g.examplesPerSecond.toLocaleString('en')} examples/s).
  Validation loss at the end: ${g.validationLoss.toFixed(3)}.
- The TF.js trainer continues from these weights on any machine: \`npm run train:detector -- --resume\` (the import wrote \`checkpoint/\`).
`;
}
