// npm run train:detector -- [--data <sim export>/detector] [--steps 3000] [--minutes 60] [--resume]
// Data first: npm run sim -- export --what detector --catalogue --scenarios 110 --every 12 --det-size 960x540 \
//   --out models/.data/vehicle-export   (about 3,000 frames; git-ignored)
// Trains the project's vehicle detector (detector/src/models/vehicle-net.ts) on the simulator's training export,
// on the best TF.js backend present (wasm here, with the project's gradient kernels). Prints progress, saves
// checkpoints, evaluates on held-out scenes and writes the weights, detector.json and MODEL.md.
// Training on a CUDA machine instead (optional, models/gpu/README.md):
//   npm run train:detector -- --init-only --out DIR     the untrained network, the GPU trainer's start point
//   npm run train:detector -- --import DIR              weights it trained: checked against its own output on a fixed
//                                                       input, then evaluated and written like the end of a run here
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initTf } from '@phatnguoi/detector/tf/runtime';
import { fileSaveHandler, loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';
import { buildVehicleNet, countMultiplyAdds, VEHICLE_NET_LABELS, VEHICLE_NET_STRIDE } from '@phatnguoi/detector/models/vehicle-net';
import { parseDetectorConfig, type DetectorConfig, type DetectorConfigInput } from '@phatnguoi/detector/models/config';
import { TfVehicleDetector } from '@phatnguoi/detector/models/tf-detector';
import { evaluateDetections, type DetectionMetrics } from '@phatnguoi/detector/models/metrics';
import { framesToExamples, frameTruth, readExport, readRgb, rng, splitByGroup, type Example, type FrameRecord } from './detector/dataset';
import { drawTargets, type TargetGrid } from './detector/targets';
import { centerNetLoss } from './detector/loss';
import { loadCheckpoint, saveCheckpoint, type TrainState } from './detector/checkpoint';
import { writeModelCard, type GpuRun } from './detector/model-card';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: path.join(ROOT, 'models/.data/vehicle-export/detector') },
    out: { type: 'string', default: path.join(ROOT, 'models/vehicle-detector') },
    steps: { type: 'string', default: '3000' },
    minutes: { type: 'string', default: '60', description: 'Stop (and evaluate) when this much training time has passed.' },
    batch: { type: 'string', default: '16' },
    lr: { type: 'string', default: '0.002' },
    crops: { type: 'string', default: '3', description: 'Examples per frame: the region of interest, then jittered ones and random crops.' },
    'max-frames': { type: 'string', default: '2500' },
    'val-fraction': { type: 'string', default: '0.15' },
    'val-frames': { type: 'string', default: '200' },
    width: { type: 'string', default: '320' },
    height: { type: 'string', default: '192' },
    seed: { type: 'string', default: '1' },
    resume: { type: 'boolean', default: false },
    'init-only': { type: 'boolean', default: false },
    import: { type: 'string' },
    'checkpoint-every': { type: 'string', default: '100' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(
    'npm run train:detector -- --data <export dir> [--steps N] [--minutes M] [--batch B] [--resume] [--out models/vehicle-detector]\n' +
      '       npm run train:detector -- --init-only --out DIR     (untrained network for models/gpu/train_centernet.py)\n' +
      '       npm run train:detector -- --import DIR [--data <export dir>]   (weights trained by models/gpu/train_centernet.py)\n',
  );
  process.exit(0);
}

const num = (v: string | undefined, name: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
};

const settings = {
  data: path.resolve(args.data!),
  steps: num(args.steps, 'steps'),
  minutes: num(args.minutes, 'minutes'),
  batch: num(args.batch, 'batch'),
  lr: num(args.lr, 'lr'),
  crops: num(args.crops, 'crops'),
  maxFrames: num(args['max-frames'], 'max-frames'),
  valFraction: num(args['val-fraction'], 'val-fraction'),
  valFrames: num(args['val-frames'], 'val-frames'),
  width: num(args.width, 'width'),
  height: num(args.height, 'height'),
  seed: num(args.seed, 'seed'),
};
const outDir = path.resolve(args.out!);
const checkpointDir = path.join(outDir, 'checkpoint');
const labels = [...VEHICLE_NET_LABELS];

