// Each supported head through the real loader: a tiny model is generated, saved to a temp dir (layers or
// hand-written graph model), described by a config file and loaded with loadDetector.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';
import { initTf } from '../../src/tf/runtime';
import { fileSaveHandler } from '../../src/tf/file-io';
import { loadDetector } from '../../src/models/load-detector';
import { buildVehicleNet } from '../../src/models/vehicle-net';

let dir: string;

beforeAll(async () => {
  await initTf({ prefer: 'wasm', log: () => {} });
  dir = await mkdtemp(path.join(os.tmpdir(), 'detector-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function image(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 251;
  return { data, width, height };
}

/** A layers model whose output is `values` (shape `outShape`) whatever the input: dense with zero kernel, bias = values. */
async function constantLayersModel(name: string, inputShape: number[], outShape: number[], values: number[]): Promise<string> {
  const input = tf.input({ shape: inputShape });
  const pooled = tf.layers.globalAveragePooling2d({ dataFormat: inputShape[0] === 3 ? 'channelsFirst' : 'channelsLast' }).apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ units: values.length, kernelInitializer: 'zeros' });
  const out = tf.layers.reshape({ targetShape: outShape }).apply(dense.apply(pooled) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  dense.setWeights([dense.getWeights()[0]!, tf.tensor1d(values)]);
  const modelDir = path.join(dir, name);
  await model.save(fileSaveHandler(modelDir));
  model.dispose();
  return path.join(modelDir, 'model.json');
}

/** A hand-written TF graph model (the converter's format): outputs = constants + 0·sum(input), one per entry. */
async function constantGraphModel(name: string, inputShape: number[], outputs: Array<{ shape: number[]; values: Float32Array }>): Promise<string> {
  const dim = (shape: number[]) => ({ dim: shape.map((s) => ({ size: String(s) })) });
  const f32 = { type: 'DT_FLOAT' };
  const nodes: unknown[] = [
    { name: 'input_1', op: 'Placeholder', attr: { dtype: f32, shape: { shape: dim(inputShape) } } },
    { name: 'axes', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dim([inputShape.length]) } } } },
    { name: 'zero', op: 'Const', attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {} } } } },
    { name: 'total', op: 'Sum', input: ['input_1', 'axes'], attr: { T: f32, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
    { name: 'nothing', op: 'Mul', input: ['total', 'zero'], attr: { T: f32 } },
  ];
  const weights: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }> = [
    { name: 'axes', shape: [inputShape.length], dtype: 'int32' },
    { name: 'zero', shape: [], dtype: 'float32' },
  ];
  const buffers: Buffer[] = [Buffer.from(new Int32Array(inputShape.map((_, i) => i)).buffer), Buffer.from(new Float32Array([0]).buffer)];
  outputs.forEach((o, i) => {
    nodes.push({ name: `c${i}`, op: 'Const', attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(o.shape) } } } });
    nodes.push({ name: i === 0 ? 'Identity' : `Identity_${i}`, op: 'AddV2', input: [`c${i}`, 'nothing'], attr: { T: f32 } });
    weights.push({ name: `c${i}`, shape: o.shape, dtype: 'float32' });
    buffers.push(Buffer.from(o.values.buffer, o.values.byteOffset, o.values.byteLength));
  });
  const modelDir = path.join(dir, name);
  await rm(modelDir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(modelDir, { recursive: true }));
  await writeFile(path.join(modelDir, 'weights.bin'), Buffer.concat(buffers));
  await writeFile(
    path.join(modelDir, 'model.json'),
    JSON.stringify({
      format: 'graph-model',
      generatedBy: 'test',
      convertedBy: 'hand',
      modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
      weightsManifest: [{ paths: ['weights.bin'], weights }],
    }),
  );
  return path.join(modelDir, 'model.json');
}

async function writeConfig(name: string, cfg: object): Promise<string> {
  const p = path.join(dir, `${name}.json`);
  await writeFile(p, JSON.stringify(cfg));
  return p;
}

