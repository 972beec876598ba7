// Encoder preset: raw RGB frames (or PNG/JPEG images) piped on stdin → H.264 mp4, via fluent-ffmpeg.
// Used by the scene simulator. Byte-reproducible: fixed thread count (x264 is deterministic for a
// given thread count), bit-exact muxing, no encoder/creation-time metadata.
import { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';

export interface H264EncoderOptions {
  output: string;
  width: number;
  height: number;
  fps: number;
  /** `rgb24`: raw frames of width*height*3 bytes; `image2pipe`: a stream of PNG or JPEG files. */
  input?: 'rgb24' | 'image2pipe';
  /** x264 constant rate factor (lower = better; 18–28 sensible). Default 23. */
  crf?: number;
  /** x264 speed preset. Default `veryfast`. */
  preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
  /** Keyframe interval in frames; default 2 s worth (short evidence clips cut cleanly). */
  gop?: number;
  /** Encoder threads; fixed so that output bytes do not depend on the machine. Default 2. */
  threads?: number;
}

export interface H264Encoder {
  /** Write one frame; resolves when the pipe can take more (back-pressure). */
  write(frame: Uint8Array): Promise<void>;
  /** Close stdin and wait for ffmpeg to finish the file. */
  end(): Promise<void>;
  /** Kill ffmpeg (the partial file is left as is). */
  abort(): void;
}

/** ffmpeg output options of the preset (exported so the choice is visible and testable). */
export function h264OutputOptions(o: Pick<H264EncoderOptions, 'crf' | 'preset' | 'gop' | 'threads' | 'fps'>): string[] {
  const gop = o.gop ?? Math.max(1, Math.round(o.fps * 2));
  return [
    '-c:v',
    'libx264',
    '-preset',
    o.preset ?? 'veryfast',
    '-crf',
    String(o.crf ?? 23),
    '-pix_fmt',
    'yuv420p', // plays everywhere (browsers, RTSP clients)
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-sc_threshold',
    '0', // keyframes on a fixed grid
    // No B-frames, like surveillance cameras: served over RTSP, a B-frame stream reaches ffmpeg with packets
    // lacking timestamps, which the MPEG-TS muxer of ingest's segment ring refuses ("first pts and dts value must be set").
    '-bf',
    '0',
    '-threads',
    String(o.threads ?? 2),
    '-movflags',
    '+faststart',
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:v',
    '+bitexact',
    '-metadata',
    'creation_time=1970-01-01T00:00:00Z',
  ];
}

export function createH264Encoder(o: H264EncoderOptions): H264Encoder {
  const stdin = new PassThrough({ highWaterMark: o.width * o.height * 3 * 2 });
  const cmd = ffmpeg(stdin);
  if ((o.input ?? 'rgb24') === 'rgb24') {
    cmd.inputOptions(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-r', String(o.fps)]);
  } else {
    cmd.inputOptions(['-f', 'image2pipe', '-r', String(o.fps)]);
  }
  cmd.outputOptions(h264OutputOptions(o)).output(o.output).format('mp4');
  const stderr: string[] = [];
  let failed: Error | null = null;
  const done = new Promise<void>((resolve, reject) => {
    cmd.on('stderr', (line: string) => {
      stderr.push(line);
      if (stderr.length > 40) stderr.shift();
    });
    cmd.on('error', (err: Error) => {
      failed = new Error(`ffmpeg encode to ${o.output} failed: ${err.message}\n${stderr.slice(-10).join('\n')}`);
      reject(failed);
    });
    cmd.on('end', () => resolve());
  });
  done.catch(() => undefined);
  cmd.run();
  return {
    write(frame) {
      if (failed) return Promise.reject(failed);
      const ok = stdin.write(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
      if (ok) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          done.catch(() => undefined);
          resolve();
        };
        stdin.once('drain', onDrain);
        done.catch((e: unknown) => {
          stdin.off('drain', onDrain);
          reject(e);
        });
      });
    },
    async end() {
      stdin.end();
      await done;
    },
    abort() {
      cmd.kill('SIGKILL');
    },
  };
}