function log(line: string): void {
  process.stdout.write(`[train:detector ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function detectorConfig(): DetectorConfig {
  const cfg: DetectorConfigInput = {
    name: 'vehicle-net',
    format: 'layers',
    modelPath: 'model.json',
    input: {
      width: settings.width,
      height: settings.height,
      resize: 'letterbox',
      padValue: 0,
      channelOrder: 'RGB',
      layout: 'NHWC',
      mean: [0, 0, 0],
      std: [255, 255, 255],
    },
    head: { type: 'centernet', stride: VEHICLE_NET_STRIDE },
    labels,
    scoreThreshold: 0.3,
    iouThreshold: 0.5,
    maxDetections: 100,
  };
  return parseDetectorConfig(cfg);
}

/** Builds one batch in JS: photometric jitter and horizontal flips on the pixels, targets from the boxes. */
function makeBatch(examples: Example[], idx: number[], grid: TargetGrid, random: () => number) {
  const { width: w, height: h } = settings;
  const b = idx.length;
  const input = new Float32Array(b * h * w * 3);
  const cells = grid.gw * grid.gh;
  const heat = new Float32Array(b * cells * grid.numClasses);
  const reg = new Float32Array(b * cells * 4);
  const mask = new Float32Array(b * cells);
  let positives = 0;
  idx.forEach((e, bi) => {
    const ex = examples[e]!;
    const flip = random() < 0.5;
    const contrast = 0.7 + 0.6 * random();
    const bright = (random() - 0.5) * 60;
    const gray = random() < 0.1;
    const base = bi * h * w * 3;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = (y * w + (flip ? w - 1 - x : x)) * 3;
        const dst = base + (y * w + x) * 3;
        const r = ex.pixels[src]!;
        const g = ex.pixels[src + 1]!;
        const bl = ex.pixels[src + 2]!;
        const l = gray ? r * 0.299 + g * 0.587 + bl * 0.114 : -1;
        for (let c = 0; c < 3; c++) {
          const v = l >= 0 ? l : c === 0 ? r : c === 1 ? g : bl;
          input[dst + c] = Math.min(255, Math.max(0, (v - 128) * contrast + 128 + bright)) / 255;
        }
      }
    }
    const boxes = flip
      ? ex.boxes.map((o) => ({ cls: o.cls, box: [w - o.box[2], o.box[1], w - o.box[0], o.box[3]] as [number, number, number, number] }))
      : ex.boxes;
    positives += drawTargets(boxes, grid, heat, reg, mask, bi * cells);
  });
  return {
    x: tf.tensor4d(input, [b, h, w, 3]),
    heat: tf.tensor4d(heat, [b, grid.gh, grid.gw, grid.numClasses]),
    reg: tf.tensor4d(reg, [b, grid.gh, grid.gw, 4]),
    mask: tf.tensor4d(mask, [b, grid.gh, grid.gw, 1]),
    positives,
  };
}

async function prepareExamples(frames: FrameRecord[], cfg: DetectorConfig): Promise<Example[]> {
  const random = rng(settings.seed * 7919);
  const examples: Example[] = [];
  const started = Date.now();
  for (let i = 0; i < frames.length; i++) {
    examples.push(...(await framesToExamples(frames[i]!, labels, cfg.input, settings.crops, random)));
    if ((i + 1) % 100 === 0 || i + 1 === frames.length) {
      const rate = (i + 1) / ((Date.now() - started) / 1000);
      log(
        `prepared ${i + 1}/${frames.length} frames → ${examples.length} examples (${rate.toFixed(1)} frames/s, ETA ${((frames.length - i - 1) / rate).toFixed(0)} s)`,
      );
    }
  }
  return examples;
}

async function evaluate(model: tf.LayersModel, cfg: DetectorConfig, frames: FrameRecord[]): Promise<DetectionMetrics> {
  const det = new TfVehicleDetector({ ...cfg, scoreThreshold: 0.05 }, { kind: 'layers', model });
  const images: Array<{ truth: ReturnType<typeof frameTruth>; predictions: Array<{ box: [number, number, number, number]; cls: string; score: number }> }> = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const predictions = await det.detect(await readRgb(f.image), f.roi);
    images.push({ truth: frameTruth(f, labels, f.roi), predictions });
    if ((i + 1) % 50 === 0) log(`validation ${i + 1}/${frames.length} frames`);
  }
  return evaluateDetections(images, labels, 0.5, cfg.scoreThreshold);
}

async function inferenceMs(model: tf.LayersModel): Promise<number> {
  const x = tf.zeros([1, settings.height, settings.width, 3]);
  const once = async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
  await once();
  const n = 20;
  const t = performance.now();
  for (let i = 0; i < n; i++) await once();
  x.dispose();
  return (performance.now() - t) / n;
}

/** `--init-only`: the untrained network, written where the GPU trainer (models/gpu/) reads its start point. */
async function writeInitialModel(): Promise<void> {
  if (!args.out || outDir === path.join(ROOT, 'models/vehicle-detector')) {
    throw new Error('--init-only needs an --out folder other than models/vehicle-detector (it would replace the trained model)');
  }
  const model = buildVehicleNet({ width: settings.width, height: settings.height, numClasses: labels.length, seed: settings.seed });
  await mkdir(outDir, { recursive: true });
  await model.save(fileSaveHandler(outDir));
  log(
    `untrained network (${model.countParams()} parameters, ${(countMultiplyAdds(model) / 1e6).toFixed(1)} M multiply-adds) → ${outDir}/model.json, weights.bin`,
  );
}

/**
 * `--import DIR`: weights trained by models/gpu/train_centernet.py. TF.js must give the same output as PyTorch did
 * on the trainer's fixed input (check-end.bin), or the network was not carried over faithfully.
 */
async function importGpuWeights(dir: string): Promise<{ model: tf.LayersModel; state: TrainState; run: GpuRun }> {
  const run = JSON.parse(await readFile(path.join(dir, 'train-gpu.json'), 'utf8')) as GpuRun;
  const model = await loadLayersModelFromFile(path.join(dir, 'model.json'));
  const expected = new Float32Array(new Uint8Array(await readFile(path.join(dir, 'check-end.bin'))).buffer);
  const diff = maxDifferenceOnCheckInput(model, expected);
  if (!(diff < 1e-3)) throw new Error(`${dir}: TF.js output differs from the trainer's by ${diff} on the check input: not importing`);
  log(
    `imported ${dir}: ${run.steps} steps, ${run.examples.toLocaleString('en')} examples in ${run.minutes} min on ${run.device}; TF.js output matches the trainer's (largest difference ${diff.toExponential(1)})`,
  );
  const state: TrainState = {
    step: run.steps,
    totalSteps: run.steps,
    examplesSeen: run.examples,
    trainSeconds: run.minutes * 60,
    settings: { ...settings, trainer: 'models/gpu/train_centernet.py', batch: run.batch, lr: run.lr },
    lossHistory: [], // the trainer's own history is in train-gpu.json and the model card
  };
  return { model, state, run };
}

/** Largest difference between the model's output on the GPU trainer's fixed input and `expected`. */
function maxDifferenceOnCheckInput(model: tf.LayersModel, expected: Float32Array): number {
  const [_, h, w, c] = model.inputs[0]!.shape as number[];
  const n = h! * w! * c!;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 7919) % 256) / 255;
  const y = tf.tidy(() => (model.predict(tf.tensor4d(x, [1, h!, w!, c!])) as tf.Tensor).dataSync() as Float32Array);
  if (y.length !== expected.length) return Infinity;
  let max = 0;
  for (let i = 0; i < y.length; i++) max = Math.max(max, Math.abs(y[i]! - expected[i]!));
  return max;
}

