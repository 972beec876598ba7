// The plate reader network: a small conv stack over the 32x128 grey strip, collapsed to one row of
// 32 time steps, with per-step class logits for CTC. About 6 M multiply-adds per plate.
import * as tf from '@tensorflow/tfjs';
import { READER_CLASSES, READER_HEIGHT, READER_WIDTH } from '@phatnguoi/detector/plates/input';

/** conv → batch norm → relu (batch norm makes CTC leave its all-blank plateau much sooner). */
function conv(m: tf.Sequential, filters: number, kernel: [number, number] | number, name: string): void {
  m.add(tf.layers.conv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name }));
  m.add(tf.layers.batchNormalization({ name: `${name}_bn` }));
  m.add(tf.layers.reLU({ name: `${name}_relu` }));
}

export function buildPlateReaderModel(): tf.LayersModel {
  const m = tf.sequential({ name: 'plate_reader' });
  m.add(tf.layers.inputLayer({ inputShape: [READER_HEIGHT, READER_WIDTH, 1], name: 'plate' }));
  conv(m, 8, 3, 'c1'); // 32x128
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' })); // 16x64
  conv(m, 16, 3, 'c2');
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'p2' })); // 8x32
  conv(m, 32, 3, 'c3');
  m.add(tf.layers.maxPooling2d({ poolSize: [2, 1], name: 'p3' })); // 4x32
  conv(m, 48, 3, 'c4');
  // Collapse height: one 4x1 valid convolution → [1, 32, 128].
  m.add(tf.layers.conv2d({ filters: 96, kernelSize: [4, 1], padding: 'valid', activation: 'relu', kernelInitializer: 'heNormal', name: 'c5' }));
  // Context along the line (neighbouring characters), then per-step logits.
  m.add(tf.layers.conv2d({ filters: 96, kernelSize: [1, 3], padding: 'same', activation: 'relu', kernelInitializer: 'heNormal', name: 'c6' }));
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
