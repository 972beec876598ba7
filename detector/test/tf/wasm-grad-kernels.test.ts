import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tfBackendName } from '../../src/tf/runtime';
import { fileSaveHandler, loadLayersModelFromFile } from '../../src/tf/file-io';

type Case = { x: [number, number, number, number]; f: [number, number, number, number]; s: number; p: 'same' | 'valid'; depthwise?: boolean };

const cases: Case[] = [
  { x: [2, 9, 7, 3], f: [3, 3, 3, 4], s: 1, p: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 4], s: 2, p: 'same' },
  { x: [2, 10, 8, 3], f: [3, 3, 3, 4], s: 2, p: 'valid' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 4], s: 2, p: 'valid' },
  { x: [3, 8, 8, 5], f: [1, 1, 5, 6], s: 1, p: 'same' },
  { x: [2, 8, 8, 5], f: [1, 1, 5, 6], s: 2, p: 'same' },
  { x: [2, 9, 7, 3], f: [5, 5, 3, 2], s: 2, p: 'same' },
  { x: [1, 6, 11, 2], f: [3, 3, 2, 3], s: 3, p: 'same' },
  { x: [2, 9, 7, 4], f: [3, 3, 4, 1], s: 1, p: 'same', depthwise: true },
  { x: [2, 9, 7, 4], f: [3, 3, 4, 1], s: 2, p: 'same', depthwise: true },
  { x: [2, 10, 8, 4], f: [3, 3, 4, 2], s: 2, p: 'valid', depthwise: true },
  { x: [2, 9, 7, 4], f: [5, 5, 4, 1], s: 2, p: 'valid', depthwise: true },
];

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

async function gradients(backend: 'cpu' | 'wasm', c: Case, xv: Float32Array, fv: Float32Array): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const f = tf.tensor4d(fv, c.f);
    const g = tf.grads((a: tf.Tensor, w: tf.Tensor) => {
      const y = c.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.s, c.p) : tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, c.s, c.p);
      // A non-uniform upstream gradient so every output position matters.
      return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
    });
    const [dx, dw] = g([x, f]);
    return [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array] as [Float32Array, Float32Array];
  });
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

beforeAll(async () => {
  await initTf({ prefer: 'wasm', log: () => {} });
});

describe('wasm gradient kernels', () => {
  it('are registered on the wasm backend', () => {
    expect(tfBackendName()).toBe('wasm');
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
    }
  });

  it.each(cases)('match the cpu backend: %j', async (c) => {
    await tf.setBackend('cpu');
    const xv = seeded(c.x, 1).dataSync() as Float32Array;
    const fv = seeded(c.f, 2).dataSync() as Float32Array;
    const [cx, cw] = await gradients('cpu', c, xv, fv);
    const [wx, ww] = await gradients('wasm', c, xv, fv);
    expect(wx.length).toBe(cx.length);
    expect(ww.length).toBe(cw.length);
    expect(relativeError(wx, cx)).toBeLessThan(1e-5);
    expect(relativeError(ww, cw)).toBeLessThan(1e-5);
  });

  it('batch-norm gradients (broadcasting form) match the cpu backend', async () => {
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = seeded([2, 4, 5, 3], 3);
        const mean = tf.tensor1d([0.1, -0.2, 0.3]);
        const variance = tf.tensor1d([1.5, 0.7, 2.0]);
        const scale = tf.tensor1d([0.9, 1.1, -0.5]);
        const offset = tf.tensor1d([0.0, 0.2, -0.1]);
        const g = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
          tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), tf.cos(tf.reshape(tf.range(0, a.size), a.shape)))),
        );
        return g([x, mean, variance, scale, offset]).map((t) => t.dataSync() as Float32Array);
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    cpu.forEach((c, i) => expect(relativeError(wasm[i]!, c)).toBeLessThan(1e-5));
  });

  it('train a small conv net with model.fit on wasm (loss goes down) and save/load it from disk', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [16, 16, 3] });
    let h = tf.layers
      .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(input) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) })
      .apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 1, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: h });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    // Target: mean brightness of each 4x4 block of the red channel, a task the net can learn quickly.
    const xs = tf.randomUniform([32, 16, 16, 3], 0, 1, 'float32', 7);
    const ys = tf.avgPool(tf.slice(xs, [0, 0, 0, 0], [32, 16, 16, 1]) as tf.Tensor4D, 4, 4, 'same');
    const history = await model.fit(xs, ys, { epochs: 15, batchSize: 8, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.5);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'tfio-'));
    try {
      await model.save(fileSaveHandler(dir));
      const loaded = await loadLayersModelFromFile(path.join(dir, 'model.json'));
      const a = model.predict(xs) as tf.Tensor;
      const b = loaded.predict(xs) as tf.Tensor;
      expect(relativeError(b.dataSync() as Float32Array, a.dataSync() as Float32Array)).toBeLessThan(1e-6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
