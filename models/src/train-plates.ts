// Trains the plate reader on generated plates (TF.js, wasm backend with the project's gradient kernels).
//   npm run train:plates -- [--steps 12000] [--batch 32] [--lr 0.001] [--resume] [--out models/plate-reader]
//     [--distant-rate 0] [--square-rate 0] [--select held-out|e2e] [--e2e-val 300,150,150,150] [--keep-checkpoints]
//     [--real-rate 0] [--tilt 1] [--letter-pair-rate 0]   (real plate typeface share, more rotation/shear, 81-AA series)
// Progress every 25 steps; a checkpoint (weights + step) every --save-every steps under <out>/checkpoint;
// the best model is written to <out>/model.json + weights.bin: best by held-out exact match (training-strength
// augmentation), or with --select e2e best by the mean of the end-to-end-like validation groups
// (models/src/plates/e2e-val.ts: vehicle crops per layout read through the reader API, clean plate crops).
// --keep-checkpoints also keeps every validated step's weights under <out>/checkpoint/step-<n>/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initTf, tf } from '@phatnguoi/detector/tf/runtime';
import { fileSaveHandler, loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';
import { READER_BLANK, READER_CLASSES, READER_HEIGHT, READER_STEPS, READER_WIDTH, READER_ALPHABET } from '@phatnguoi/detector/plates/input';
import { ctcGreedyDecode } from '@phatnguoi/detector/plates/ctc-decode';
import { createRng } from '@phatnguoi/core/plates/generate';
import { buildPlateReaderModel, countMacs } from './plates/reader-model';
import { ctcLoss, ctcTargets } from './plates/ctc';
import { makeBatch, PlatePool } from './plates/dataset';
import { buildEndToEndValSet, scoreEndToEnd, type EndToEndScores, type EndToEndValSet } from './plates/e2e-val';

const MAX_LABEL = 10;
/** Training plate seeds; evaluation uses seeds from 900_000 up (see eval-plates.ts). */
const TRAIN_POOL_SEED = 1;
const VAL_POOL_SEED = 800_001;

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '12000' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.001' },
    pool: { type: 'string', default: '3000' },
    out: { type: 'string', default: 'models/plate-reader' },
    'save-every': { type: 'string', default: '250' },
    'log-every': { type: 'string', default: '25' },
    resume: { type: 'boolean', default: false },
    /** Share of training plates rendered small and soft, as in vehicle crops (see PlatePoolOptions). */
    'distant-rate': { type: 'string', default: '0' },
    /** Share of training plates drawn as square two-line car/truck/bus plates (see PlatePoolOptions). */
    'square-rate': { type: 'string', default: '0' },
    /** What the best model is chosen on: the training-strength held-out set, or the end-to-end-like set. */
    select: { type: 'string', default: 'held-out' },
    /** End-to-end validation sizes: square, one-line and motorbike vehicle crops, clean crops per layout. */
    'e2e-val': { type: 'string', default: '300,150,150,150' },
    'keep-checkpoints': { type: 'boolean', default: false },
    /** Share of plates in the real plate typeface (PlatePoolOptions.realRate), in training and in the held-out set. */
    'real-rate': { type: 'string', default: '0' },
    /** Scale of rotation, shear and line-cut jitter (makeBatch tilt; 1 = as before). */
    tilt: { type: 'string', default: '1' },
    /** Share of motorbike plates with a small-motorbike two-letter series (`81-AA 048.92`). */
    'letter-pair-rate': { type: 'string', default: '0' },
  },
});

const steps = Number(args.steps);
const batchSize = Number(args.batch);
const baseLr = Number(args.lr);
const outDir = path.resolve(args.out!);
const ckptDir = path.join(outDir, 'checkpoint');
const saveEvery = Number(args['save-every']);
const logEvery = Number(args['log-every']);

function lrAt(step: number): number {
  const f = step / steps;
  if (step < 200) return baseLr * (0.2 + (0.8 * step) / 200);
  return f < 0.6 ? baseLr : f < 0.85 ? baseLr * 0.3 : baseLr * 0.1;
}

