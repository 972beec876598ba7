// `eval --reuse-detections`: the model's detections on each frame of a rendered scene are kept next to the video and
// replayed on the next run with the same model files, so changes to tracking, rules or measurement can be compared
// on identical detections (and cheaply) without running the model again. The model is identified by the SHA-256 of
// its config and weight files; a different model, or a frame not in the file, runs the model.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Box, Detection, RgbImage, VehicleDetector } from '@phatnguoi/core/contracts/detection';

interface CacheFile {
  model: string;
  /** Detections per frame, keyed by the frame's video time in milliseconds. */
  frames: Record<string, Detection[]>;
}

/** SHA-256 over a detector config file and the files in its folder that hold the model (model.json, weights). */
export async function modelFingerprint(configPath: string): Promise<string> {
  const h = createHash('sha256');
  const dir = dirname(configPath);
  for (const f of [configPath, join(dir, 'model.json'), join(dir, 'weights.bin')]) if (existsSync(f)) h.update(await readFile(f));
  return h.digest('hex');
}

export class CachingDetector {
  readonly name: string;
  private frames: Record<string, Detection[]>;
  private fresh = 0;

  private constructor(
    private readonly inner: VehicleDetector,
    private readonly path: string,
    private readonly model: string,
    cached: CacheFile | null,
  ) {
    this.name = inner.name;
    this.frames = cached && cached.model === model ? cached.frames : {};
  }

  static async open(inner: VehicleDetector, path: string, model: string): Promise<CachingDetector> {
    const cached = existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as CacheFile) : null;
    return new CachingDetector(inner, path, model, cached);
  }

  /** How many frames the model had to run on (0 when every frame came from the file). */
  get framesDetected(): number {
    return this.fresh;
  }

  async detect(image: RgbImage, roi?: Box): Promise<Detection[]> {
    return this.inner.detect(image, roi);
  }

  async detectAt(image: RgbImage, frame: { seq: number; videoTime: number }, roi?: Box): Promise<Detection[]> {
    const key = String(Math.round(frame.videoTime * 1000));
    const hit = this.frames[key];
    if (hit) return hit;
    const found = await this.inner.detect(image, roi);
    this.frames[key] = found;
    this.fresh++;
    return found;
  }

  async save(): Promise<void> {
    if (this.fresh > 0) await writeFile(this.path, JSON.stringify({ model: this.model, frames: this.frames } satisfies CacheFile));
  }

  dispose(): void {}
}
