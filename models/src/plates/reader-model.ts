// The plate reader network: a small conv stack over the 32x128 grey strip, collapsed to one row of
// 32 time steps, with per-step class logits for CTC. About 12 M multiply-adds per plate.
import * as tf from '@tensorflow/tfjs';
import { READER_CLASSES, READER_HEIGHT, READER_WIDTH } from '@phatnguoi/detector/plates/input';

function conv(filters: number, kernel: [number, number] | number, name: string): tf.layers.Layer {
  return tf.layers.conv2d({
    filters,
    kernelSize: kernel,
    padding: 'same',
    activation: 'relu',
    kernelInitializer: 'heNormal',
    name,
  });
}

export function buildPlateReaderModel(): tf.LayersModel {
  const m = tf.sequential({ name: 'plate_reader' });
  m.add(tf.layers.inputLayer({ inputShape: [READER_HEIGHT, READER_WIDTH, 1], name: 'plate' }));
  m.add(conv(16, 3, 'c1')); // 32x128
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' })); // 16x64
  m.add(conv(32, 3, 'c2'));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'p2' })); // 8x32
  m.add(conv(48, 3, 'c3'));
  m.add(tf.layers.maxPooling2d({ poolSize: [2, 1], name: 'p3' })); // 4x32
  m.add(conv(64, 3, 'c4'));
  // Collapse height: one 4x1 valid convolution → [1, 32, 128].
  m.add(tf.layers.conv2d({ filters: 128, kernelSize: [4, 1], padding: 'valid', activation: 'relu', kernelInitializer: 'heNormal', name: 'c5' }));
  // Context along the line (neighbouring characters), then per-step logits.
  m.add(tf.layers.conv2d({ filters: 128, kernelSize: [1, 3], padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', name: 'c6' }));
  m.add(tf.layers.conv2d({ filters: READER_CLASSES, kernelSize: 1, padding: 'same', name: 'logits' }));
  m.add(tf.layers.reshape({ targetShape: [READER_WIDTH / 4, READER_CLASSES], name: 'steps' }));
  return m;
}

/** Forward multiply-adds per plate, counted from the layer shapes. */
export function countMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const kernel = layer.getWeights()[0];
    const out = layer.outputShape as number[];
    if (!kernel) continue;
    const [kh, kw, ci, co] = kernel.shape as [number, number, number, number];
    macs += (out[1] ?? 1) * (out[2] ?? 1) * kh * kw * ci * co;
  }
  return macs;
}
