// The project's own vehicle detector: a small MobileNet-like backbone (depthwise-separable blocks) down to
// stride 32, a two-step top-down neck back to stride 8, and a CenterNet-style anchor-free head (per-class centre
// heatmap + box size + centre offset). About 25 M multiply-adds at 320x192: it trains on the wasm backend on a
// shared 2-core machine (slowly), or much faster with the optional PyTorch trainer (models/gpu/) on a CUDA machine.
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
  let x = convBnRelu(input, 12, 3, 2); // /2
  x = block(x, 24, 2); // /4
  x = block(x, 24, 1);
  x = block(x, 40, 2); // /8
  x = block(x, 40, 1);
  const c3 = block(x, 40, 1);
  x = block(c3, 80, 2); // /16
  x = block(x, 80, 1);
  const c4 = block(x, 80, 1);
  x = block(c4, 120, 2); // /32: context for vehicles close to the camera (a bus can fill half the view)
  const c5 = block(x, 120, 1);
  // Top-down: stride-32 context into stride 16, then stride-16 into the stride-8 map the head reads.
  const up5 = tf.layers.upSampling2d({ size: [2, 2], name: name('up') }).apply(convBnRelu(c5, 80, 1, 1)) as Sym;
  const p4 = tf.layers.add({ name: name('add') }).apply([c4, up5]) as Sym;
  const up4 = tf.layers.upSampling2d({ size: [2, 2], name: name('up') }).apply(convBnRelu(p4, 40, 1, 1)) as Sym;
  const merged = tf.layers.add({ name: name('add') }).apply([c3, up4]) as Sym;
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