interface TrainState {
  step: number;
  bestVal: number;
  /** Best end-to-end-like validation score of this run (--select e2e). */
  bestE2e?: number;
  history: { step: number; loss: number; val?: number; e2e?: EndToEndScores }[];
}

function decodeLabel(indices: number[]): string {
  return indices.map((i) => READER_ALPHABET[i]).join('');
}

async function validate(model: tf.LayersModel, xs: Float32Array, labels: number[][]): Promise<number> {
  const per = READER_HEIGHT * READER_WIDTH;
  let right = 0;
  for (let start = 0; start < labels.length; start += 64) {
    const n = Math.min(64, labels.length - start);
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(xs.subarray(start * per, (start + n) * per), [n, READER_HEIGHT, READER_WIDTH, 1]);
      return tf.softmax(model.predict(x) as tf.Tensor3D, -1);
    });
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    for (let i = 0; i < n; i++) {
      const d = ctcGreedyDecode(data.subarray(i * READER_STEPS * READER_CLASSES, (i + 1) * READER_STEPS * READER_CLASSES), READER_STEPS, READER_CLASSES);
      if (d.chars.map((c) => c.char).join('') === decodeLabel(labels[start + i]!)) right++;
    }
  }
  return right / labels.length;
}

async function main(): Promise<void> {
  const backend = await initTf();
  if (backend === 'cpu') console.warn('warning: cpu backend: training will be very slow');
  await mkdir(ckptDir, { recursive: true });

  let model: tf.LayersModel;
  let state: TrainState = { step: 0, bestVal: 0, history: [] };
  const stateFile = path.join(ckptDir, 'state.json');
  if (args.resume && existsSync(path.join(ckptDir, 'model.json'))) {
    model = await loadLayersModelFromFile(path.join(ckptDir, 'model.json'));
    state = JSON.parse(await readFile(stateFile, 'utf8')) as TrainState;
    console.log(`resumed from step ${state.step} (best held-out exact match ${state.bestVal.toFixed(3)})`);
  } else {
    if (args.resume) console.log('no checkpoint found: starting fresh');
    model = buildPlateReaderModel();
  }
  console.log(`plate reader: ${model.countParams()} parameters, ${(countMacs(model) / 1e6).toFixed(1)} M multiply-adds per plate`);

  const t0 = Date.now();
  const select = args.select!;
  if (select !== 'held-out' && select !== 'e2e') throw new Error(`--select must be held-out or e2e, not ${select}`);
  const realRate = Number(args['real-rate']);
  const tilt = Number(args.tilt);
  const letterPairRate = Number(args['letter-pair-rate']);
  const generate = letterPairRate > 0 ? { letterPairRate } : undefined;
  const pool = new PlatePool({
    seed: TRAIN_POOL_SEED + state.step,
    size: Number(args.pool),
    distantRate: Number(args['distant-rate']),
    squareRate: Number(args['square-rate']),
    realRate,
    ...(generate ? { generate } : {}),
  });
  await pool.fill((done, total) => {
    if (done % 500 < 16 || done === total) process.stdout.write(`\rrendering plate pool ${done}/${total}`);
  });
  console.log(` (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  // Fixed held-out set (plates and augmentation both from seeds training never uses).
  // With --real-rate the held-out plates are drawn the same way (synthetic: never the real evaluation crops).
  const valPool = new PlatePool({ seed: VAL_POOL_SEED, size: 300, realRate, ...(generate ? { generate } : {}) });
  await valPool.fill();
  const val = makeBatch(valPool, createRng(VAL_POOL_SEED), 512, 0, 1, tilt);
  let e2eSet: EndToEndValSet | null = null;
  const fmtE2e = (s: EndToEndScores): string =>
    Object.entries(s.groups)
      .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}`)
      .join(', ') + ` (mean ${(100 * s.score).toFixed(2)})`;
  if (select === 'e2e') {
    const [square, oneLine, motorbike, clean] = args['e2e-val']!.split(',').map(Number) as [number, number, number, number];
    const t1 = Date.now();
    e2eSet = await buildEndToEndValSet({ square, oneLine, motorbike, clean });
    console.log(
      `end-to-end validation set: ${e2eSet.crops.length} vehicle crops, ${e2eSet.clean.texts.length} clean crops (${((Date.now() - t1) / 1000).toFixed(1)} s)`,
    );
    console.log(`  starting weights (step ${state.step}): ${fmtE2e(await scoreEndToEnd(model, e2eSet))}`);
    state.bestE2e = 0;
  }

  const optimizer = tf.train.adam(baseLr);
  const rng = createRng(12345 + state.step);
  let lossSum = 0;
  let lossN = 0;
  let tLog = Date.now();
  let examples = 0;
  for (let step = state.step + 1; step <= steps; step++) {
    // AdamOptimizer reads its learning rate on every update; the field is only typed protected.
    (optimizer as unknown as { learningRate: number }).learningRate = lrAt(step);
    const batch = makeBatch(pool, rng, batchSize, 0.05, 1, tilt);
    const targets = ctcTargets(batch.labels, READER_CLASSES, READER_BLANK, MAX_LABEL);
    const x = tf.tensor4d(batch.xs, [batchSize, READER_HEIGHT, READER_WIDTH, 1]);
    const loss = optimizer.minimize(() => ctcLoss(model.apply(x, { training: true }) as tf.Tensor3D, targets), true) as tf.Scalar;
    const lossValue = (await loss.data())[0]!;
    tf.dispose([x, loss]);
    targets.dispose();
    if (!Number.isFinite(lossValue)) throw new Error(`loss is ${lossValue} at step ${step}`);
    lossSum += lossValue;
    lossN++;
    examples += batchSize;
    await pool.refresh(2);

    if (step % logEvery === 0) {
      const dt = (Date.now() - tLog) / 1000;
      const rate = examples / dt;
      const eta = ((steps - step) * batchSize) / rate;
      console.log(
        `step ${step}/${steps} loss ${(lossSum / lossN).toFixed(3)} lr ${lrAt(step).toExponential(1)} ` +
          `${rate.toFixed(0)} plates/s eta ${(eta / 60).toFixed(1)} min`,
      );
      state.history.push({ step, loss: lossSum / lossN });
      lossSum = 0;
      lossN = 0;
      examples = 0;
      tLog = Date.now();
    }
    if (step % saveEvery === 0 || step === steps) {
      const acc = await validate(model, val.xs, val.labels);
      const e2e = e2eSet ? await scoreEndToEnd(model, e2eSet) : null;
      const last = state.history[state.history.length - 1];
      if (last) {
        last.val = acc;
        if (e2e) last.e2e = e2e;
      }
      state.step = step;
      await model.save(fileSaveHandler(ckptDir));
      if (args['keep-checkpoints']) await model.save(fileSaveHandler(path.join(ckptDir, `step-${step}`)));
      let best = false;
      if (e2e) {
        best = e2e.score >= state.bestE2e!;
        if (best) state.bestE2e = e2e.score;
        if (acc > state.bestVal) state.bestVal = acc;
      } else if (acc >= state.bestVal) {
        best = true;
        state.bestVal = acc;
      }
      if (best) await model.save(fileSaveHandler(outDir));
      await writeFile(stateFile, JSON.stringify(state, null, 1));
      console.log(`  held-out exact match ${acc.toFixed(3)} (best ${state.bestVal.toFixed(3)}); checkpoint saved at step ${step}`);
      if (e2e) console.log(`  end-to-end validation: ${fmtE2e(e2e)}${best ? ' (best: written to model.json)' : ''}`);
      tLog = Date.now();
      examples = 0;
    }
  }
  console.log(
    `done: best held-out exact match ${state.bestVal.toFixed(3)}` +
      (e2eSet ? `, best end-to-end validation mean ${(100 * state.bestE2e!).toFixed(2)}` : '') +
      `; model in ${outDir}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
