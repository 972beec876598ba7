// Truth-replay detector: replays the simulator's ground-truth boxes as detections, optionally with
// noise, score dips and dropouts. It isolates tracking, rules and evidence from the model (tests) and
// measures the rules' upper bound (evaluation). Never used in production.
import type { Box, Detection, RgbImage, VehicleClass, VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { createRng } from '@phatnguoi/core/plates/generate';

export interface TruthObject {
  id: string;
  cls: VehicleClass;
  box: Box;
}

export interface TruthFrame {
  /** Seconds from the start of the video. */
  t: number;
  objects: TruthObject[];
}

export interface TruthReplayOptions {
  /** Uniform box noise, ± pixels per coordinate. */
  jitterPx?: number;
  /** Probability a box is missing from a frame. */
  dropRate?: number;
  /** Probability a box comes with a low score (0.3), as for an occluded vehicle. */
  lowScoreRate?: number;
  seed?: number;
}

/** A detector that also wants to know which frame it is looking at (the pipeline passes it when present). */
export interface FrameAwareDetector extends VehicleDetector {
  detectAt(image: RgbImage, frame: { seq: number; videoTime: number }, roi?: Box): Promise<Detection[]>;
}

export function isFrameAware(d: VehicleDetector): d is FrameAwareDetector {
  return typeof (d as Partial<FrameAwareDetector>).detectAt === 'function';
}

export class TruthReplayDetector implements FrameAwareDetector {
  readonly name = 'truth-replay';
  private readonly dt: number;

  constructor(
    private readonly frames: TruthFrame[],
    private readonly opts: TruthReplayOptions = {},
  ) {
    const ts = frames.map((f) => f.t);
    this.dt = ts.length > 1 ? (ts[ts.length - 1]! - ts[0]!) / (ts.length - 1) : 1;
  }

  async detect(): Promise<Detection[]> {
    throw new Error('truth-replay detector needs the frame time: the pipeline calls detectAt');
  }

  async detectAt(image: RgbImage, frame: { seq: number; videoTime: number }): Promise<Detection[]> {
    let best: TruthFrame | undefined;
    for (const f of this.frames) if (!best || Math.abs(f.t - frame.videoTime) < Math.abs(best.t - frame.videoTime)) best = f;
    if (!best || Math.abs(best.t - frame.videoTime) > this.dt * 0.75) return [];
    // Noise depends on the frame only, so replaying frames (after a restart) gives the same detections.
    const rand = createRng(((this.opts.seed ?? 1) * 0x9e3779b1) ^ Math.round(best.t * 1000));
    const j = this.opts.jitterPx ?? 0;
    const out: Detection[] = [];
    for (const o of best.objects) {
      if (rand() < (this.opts.dropRate ?? 0)) continue;
      const n = () => (rand() * 2 - 1) * j;
      const box: Box = [o.box[0] + n(), o.box[1] + n(), o.box[2] + n(), o.box[3] + n()];
      box[0] = Math.max(0, Math.min(box[0], image.width - 2));
      box[1] = Math.max(0, Math.min(box[1], image.height - 2));
      box[2] = Math.min(image.width, Math.max(box[2], box[0] + 1));
      box[3] = Math.min(image.height, Math.max(box[3], box[1] + 1));
      out.push({ box, cls: o.cls, score: rand() < (this.opts.lowScoreRate ?? 0) ? 0.3 : 0.9 });
    }
    return out;
  }

  dispose(): void {}
}

/** The simulator's truth frames (sim/src/truth.ts, structurally) as replay input; heavily occluded objects are left out. */
export function truthFramesFromSim(
  truth: { frames: { t: number; objects: { trackId: string; cls: string; box: Box; occluded?: number }[] }[] },
  maxOccluded = 0.8,
): TruthFrame[] {
  return truth.frames.map((f) => ({
    t: f.t,
    objects: f.objects.filter((o) => (o.occluded ?? 0) <= maxOccluded).map((o) => ({ id: o.trackId, cls: o.cls as VehicleClass, box: o.box })),
  }));
}