/** The TF.js training loop: from scratch or `--resume`, until the step count or the time budget. */
async function train(
  optimizer: tf.Optimizer,
  trainFrames: FrameRecord[],
  cfg: DetectorConfig,
): Promise<{ model: tf.LayersModel; state: TrainState; trainExamples: number }> {
  let model: tf.LayersModel;
  let state: TrainState;
  if (args.resume && existsSync(path.join(checkpointDir, 'state.json'))) {
    ({ model, state } = await loadCheckpoint(checkpointDir, optimizer));
    // The step count and time budget of this invocation apply (resume with larger ones to train longer).
    state.totalSteps = settings.steps;
    log(
      `resumed from ${checkpointDir} at step ${state.step}/${state.totalSteps} (${state.examplesSeen} examples, ${(state.trainSeconds / 60).toFixed(1)} min trained)`,
    );
  } else {
    if (args.resume) log(`no checkpoint in ${checkpointDir}: starting fresh`);
    model = buildVehicleNet({ width: settings.width, height: settings.height, numClasses: labels.length, seed: settings.seed });
    state = { step: 0, totalSteps: settings.steps, examplesSeen: 0, trainSeconds: 0, settings, lossHistory: [] };
  }
  const macs = countMultiplyAdds(model);
  log(`model: ${model.countParams()} parameters, ${(macs / 1e6).toFixed(1)} M multiply-adds per ${settings.width}x${settings.height} frame`);

  const examples = await prepareExamples(trainFrames, cfg);
  if (examples.length < settings.batch) throw new Error(`only ${examples.length} training examples`);
  const grid: TargetGrid = {
    gw: settings.width / VEHICLE_NET_STRIDE,
    gh: settings.height / VEHICLE_NET_STRIDE,
    stride: VEHICLE_NET_STRIDE,
    numClasses: labels.length,
  };
  const random = rng(settings.seed * 104729 + state.step);
  let order: number[] = [];
  const nextIndices = (): number[] => {
    const out: number[] = [];
    while (out.length < settings.batch) {
      if (order.length === 0) {
        order = examples.map((_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      out.push(order.pop()!);
    }
    return out;
  };

  const budgetS = settings.minutes * 60;
  const sessionStart = performance.now();
  const trainedBefore = state.trainSeconds;
  let ema: { loss: number; heatmap: number; box: number } | null = null;
  let windowStart = performance.now();
  let windowExamples = 0;
  let stopRequested = false;
  process.once('SIGINT', () => {
    stopRequested = true;
    log('SIGINT: finishing this step, saving a checkpoint and stopping');
  });
  const setLr = (lr: number) => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };

  while (state.step < state.totalSteps && !stopRequested) {
    const elapsed = trainedBefore + (performance.now() - sessionStart) / 1000;
    if (elapsed > budgetS) {
      log(`time budget of ${settings.minutes} min reached at step ${state.step}`);
      break;
    }
    // Warm-up, then cosine decay over whichever comes first: the step count or the time budget.
    const progress = Math.min(1, Math.max(state.step / state.totalSteps, elapsed / budgetS));
    const warm = Math.min(1, (state.step + 1) / 100);
    setLr(settings.lr * warm * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress))));

    const batch = makeBatch(examples, nextIndices(), grid, random);
    let parts: number[] = [];
    const lossT = optimizer.minimize(() => {
      const pred = model.apply(batch.x, { training: true }) as tf.Tensor4D;
      const l = centerNetLoss(pred, batch.heat, batch.reg, batch.mask, labels.length);
      // The loss parts for the progress line (scalars; the step waits for the loss anyway).
      parts = [l.heatmap.dataSync()[0]!, l.box.dataSync()[0]!];
      return l.total;
    }, true);
    const loss = (await lossT!.data())[0]!;
    lossT!.dispose();
    tf.dispose([batch.x, batch.heat, batch.reg, batch.mask]);
    if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${state.step}: stopping (lower --lr?)`);
    state.step++;
    state.examplesSeen += settings.batch;
    windowExamples += settings.batch;
    const cur = { loss, heatmap: parts[0]!, box: parts[1]! };
    ema = ema ? { loss: 0.95 * ema.loss + 0.05 * cur.loss, heatmap: 0.95 * ema.heatmap + 0.05 * cur.heatmap, box: 0.95 * ema.box + 0.05 * cur.box } : cur;
    state.trainSeconds = trainedBefore + (performance.now() - sessionStart) / 1000;

    if (state.step % 10 === 0 || state.step === 1) {
      const rate = windowExamples / ((performance.now() - windowStart) / 1000);
      const stepsLeftByCount = state.totalSteps - state.step;
      const etaS = Math.min((stepsLeftByCount * settings.batch) / rate, budgetS - state.trainSeconds);
      log(
        `step ${state.step}/${state.totalSteps} loss ${ema.loss.toFixed(3)} (heatmap ${ema.heatmap.toFixed(3)}, box ${ema.box.toFixed(3)}) ` +
          `${rate.toFixed(1)} examples/s, lr ${(optimizer as unknown as { learningRate: number }).learningRate.toExponential(2)}, ETA ${(Math.max(0, etaS) / 60).toFixed(1)} min, tensors ${tf.memory().numTensors}`,
      );
      windowStart = performance.now();
      windowExamples = 0;
      state.lossHistory.push({ step: state.step, ...ema });
    }
    if (state.step % num(args['checkpoint-every'], 'checkpoint-every') === 0) {
      await saveCheckpoint(checkpointDir, model, optimizer, state);
      log(
        `checkpoint saved (step ${state.step}) → ${path.relative(ROOT, checkpointDir)}; resume with: npm run train:detector -- --resume ${process.argv
          .slice(2)
          .filter((a) => a !== '--resume')
          .join(' ')}`,
      );
    }
  }
  await saveCheckpoint(checkpointDir, model, optimizer, state);
  log(`checkpoint saved (step ${state.step})`);

  return { model, state, trainExamples: examples.length };
}

async function main(): Promise<void> {
  const backend = await initTf({ log });
  const cfg = detectorConfig();
  if (args['init-only']) return writeInitialModel();
  if (!existsSync(settings.data)) {
    throw new Error(`no training export at ${settings.data}: run \`npm run sim -- export ...\` first (sim/EXPORT.md) or pass --data`);
  }
  const all = await readExport(settings.data);
  const { train: trainAll, val: valAll } = splitByGroup(all, settings.valFraction);
  const pickEvery = <T>(xs: T[], n: number) => (xs.length <= n ? xs : xs.filter((_, i) => i % Math.ceil(xs.length / n) === 0));
  const trainFrames = pickEvery(trainAll, settings.maxFrames);
  const valFrames = pickEvery(valAll, settings.valFrames);
  const objects = (fs: FrameRecord[]) => {
    const counts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
    for (const f of fs) for (const o of frameTruth(f, labels)) counts[o.cls] = (counts[o.cls] ?? 0) + 1;
    return counts;
  };
  const groups = (fs: FrameRecord[]) => new Set(fs.map((f) => f.group)).size;
  log(
    `backend ${backend}; export ${settings.data}: ${all.length} frames; train ${trainFrames.length} frames (${groups(trainFrames)} scenes), validation ${valFrames.length} frames (${groups(valFrames)} scenes)`,
  );
  log(`train objects ${JSON.stringify(objects(trainFrames))}; validation objects ${JSON.stringify(objects(valFrames))}`);

  const optimizer = tf.train.adam(settings.lr);
  let model: tf.LayersModel;
  let state: TrainState;
  let trainExamples: number;
  let gpuRun: GpuRun | undefined;
  if (args.import) {
    ({ model, state, run: gpuRun } = await importGpuWeights(path.resolve(args.import)));
    trainExamples = gpuRun.trainFrames;
    await saveCheckpoint(checkpointDir, model, optimizer, state);
    log(`checkpoint saved → ${path.relative(ROOT, checkpointDir)} (\`--resume\` continues from these weights on this machine)`);
  } else {
    ({ model, state, trainExamples } = await train(optimizer, trainFrames, cfg));
  }

  const macs = countMultiplyAdds(model);
  log(`evaluating on ${valFrames.length} held-out frames (the scene's region of interest, letterboxed, as the pipeline runs it)`);
  const metrics = await evaluate(model, cfg, valFrames);
  for (const c of metrics.perClass) {
    log(
      `  ${c.cls.padEnd(10)} AP50 ${c.ap.toFixed(3)}  recall@${metrics.operatingScore} ${c.recallAtScore.toFixed(3)}  precision@${metrics.operatingScore} ${c.precisionAtScore.toFixed(3)}  (ground truth ${c.groundTruth})`,
    );
  }
  log(`  mAP50 ${metrics.mAP.toFixed(3)}`);
  const ms = await inferenceMs(model);
  log(`model alone: ${ms.toFixed(1)} ms per frame on ${backend}`);

  await mkdir(outDir, { recursive: true });
  await model.save(fileSaveHandler(outDir));
  const { modelPath: _mp, ...cfgOut } = cfg;
  await writeFile(path.join(outDir, 'detector.json'), JSON.stringify({ ...cfgOut, modelPath: 'model.json' }, null, 2) + '\n');
  await writeFile(
    path.join(outDir, 'metrics.json'),
    JSON.stringify({ metrics, state: { ...state, lossHistory: undefined }, inferenceMs: ms, backend, macs }, null, 2) + '\n',
  );
  await writeModelCard(path.join(outDir, 'MODEL.md'), {
    settings,
    state,
    metrics,
    macs,
    params: model.countParams(),
    inferenceMs: ms,
    backend,
    trainFrames: gpuRun?.trainFrames ?? trainFrames.length,
    trainScenes: gpuRun?.trainScenes ?? groups(trainFrames),
    trainExamples,
    valFrames: valFrames.length,
    valScenes: groups(valFrames),
    trainObjects: gpuRun?.trainObjects ?? objects(trainFrames),
    command: `npm run train:detector -- ${process.argv.slice(2).join(' ')}`,
    ...(gpuRun ? { gpuRun } : {}),
  });
  log(`saved ${path.relative(ROOT, outDir)}/model.json, weights.bin, detector.json, metrics.json, MODEL.md`);
}

main().catch((err) => {
  process.stderr.write(`train:detector failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
