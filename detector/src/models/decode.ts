// Output decoders for the supported head shapes, and non-maximum suppression. Pure functions over the
// models' raw output arrays; boxes come out in model-input pixels.
import type { Box } from '@phatnguoi/core/contracts/detection';

export interface Candidate {
  box: Box;
  score: number;
  /** Index into the model's label list. */
  cls: number;
}

export interface RawOutput {
  data: Float32Array | Int32Array | Uint8Array;
  shape: number[];
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

function boxFrom(format: 'cxcywh' | 'xyxy', a: number, b: number, c: number, d: number, sx: number, sy: number): Box {
  if (format === 'xyxy') return [a * sx, b * sy, c * sx, d * sy];
  return [(a - c / 2) * sx, (b - d / 2) * sy, (a + c / 2) * sx, (b + d / 2) * sy];
}

/** YOLOv8-style head: [1, 4+C, N] (channels first) or [1, N, 4+C]; class scores without objectness. */
export function decodeYolo(
  out: RawOutput,
  numClasses: number,
  opts: { boxFormat: 'cxcywh' | 'xyxy'; normalized: boolean; scoresAreLogits: boolean; inputWidth: number; inputHeight: number },
  threshold: number,
): Candidate[] {
  const dims = out.shape.filter((_, i) => i > 0 || out.shape.length === 2);
  if (dims.length !== 2) throw new Error(`yolo head: expected [1, 4+C, N] output, got [${out.shape}]`);
  const rows = 4 + numClasses;
  let channelsFirst: boolean;
  if (dims[0] === rows) channelsFirst = true;
  else if (dims[1] === rows) channelsFirst = false;
  else throw new Error(`yolo head: output [${out.shape}] has no axis of 4+${numClasses} (labels)`);
  const n = channelsFirst ? dims[1]! : dims[0]!;
  const at = channelsFirst ? (r: number, i: number) => out.data[r * n + i]! : (r: number, i: number) => out.data[i * rows + r]!;
  const sx = opts.normalized ? opts.inputWidth : 1;
  const sy = opts.normalized ? opts.inputHeight : 1;
  const result: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    let cls = -1;
    for (let c = 0; c < numClasses; c++) {
      const v = at(4 + c, i);
      if (v > best) {
        best = v;
        cls = c;
      }
    }
    const score = opts.scoresAreLogits ? sigmoid(best) : best;
    if (score < threshold) continue;
    result.push({ box: boxFrom(opts.boxFormat, at(0, i), at(1, i), at(2, i), at(3, i), sx, sy), score, cls });
  }
  return result;
}

/** SSD/CenterNet export with its own post-processing: [1, N, 6] rows of x1, y1, x2, y2, score, class. */
export function decodeBoxes6(
  out: RawOutput,
  opts: { normalized: boolean; inputWidth: number; inputHeight: number },
  numClasses: number,
  threshold: number,
): Candidate[] {
  const last = out.shape[out.shape.length - 1];
  if (last !== 6) throw new Error(`boxes6 head: expected [1, N, 6] output, got [${out.shape}]`);
  const n = out.data.length / 6;
  const sx = opts.normalized ? opts.inputWidth : 1;
  const sy = opts.normalized ? opts.inputHeight : 1;
  const result: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * 6;
    const score = out.data[o + 4]!;
    const cls = Math.round(out.data[o + 5]!);
    if (score < threshold || cls < 0 || cls >= numClasses) continue;
    result.push({ box: boxFrom('xyxy', out.data[o]!, out.data[o + 1]!, out.data[o + 2]!, out.data[o + 3]!, sx, sy), score, cls });
  }
  return result;
}

/**
 * NanoDet-Plus head: for each stride a class-score output [1, N, C] (sigmoid applied) and a box output
 * [1, N, 4·(regMax+1)] (left, top, right, bottom bins). Outputs are matched to strides by N
 * (N = ceil(H/s)·ceil(W/s)), so their order in the graph does not matter.
 */
