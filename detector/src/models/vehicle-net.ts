// The project's own vehicle detector: a small MobileNet-like backbone (depthwise-separable blocks), a one-step
// top-down neck to stride 8, and a CenterNet-style anchor-free head (per-class centre heatmap + box size +
// centre offset). About 14 M multiply-adds at 320x192, so it trains on the wasm backend within an hour on a
// shared 2-core machine.
import * as tf from '@tensorflow/tfjs';

export const VEHICLE_NET_LABELS = ['motorbike', 'car', 'bus', 'truck'] as const;
export const VEHICLE_NET_STRIDE = 8;

export interface VehicleNetOptions {
  width: number;
  height: number;
  numClasses: number;
  /** Seed for the initialisers (reproducible training runs). */
  seed?: number;
}

type Sym = tf.SymbolicTensor;

/** Focal-loss prior: the heatmap starts at p = 0.1 everywhere, so early losses are not swamped by negatives. */
const HEATMAP_PRIOR_BIAS = -Math.log((1 - 0.1) / 0.1);

export function buildVehicleNet(opts: VehicleNetOptions): tf.LayersModel {
  if (opts.width % 32 !== 0 || opts.height % 32 !== 0) {
    throw new Error(`vehicle net input ${opts.width}x${opts.height}: both sides must be multiples of 32`);
  }
  let seed = opts.seed ?? 1;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  let n = 0;
  const name = (kind: string) => `${kind}_${++n}`;

  const convBnRelu = (x: Sym, filters: number, kernelSize: number, strides: number): Sym => {
    const c = tf.layers
      .conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init(), name: name('conv') })
      .apply(x) as Sym;
    const b = tf.layers.batchNormalization({ name: name('bn') }).apply(c) as Sym;
    return tf.layers.reLU({ name: name('relu') }).apply(b) as Sym;
  };
  const dwBnRelu = (x: Sym, strides: number): Sym => {
    const c = tf.layers
      .depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: init(), name: name('dw') })
      .apply(x) as Sym;
    const b = tf.layers.batchNormalization({ name: name('bn') }).apply(c) as Sym;
    return tf.layers.reLU({ name: name('relu') }).apply(b) as Sym;
  };
  /** Depthwise-separable block; residual when shape is kept. */
  const block = (x: Sym, filters: number, strides: number): Sym => {
    const inCh = x.shape[3]!;
    const y = convBnRelu(dwBnRelu(x, strides), filters, 1, 1);
    if (strides === 1 && inCh === filters) return tf.layers.add({ name: name('add') }).apply([x, y]) as Sym;
    return y;
  };

  const input = tf.input({ shape: [opts.height, opts.width, 3], name: 'image' });
  let x = convBnRelu(input, 8, 3, 2); // /2
  x = block(x, 16, 2); // /4
  x = block(x, 16, 1);
  x = block(x, 32, 2); // /8
  x = block(x, 32, 1);
  const c3 = block(x, 32, 1);
  x = block(c3, 64, 2); // /16
  x = block(x, 64, 1);
  x = block(x, 64, 1);
  // Top-down: stride-16 context added into the stride-8 map.
  const lateral = convBnRelu(x, 32, 1, 1);
  const up = tf.layers.upSampling2d({ size: [2, 2], name: name('up') }).apply(lateral) as Sym;
  const merged = tf.layers.add({ name: name('add') }).apply([c3, up]) as Sym;
  const neck = convBnRelu(dwBnRelu(merged, 1), 48, 1, 1);
  const headIn = dwBnRelu(neck, 1);
  const heatmap = tf.layers
    .conv2d({
      filters: opts.numClasses,
      kernelSize: 1,
      kernelInitializer: tf.initializers.randomNormal({ stddev: 0.01, seed: seed++ }),
      biasInitializer: tf.initializers.constant({ value: HEATMAP_PRIOR_BIAS }),
      name: 'heatmap',
    })
    .apply(headIn) as Sym;
  const geometry = tf.layers
    .conv2d({ filters: 4, kernelSize: 1, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.01, seed: seed++ }), name: 'box' })
    .apply(headIn) as Sym;
  const output = tf.layers.concatenate({ axis: -1, name: 'centernet' }).apply([heatmap, geometry]) as Sym;
  return tf.model({ inputs: input, outputs: output, name: 'vehicle_net' });
}

/** Multiply-adds of one forward pass (convolutions only), for MODEL.md and the benchmark. */
export function countMultiplyAdds(model: tf.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') continue;
    const out = layer.outputShape as number[];
    const kernel = layer.getWeights()[0]!.shape; // [kh, kw, in, out or multiplier]
    const positions = out[1]! * out[2]!;
    total += positions * kernel[0]! * kernel[1]! * kernel[2]! * kernel[3]!;
  }
  return total;
}