describe('loadDetector', () => {
  it('YOLO-style [1, 4+C, N] layers model: decode, class map, NMS, stretch back to image pixels and ROI offset', async () => {
    // Input 32x32; anchors as columns: cx, cy, w, h, car, bus.
    const anchors = [
      [16, 16, 8, 8, 0.9, 0.1], // car
      [17, 16, 8, 8, 0.7, 0.1], // overlapping car, lower: suppressed
      [16, 16, 8, 8, 0.1, 0.6], // bus at the same place: another class, kept
      [4, 4, 4, 4, 0.2, 0.1], // below threshold
    ];
    const rows = [0, 1, 2, 3, 4, 5].map((r) => anchors.map((a) => a[r]!));
    const modelPath = await constantLayersModel('yolo', [32, 32, 3], [6, anchors.length], rows.flat());
    const cfgPath = await writeConfig('yolo', {
      name: 'yolo-test',
      format: 'layers',
      modelPath: path.relative(dir, modelPath),
      input: { width: 32, height: 32, resize: 'stretch' },
      head: { type: 'yolo' },
      labels: ['car', 'bus'],
      scoreThreshold: 0.3,
    });
    const det = await loadDetector(cfgPath);
    try {
      expect(det.name).toBe('yolo-test');
      const full = await det.detect(image(64, 32));
      expect(full.map((d) => [d.cls, d.score.toFixed(1)])).toEqual([
        ['car', '0.9'],
        ['bus', '0.6'],
      ]);
      full[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([24, 12, 40, 20][i]!, 4)); // x scaled by 2
      const inRoi = await det.detect(image(128, 32), [32, 0, 96, 32]);
      inRoi[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([56, 12, 72, 20][i]!, 4));
    } finally {
      det.dispose();
    }
  });

  it('SSD/CenterNet-style [1, N, 6] normalised boxes, NCHW BGR input', async () => {
    const rows = [
      [0.25, 0.25, 0.75, 0.75, 0.8, 1], // truck
      [0.0, 0.0, 0.1, 0.1, 0.9, 0], // person: not a vehicle, dropped
    ];
    const modelPath = await constantLayersModel('ssd', [3, 16, 16], [2, 6], rows.flat());
    const det = await loadDetector({
      name: 'ssd-test',
      format: 'layers',
      modelPath,
      input: { width: 16, height: 16, layout: 'NCHW', channelOrder: 'BGR', resize: 'letterbox' },
      head: { type: 'boxes6', normalized: true },
      labels: ['person', 'truck'],
    });
    try {
      const out = await det.detect(image(32, 16));
      expect(out).toHaveLength(1);
      expect(out[0]!.cls).toBe('truck');
      // Letterbox 32x16 → 16x8 at padY 4: input box (4,4)-(12,12) → image (8,0)-(24,16).
      out[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([8, 0, 24, 16][i]!, 4));
    } finally {
      det.dispose();
    }
  });

  it('NanoDet-style multi-stride graph model (sigmoid scores + distance bins), outputs matched by N', async () => {
    const c = 3; // person, car, motorcycle
    const bins = 8;
    const size = 64;
    const outputs: Array<{ shape: number[]; values: Float32Array }> = [];
    const boxesFor: Record<number, Float32Array> = {};
    const scoresFor: Record<number, Float32Array> = {};
    for (const s of [8, 16, 32]) {
      const n = (size / s) ** 2;
      scoresFor[s] = new Float32Array(n * c);
      boxesFor[s] = new Float32Array(n * 4 * bins);
    }
    // Stride 8, cell (2,3): a motorcycle, 2 bins (16 px) each side → centre (20, 28).
    const cell = 3 * 8 + 2;
    scoresFor[8]![cell * c + 2] = 0.85;
    for (let side = 0; side < 4; side++) boxesFor[8]![cell * 4 * bins + side * bins + 2] = 30;
    // Stride 16, cell (0,0) a weaker car.
    scoresFor[16]![0 * c + 1] = 0.5;
    for (let side = 0; side < 4; side++) boxesFor[16]![side * bins + 1] = 30;
    for (const s of [8, 16, 32]) outputs.push({ shape: [1, (size / s) ** 2, c], values: scoresFor[s]! });
    for (const s of [8, 16, 32]) outputs.push({ shape: [1, (size / s) ** 2, 4 * bins], values: boxesFor[s]! });
    const modelPath = await constantGraphModel('nanodet', [1, 3, size, size], outputs);
    const cfgPath = await writeConfig('nanodet', {
      name: 'nanodet-test',
      format: 'graph',
      modelPath: path.relative(dir, modelPath),
      input: { width: size, height: size, layout: 'NCHW', channelOrder: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
      head: { type: 'nanodet', strides: [8, 16, 32], regMax: bins - 1 },
      labels: ['person', 'car', 'motorcycle'],
      labelMap: { motorcycle: 'motorbike' },
    });
    const det = await loadDetector(cfgPath);
    try {
      const out = await det.detect(image(size, size));
      expect(out.map((d) => d.cls)).toEqual(['motorbike', 'car']);
      out[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([4, 12, 36, 44][i]!, 2));
      out[1]!.box.forEach((v, i) => expect(v).toBeCloseTo([0, 0, 24, 24][i]!, 2)); // (8±16) clipped at 0
    } finally {
      det.dispose();
    }
  });

  it("the project's own CenterNet model runs end to end from a saved layers model", async () => {
    const model = buildVehicleNet({ width: 64, height: 32, numClasses: 4, seed: 3 });
    // Make the car heatmap fire everywhere so decoding and NMS have work to do.
    const heat = model.getLayer('heatmap');
    heat.setWeights([heat.getWeights()[0]!, tf.tensor1d([-9, 6, -9, -9])]);
    const modelDir = path.join(dir, 'own');
    await model.save(fileSaveHandler(modelDir));
    const det = await loadDetector({
      name: 'own-test',
      format: 'layers',
      modelPath: path.join(modelDir, 'model.json'),
      input: { width: 64, height: 32 },
      head: { type: 'centernet', stride: 8 },
      labels: ['motorbike', 'car', 'bus', 'truck'],
      maxDetections: 5,
    });
    try {
      const out = await det.detect(image(200, 100), [20, 10, 180, 90]);
      expect(out.length).toBeGreaterThan(0);
      expect(out.length).toBeLessThanOrEqual(5);
      for (const d of out) {
        expect(d.cls).toBe('car');
        expect(d.box[0]).toBeGreaterThanOrEqual(20);
        expect(d.box[2]).toBeLessThanOrEqual(180);
        expect(d.box[2]).toBeGreaterThan(d.box[0]);
      }
    } finally {
      det.dispose();
      model.dispose();
    }
  });

  it('a gated config runs per stream only the passes whose part of the picture changed; detect() stays stateless', async () => {
    // One car in the middle of every 32x32 pass. A 64x32 frame: 3 tiles (x 0, 16, 32) + the whole region = 4 passes.
    const modelPath = await constantLayersModel('gated', [32, 32, 3], [6, 1], [16, 16, 8, 8, 0.9, 0.1]);
    const det = await loadDetector({
      name: 'gated-test',
      format: 'layers',
      modelPath,
      input: { width: 32, height: 32, resize: 'stretch' },
      head: { type: 'yolo' },
      labels: ['car', 'bus'],
      tiling: { edgeMargin: 0 },
      gating: { cell: 4, pixelDelta: 12, minChangedModelPx: 4, maxAge: 0 },
    });
    const still = image(64, 32);
    const moved = image(64, 32);
    for (let y = 0; y < 8; y++) moved.data.fill(255, y * 64 * 3, (y * 64 + 8) * 3); // an 8x8 change in the left tile only
    try {
      const stream = det.forStream();
      const first = await stream.detect(still);
      expect(det.lastTimings.passes).toBe(4);
      // Nothing changed: no pass runs, the boxes are carried.
      expect(await stream.detect(still)).toEqual(first);
      expect(det.lastTimings.passes).toBe(0);
      // The change is in the left tile and the whole region (8x8 px = 4x4 model px at the whole pass's scale 0.5).
      await stream.detect(moved);
      expect(det.lastTimings.passes).toBe(2);
      // Another camera's stream has its own memory; detect() runs every pass every time.
      await det.forStream().detect(moved);
      expect(det.lastTimings.passes).toBe(4);
      await det.detect(still);
      await det.detect(still);
      expect(det.lastTimings.passes).toBe(4);
    } finally {
      det.dispose();
    }
  });

  it('fails clearly for a missing model file and a bad config', async () => {
    await expect(
      loadDetector({
        name: 'missing',
        format: 'graph',
        modelPath: path.join(dir, 'nope', 'model.json'),
        input: { width: 8, height: 8 },
        head: { type: 'yolo' },
        labels: ['car'],
      }),
    ).rejects.toThrow(/cannot load graph model/);
    const bad = await writeConfig('bad', { name: 'bad', format: 'onnx' });
    await expect(loadDetector(bad)).rejects.toThrow(/invalid detector config/);
  });
});
