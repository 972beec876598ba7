// One VehicleDetector for every supported model: preprocessing and head decoding come from the config,
// so the pipeline does not know which model runs.
import * as tf from '@tensorflow/tfjs';
import type { Box, Detection, RgbImage, VehicleClass, VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { classTable, type DetectorConfig, type MergeSpec } from './config';
import { decodeBoxes6, decodeCenterNet, decodeNanodet, decodeYolo, nonMaxSuppression, type Candidate, type RawOutput } from './decode';
import { clampRoi, inputTensor, resizeFrame, toImageBox, type InputTransform } from './preprocess';
import { lumaThumb, PassMemory, type PassDecision } from './pass-gating';
import { mergePasses, planPasses, type Pass } from './real-traffic';

export type LoadedModel = { kind: 'graph'; model: tf.GraphModel } | { kind: 'layers'; model: tf.LayersModel };

/** Per-stage milliseconds of the last `detect` call (for benchmarks). */
export interface DetectTimings {
  /** Cropping, resizing and normalising for every pass that ran, plus the change check of a gated stream. */
  preprocessMs: number;
  modelMs: number;
  decodeMs: number;
  /** Model passes (tiles + whole region) run by the call (a gated stream's carried passes not counted). */
  passes: number;
}

/** A detector bound to one camera's stream (`TfVehicleDetector.forStream`); `lastTimings` are the model's. */
export interface StreamDetector extends VehicleDetector {
  readonly lastTimings: DetectTimings;
}

/** Merging when a config asks for tiling without saying how to merge. */
const DEFAULT_MERGE: MergeSpec = { crossClassIou: 0.6, riders: true, lonePersonAsMotorbike: false, groupOfTwoWheelers: 0, containment: 1 };

export class TfVehicleDetector implements VehicleDetector {
  readonly name: string;
  readonly lastTimings: DetectTimings = { preprocessMs: 0, modelMs: 0, decodeMs: 0, passes: 0 };
  private readonly classes: Array<VehicleClass | null>;
  private useAsync = false;
  private disposed = false;

  constructor(
    readonly config: DetectorConfig,
    private readonly loaded: LoadedModel,
  ) {
    this.name = config.name;
    this.classes = classTable(config);
  }

  /**
   * Vehicles in the image (inside `roi` when given). With `tiling` or `merge` in the config the model runs
   * over several passes (tiles + the whole region) whose boxes are merged into one per vehicle
   * (real-traffic.ts); otherwise one pass over the region. Stateless: every pass runs (see `forStream`).
   */
  async detect(image: RgbImage, roi?: Box): Promise<Detection[]> {
    return this.detectWith(image, roi, undefined);
  }

  /**
   * A detector for one camera's stream of frames. With `gating` in the config it remembers each pass: a pass
   * whose part of the picture has not changed since it last ran carries its boxes instead of running
   * (pass-gating.ts). Without `gating` it detects as `detect` does. It shares this detector's model: disposing
   * it frees nothing.
   */
  forStream(): StreamDetector {
    const memory = this.config.gating ? new PassMemory(this.config.gating) : undefined;
    return {
      name: this.name,
      lastTimings: this.lastTimings,
      detect: (image, roi) => this.detectWith(image, roi, memory),
      dispose: () => {},
    };
  }

  private async detectWith(image: RgbImage, roi: Box | undefined, memory: PassMemory | undefined): Promise<Detection[]> {
    if (this.disposed) throw new Error(`detector ${this.name} is disposed`);
    const { tiling, merge, gating } = this.config;
    if (!tiling && !merge) return this.detectPass(image, roi);
    const region = clampRoi(image.width, image.height, roi);
    const passes: Pass[] = tiling ? planPasses(region, this.config.input, tiling) : [{ region, kind: 'whole' }];
    const { width, height } = this.config.input;
    const scaleOf = (p: Pass) => Math.min(width / (p.region[2] - p.region[0]), height / (p.region[3] - p.region[1]));
    const g0 = performance.now();
    const thumb = memory && gating ? lumaThumb(image, gating.cell) : undefined;
    const decisions: PassDecision[] = memory && thumb ? memory.plan(passes, thumb, scaleOf) : passes.map(() => 'first');
    const sum = { preprocessMs: performance.now() - g0, modelMs: 0, decodeMs: 0 };
    const ran = new Map<number, Detection[]>();
    const found: Array<{ pass: Pass; detections: Detection[] }> = [];
    for (const [i, pass] of passes.entries()) {
      if (decisions[i] === 'carried') {
        found.push({ pass, detections: memory!.carried(pass) });
        continue;
      }
      const detections = await this.detectPass(image, pass.region);
      ran.set(i, detections);
      found.push({ pass, detections });
      sum.preprocessMs += this.lastTimings.preprocessMs;
      sum.modelMs += this.lastTimings.modelMs;
      sum.decodeMs += this.lastTimings.decodeMs;
    }
    if (memory && thumb) memory.record(passes, decisions, thumb, ran);
    const t = performance.now();
    const detections = mergePasses(found, region, {
      ...(merge ?? DEFAULT_MERGE),
      edgeMarginPx: (p) => (tiling?.edgeMargin ?? 0) / scaleOf(p),
      maxDetections: this.config.maxDetections,
    });
    Object.assign(this.lastTimings, { ...sum, decodeMs: sum.decodeMs + performance.now() - t, passes: ran.size });
    return detections;
  }

  /** One model pass over a region of the image: boxes in image pixels, NMS per system class. */
  async detectPass(image: RgbImage, roi?: Box): Promise<Detection[]> {
    const t0 = performance.now();
    const { pixels, transform } = await resizeFrame(image, this.config.input, roi);
    const input = inputTensor(pixels, this.config.input);
    const t1 = performance.now();
    let outputs: RawOutput[];
    try {
      outputs = await this.run(input);
    } finally {
      input.dispose();
    }
    const t2 = performance.now();
    const detections = this.postprocess(outputs, transform);
    const t3 = performance.now();
    Object.assign(this.lastTimings, { preprocessMs: t1 - t0, modelMs: t2 - t1, decodeMs: t3 - t2, passes: 1 });
    return detections;
  }

  /** Runs the model on a prepared input tensor and downloads its outputs. */
  async run(input: tf.Tensor4D): Promise<RawOutput[]> {
    let result: tf.Tensor | tf.Tensor[];
    if (this.loaded.kind === 'layers') {
      result = this.loaded.model.predict(input) as tf.Tensor | tf.Tensor[];
    } else if (this.useAsync) {
      result = (await this.loaded.model.executeAsync(input)) as tf.Tensor | tf.Tensor[];
    } else {
      try {
        result = this.loaded.model.execute(input) as tf.Tensor | tf.Tensor[];
      } catch (err) {
        // Graphs with control flow (some SSD exports) only run asynchronously.
        if (!/executeAsync/.test((err as Error).message)) throw err;
        this.useAsync = true;
        result = (await this.loaded.model.executeAsync(input)) as tf.Tensor | tf.Tensor[];
      }
    }
    const tensors = Array.isArray(result) ? result : [result];
    try {
      return await Promise.all(tensors.map(async (t) => ({ data: (await t.data()) as Float32Array, shape: t.shape })));
    } finally {
      tensors.forEach((t) => t.dispose());
    }
  }

  /** Raw outputs → detections in image pixels (decode, class mapping, per-class NMS). */
  postprocess(outputs: RawOutput[], transform: InputTransform): Detection[] {
    const cfg = this.config;
    const numClasses = cfg.labels.length;
    const perClass: Partial<Record<VehicleClass, number>> = cfg.classScoreThresholds ?? {};
    const floor = Math.min(cfg.scoreThreshold, ...Object.values(perClass));
    const dims = { inputWidth: cfg.input.width, inputHeight: cfg.input.height };
    const head = cfg.head;
    let cands: Candidate[];
    switch (head.type) {
      case 'yolo':
        cands = decodeYolo(single(outputs, 'yolo'), numClasses, { ...head, ...dims }, floor);
        break;
      case 'boxes6':
        cands = decodeBoxes6(single(outputs, 'boxes6'), { ...head, ...dims }, numClasses, floor);
        break;
      case 'nanodet':
        cands = decodeNanodet(outputs, { ...head, ...dims }, numClasses, floor);
        break;
      case 'centernet':
        cands = decodeCenterNet(single(outputs, 'centernet'), numClasses, head.stride, floor);
        break;
    }
    const mapped: Array<Candidate & { vc: VehicleClass }> = [];
    for (const c of cands) {
      const vc = this.classes[c.cls];
      if (vc && c.score >= (perClass[vc] ?? cfg.scoreThreshold)) mapped.push({ ...c, vc });
    }
    // NMS per system class: two model labels mapped to one class (e.g. car/van) must not both survive.
    const kept = nonMaxSuppression(mapped, cfg.iouThreshold, cfg.maxDetections, (c) => c.vc);
    const detections: Detection[] = [];
    for (const c of kept) {
      const box = toImageBox(c.box, transform);
      if (box[2] - box[0] < 1 || box[3] - box[1] < 1) continue;
      detections.push({ box, cls: c.vc, score: c.score });
    }
    return detections;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.loaded.model.dispose();
  }
}

function single(outputs: RawOutput[], head: string): RawOutput {
  if (outputs.length !== 1) throw new Error(`${head} head: expected one output, the model has ${outputs.length}`);
  return outputs[0]!;
}
