// Decodes a video file into RGB frames at a sampling rate (through core's ffmpeg module).
import { PassThrough } from 'node:stream';
import { globalPreset } from '@phatnguoi/core/ffmpeg/presets';
import { probe, startFfmpeg } from '@phatnguoi/core/ffmpeg/process';
import type { RgbImage } from '@phatnguoi/core/contracts/detection';

export interface DecodedFrame {
  index: number;
  /** Seconds from the start of the video. */
  time: number;
  image: RgbImage;
}

export async function videoSize(path: string): Promise<{ width: number; height: number; duration: number | null }> {
  const info = await probe(path);
  const v = info.streams.find((s) => s.codecType === 'video');
  if (!v?.width || !v.height) throw new Error(`no video stream in ${path}`);
  return { width: v.width, height: v.height, duration: info.durationSeconds };
}

/** Frames of `path` at `fps` (ffmpeg's fps filter: frame i shows time i/fps), in order. */
export async function* decodeVideoFrames(path: string, fps: number): AsyncGenerator<DecodedFrame> {
  const { width, height } = await videoSize(path);
  const frameBytes = width * height * 3;
  const out = new PassThrough({ highWaterMark: frameBytes * 2 });
  const handle = startFfmpeg({
    globalOptions: globalPreset(),
    inputs: [{ source: path, options: [] }], // decode as fast as possible: no -re, no looping
    outputs: [{ options: ['-an', '-vf', `fps=${fps}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24'] }],
    stdout: out,
  });
  // Each frame gets its own buffer, filled straight from the pipe chunks (no concatenation copies):
  // consumers may keep a frame (e.g. an encoder still reading it) after the next one arrives.
  let frame = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let index = 0;
  try {
    for await (const chunk of out) {
      const bytes = chunk as Buffer;
      let offset = 0;
      while (offset < bytes.length) {
        const n = Math.min(frameBytes - filled, bytes.length - offset);
        bytes.copy(frame, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          yield { index, time: index / fps, image: { data: new Uint8Array(frame.buffer, frame.byteOffset, frameBytes), width, height } };
          index++;
          frame = Buffer.allocUnsafe(frameBytes);
          filled = 0;
        }
      }
    }
    const exit = await handle.exited;
    if (exit.error) throw new Error(`ffmpeg failed to decode ${path}: ${exit.error} ${exit.stderr.slice(-3).join(' | ')}`);
  } finally {
    await handle.stop(500);
  }
}
