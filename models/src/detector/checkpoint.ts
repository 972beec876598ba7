// Training checkpoints: the model (layers format), the optimizer's slots and the loop state, so a run can
// stop at any checkpoint and resume with `--resume` where it left off.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSaveHandler, loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';

export interface TrainState {
  step: number;
  totalSteps: number;
  examplesSeen: number;
  trainSeconds: number;
  /** The settings the run started with (a resumed run keeps them). */
  settings: Record<string, unknown>;
  lossHistory: Array<{ step: number; loss: number; heatmap: number; box: number }>;
}

export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(fileSaveHandler(dir));
  const named = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  // The iteration counter is a fresh scalar on every call; the slot variables belong to the optimizer.
  named.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  const buf = Buffer.from(tf.io.concatenateArrayBuffers(Array.isArray(data) ? data : [data]));
  await writeFile(path.join(dir, '.optimizer.bin.tmp'), buf);
  await rename(path.join(dir, '.optimizer.bin.tmp'), path.join(dir, 'optimizer.bin'));
  await writeFile(path.join(dir, '.state.json.tmp'), JSON.stringify({ ...state, optimizerSpecs: specs }, null, 1));
  await rename(path.join(dir, '.state.json.tmp'), path.join(dir, 'state.json'));
}

export async function loadCheckpoint(dir: string, optimizer: tf.Optimizer): Promise<{ model: tf.LayersModel; state: TrainState }> {
  const model = await loadLayersModelFromFile(path.join(dir, 'model.json'));
  const raw = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as TrainState & { optimizerSpecs: tf.io.WeightsManifestEntry[] };
  const buf = await readFile(path.join(dir, 'optimizer.bin'));
  const weights = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, raw.optimizerSpecs);
  await optimizer.setWeights(raw.optimizerSpecs.map((s) => ({ name: s.name, tensor: weights[s.name]! })));
  const { optimizerSpecs: _specs, ...state } = raw;
  return { model, state };
}