export function decodeNanodet(
  outputs: RawOutput[],
  opts: { strides: number[]; regMax: number; inputWidth: number; inputHeight: number },
  numClasses: number,
  threshold: number,
): Candidate[] {
  const bins = opts.regMax + 1;
  const result: Candidate[] = [];
  for (const stride of opts.strides) {
    const gw = Math.ceil(opts.inputWidth / stride);
    const gh = Math.ceil(opts.inputHeight / stride);
    const n = gw * gh;
    const byN = outputs.filter((o) => o.data.length / (o.shape[o.shape.length - 1] ?? 1) === n);
    const scores = byN.find((o) => o.shape[o.shape.length - 1] === numClasses);
    const boxes = byN.find((o) => o.shape[o.shape.length - 1] === 4 * bins);
    if (!scores || !boxes) {
      throw new Error(
        `nanodet head: no [1,${n},${numClasses}] and [1,${n},${4 * bins}] outputs for stride ${stride} (got ${outputs.map((o) => `[${o.shape}]`).join(' ')})`,
      );
    }
    const dist = new Float64Array(4);
    for (let i = 0; i < n; i++) {
      let best = -Infinity;
      let cls = -1;
      const so = i * numClasses;
      for (let c = 0; c < numClasses; c++) {
        const v = scores.data[so + c]!;
        if (v > best) {
          best = v;
          cls = c;
        }
      }
      if (best < threshold) continue;
      const bo = i * 4 * bins;
      for (let side = 0; side < 4; side++) {
        let max = -Infinity;
        for (let b = 0; b < bins; b++) max = Math.max(max, boxes.data[bo + side * bins + b]!);
        let sum = 0;
        let acc = 0;
        for (let b = 0; b < bins; b++) {
          const e = Math.exp(boxes.data[bo + side * bins + b]! - max);
          sum += e;
          acc += e * b;
        }
        dist[side] = (acc / sum) * stride;
      }
      const cx = ((i % gw) + 0.5) * stride;
      const cy = (Math.floor(i / gw) + 0.5) * stride;
      result.push({ box: [cx - dist[0]!, cy - dist[1]!, cx + dist[2]!, cy + dist[3]!], score: best, cls });
    }
  }
  return result;
}

/**
 * The project's CenterNet-style head: [1, GH, GW, C+4], C heatmap logits, then log(w/stride), log(h/stride),
 * and the centre's offset inside its cell (in strides). A peak is a cell that is the maximum of its 3x3
 * neighbourhood for its class.
 */
export function decodeCenterNet(out: RawOutput, numClasses: number, stride: number, threshold: number, maxCandidates = 200): Candidate[] {
  const [, gh, gw, ch] = out.shape as [number, number, number, number];
  if (out.shape.length !== 4 || ch !== numClasses + 4) {
    throw new Error(`centernet head: expected [1, H, W, ${numClasses + 4}], got [${out.shape}]`);
  }
  const logit = threshold <= 0 ? -Infinity : threshold >= 1 ? Infinity : Math.log(threshold / (1 - threshold));
  const d = out.data;
  const result: Candidate[] = [];
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const o = (y * gw + x) * ch;
      for (let c = 0; c < numClasses; c++) {
        const v = d[o + c]!;
        if (v < logit) continue;
        let peak = true;
        for (let dy = -1; dy <= 1 && peak; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if ((dx === 0 && dy === 0) || y + dy < 0 || y + dy >= gh || x + dx < 0 || x + dx >= gw) continue;
            const u = d[((y + dy) * gw + x + dx) * ch + c]!;
            // Ties go to the earlier cell so a flat plateau gives one peak.
            if (u > v || (u === v && (dy < 0 || (dy === 0 && dx < 0)))) {
              peak = false;
              break;
            }
          }
        }
        if (!peak) continue;
        const w = Math.exp(Math.min(8, d[o + numClasses]!)) * stride;
        const h = Math.exp(Math.min(8, d[o + numClasses + 1]!)) * stride;
        const cx = (x + d[o + numClasses + 2]!) * stride;
        const cy = (y + d[o + numClasses + 3]!) * stride;
        result.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score: sigmoid(v), cls: c });
      }
    }
  }
  result.sort((a, b) => b.score - a.score);
  return result.length > maxCandidates ? result.slice(0, maxCandidates) : result;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS. `groupOf` decides which candidates compete (by default the same class); candidates are kept
 * in descending score order, at most `max`.
 */
export function nonMaxSuppression<T extends { box: Box; score: number }>(
  cands: T[],
  iouThreshold: number,
  max: number,
  groupOf: (c: T) => unknown = (c) => (c as unknown as Candidate).cls,
): T[] {
  const sorted = [...cands].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const c of sorted) {
    if (kept.length >= max) break;
    const g = groupOf(c);
    if (kept.some((k) => groupOf(k) === g && iou(k.box, c.box) > iouThreshold)) continue;
    kept.push(c);
  }
  return kept;
}
