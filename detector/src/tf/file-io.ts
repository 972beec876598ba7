// Load and save TF.js models on local disk. Pure @tensorflow/tfjs only knows http(s) and browser storage;
// tfjs-node's file:// handler is not always installed, so the project carries this small one.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Reads `model.json` (layers or graph format) and its weight shards from disk. */
export function fileLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const text = await readFile(modelJsonPath, 'utf8');
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(text) as tf.io.ModelJSON;
      } catch (err) {
        throw new Error(`${modelJsonPath}: not valid JSON (${(err as Error).message})`);
      }
      if (!json.modelTopology) throw new Error(`${modelJsonPath}: no modelTopology: not a TF.js model.json`);
      const dir = path.dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const buf = await readFile(path.join(dir, p));
            buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Writes `model.json` + `weights.bin` into `dir` (created if missing); files are replaced atomically. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await mkdir(dir, { recursive: true });
      const weightsName = 'weights.bin';
      const weightData = artifacts.weightData
        ? tf.io.concatenateArrayBuffers(Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData])
        : new ArrayBuffer(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      const tmpWeights = path.join(dir, `.${weightsName}.tmp`);
      const tmpJson = path.join(dir, '.model.json.tmp');
      await writeFile(tmpWeights, Buffer.from(weightData));
      await writeFile(tmpJson, JSON.stringify(modelJson));
      await rename(tmpWeights, path.join(dir, weightsName));
      await rename(tmpJson, path.join(dir, 'model.json'));
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts),
      };
    },
  };
}

/** Loads a layers model (the project's own models) from a `model.json` path. */
export function loadLayersModelFromFile(modelJsonPath: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(modelJsonPath));
}

/** Loads a graph model (converted TensorFlow SavedModel / frozen graph) from a `model.json` path. */
export function loadGraphModelFromFile(modelJsonPath: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileLoadHandler(modelJsonPath));
}
