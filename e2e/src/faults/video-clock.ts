// Where in the simulator's video a frame is, found from the picture itself. The simulator's RTSP camera
// starts its video from t = 0 for every new client and loops it, so after an ingest restart (new RTSP
// session) or over several loops the capture time says nothing about the video time; the picture does.
// Each rendered frame is reduced to a small grey thumbnail (normalised: zero mean, unit variance, so JPEG
// re-encoding and colour-range differences do not matter); a frame's video time is the time of the nearest
// thumbnail. Stateless, so it survives every restart. Test-only.
import { spawn } from 'node:child_process';
import type { Box, Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import type { FrameAwareDetector, TruthReplayDetector } from '@phatnguoi/detector/pipeline/truth-replay-detector';

const TW = 64;
const TH = 36;

/** Normalised TWxTH grey thumbnail of an RGB (3 bytes per pixel) or grey (1 byte per pixel) image, by area averaging. */
export function thumbnail(data: Uint8Array, width: number, height: number, channels: 1 | 3): Float32Array {
  const sum = new Float64Array(TW * TH);
  const cnt = new Float64Array(TW * TH);
  for (let y = 0; y < height; y++) {
    const ty = Math.min(TH - 1, Math.floor((y * TH) / height));
    const row = y * width * channels;
    for (let x = 0; x < width; x++) {
      const tx = Math.min(TW - 1, Math.floor((x * TW) / width));
      const i = row + x * channels;
      const v = channels === 3 ? 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]! : data[i]!;
      sum[ty * TW + tx]! += v;
      cnt[ty * TW + tx]! += 1;
    }
  }
  const out = new Float32Array(TW * TH);
  let mean = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = sum[i]! / Math.max(1, cnt[i]!);
    mean += out[i]!;
  }
  mean /= out.length;
  let sq = 0;
  for (let i = 0; i < out.length; i++) sq += (out[i]! - mean) ** 2;
  const sd = Math.sqrt(sq / out.length) || 1;
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - mean) / sd;
  return out;
}

export class VideoClock {
  private constructor(
    private readonly thumbs: Float32Array[],
    readonly fps: number,
  ) {}

  /** Decodes the video (ffmpeg, grey) and keeps one thumbnail per frame; frame i is at i / fps seconds. */
  static async fromVideo(file: string, video: { width: number; height: number; fps: number }): Promise<VideoClock> {
    const size = video.width * video.height;
    const thumbs: Float32Array[] = [];
    await new Promise<void>((resolve, reject) => {
      const ff = spawn('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let pending: Buffer = Buffer.alloc(0);
      let err = '';
      ff.stdout.on('data', (d: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, d]) : d;
        while (pending.length >= size) {
          thumbs.push(thumbnail(pending.subarray(0, size), video.width, video.height, 1));
          pending = pending.subarray(size);
        }
      });
      ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
      ff.once('error', reject);
      ff.once('close', (code) => (code === 0 && thumbs.length > 0 ? resolve() : reject(new Error(`ffmpeg decoding ${file}: ${code} ${err.slice(-300)}`))));
    });
    return new VideoClock(thumbs, video.fps);
  }

  get durationS(): number {
    return this.thumbs.length / this.fps;
  }

  /** Video time (seconds) of the rendered frame nearest to this picture, and how near (mean squared difference). */
  locate(image: RgbImage): { t: number; distance: number } {
    return this.nearest(thumbnail(image.data, image.width, image.height, 3));
  }

  /** The same for a grey picture (one byte per pixel, e.g. the Y plane of an I420 frame). */
  locateGrey(data: Uint8Array, width: number, height: number): { t: number; distance: number } {
    return this.nearest(thumbnail(data, width, height, 1));
  }

  private nearest(th: Float32Array): { t: number; distance: number } {
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < this.thumbs.length; k++) {
      const ref = this.thumbs[k]!;
      let d = 0;
      for (let i = 0; i < th.length && d < bestD; i++) d += (th[i]! - ref[i]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return { t: best / this.fps, distance: bestD / th.length };
  }
}

/**
 * Truth replay for a camera that loops its video and starts it again for every new RTSP session: the video
 * time comes from the picture (VideoClock), not from the time since the camera's first frame. Around the loop
 * point (the last `blankEndS` and first `blankStartS` seconds of the video) it reports an empty road, so no
 * track spans the jump from the video's end to its start (a real camera has no such jump).
 */
export class LoopingTruthReplay implements FrameAwareDetector {
  readonly name = 'truth-replay-looping';
  constructor(
    private readonly inner: TruthReplayDetector,
    private readonly clock: VideoClock,
    private readonly blank = { endS: 1.0, startS: 0.6 },
  ) {}

  async detect(): Promise<Detection[]> {
    throw new Error('truth-replay needs the frame: the pipeline calls detectAt');
  }

  async detectAt(image: RgbImage, frame: { seq: number; videoTime: number }, _roi?: Box): Promise<Detection[]> {
    const { t } = this.clock.locate(image);
    if (t < this.blank.startS || t >= this.clock.durationS - this.blank.endS) return [];
    return this.inner.detectAt(image, { seq: frame.seq, videoTime: t });
  }

  dispose(): void {}
}
