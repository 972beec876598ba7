// decodeVideoFrames must decode a valid file completely every time. It once failed intermittently with
// "Output stream closed": the reader drained ffmpeg's stdout (closing the stream) before ffmpeg's exit
// was seen, and fluent-ffmpeg then reported an error and killed ffmpeg. A slow consumer (back-pressure)
// and a consumer that stops early are covered too.
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVideoFrames } from '../../src/pipeline/video-frames';

const run = promisify(execFile);
const W = 64;
const H = 48;
const FPS = 10;
const SECONDS = 2;

let dir: string;
let video: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'video-frames-'));
  video = join(dir, 'small.mp4');
  // Solid red for 1 s then solid blue for 1 s: the decoded pixels can be checked per frame.
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `color=c=red:s=${W}x${H}:r=${FPS}:d=1`,
    '-f',
    'lavfi',
    '-i',
    `color=c=blue:s=${W}x${H}:r=${FPS}:d=1`,
    '-filter_complex',
    '[0:v][1:v]concat=n=2:v=1[v]',
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-qp',
    '0',
    '-pix_fmt',
    'yuv444p',
    video,
  ]);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function decodeAll(opts: { slow?: boolean } = {}): Promise<{ count: number; red: number; blue: number; indices: number[] }> {
  let red = 0;
  let blue = 0;
  const indices: number[] = [];
  for await (const f of decodeVideoFrames(video, FPS)) {
    expect(f.image.width).toBe(W);
    expect(f.image.height).toBe(H);
    expect(f.image.data.length).toBe(W * H * 3);
    const [r, g, b] = [f.image.data[0]!, f.image.data[1]!, f.image.data[2]!];
    if (r > 200 && g < 50 && b < 50) red++;
    if (b > 200 && g < 50 && r < 50) blue++;
    indices.push(f.index);
    if (opts.slow) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { count: indices.length, red, blue, indices };
}

describe('decodeVideoFrames', () => {
  it('decodes the same small video 20 times in a row, every frame every time', async () => {
    for (let i = 0; i < 20; i++) {
      const r = await decodeAll();
      expect(r.count).toBe(FPS * SECONDS);
      expect(r.indices).toEqual(Array.from({ length: FPS * SECONDS }, (_, k) => k));
      expect(r.red).toBe(FPS);
      expect(r.blue).toBe(FPS);
    }
  }, 240_000);

  it('decodes 8 copies at once without failure (contended machine)', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => decodeAll()));
    for (const r of results) expect(r.count).toBe(FPS * SECONDS);
  }, 240_000);

  it('decodes completely with a slow consumer (back-pressure on the pipe)', async () => {
    const r = await decodeAll({ slow: true });
    expect(r.count).toBe(FPS * SECONDS);
  }, 120_000);

  it('a consumer that stops early ends ffmpeg and a later decode still works', async () => {
    let seen = 0;
    for await (const f of decodeVideoFrames(video, FPS)) {
      seen = f.index + 1;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect((await decodeAll()).count).toBe(FPS * SECONDS);
  }, 120_000);

  it('decodes completely when ffmpeg exits well after closing its stdout (the old "Output stream closed" race)', async () => {
    // A wrapper that closes stdout as soon as ffmpeg is done, then exits 200 ms later: what a loaded
    // machine does to the order of "stdout closed" and "process exited". This failed every time before.
    const wrapper = join(dir, 'slow-exit-ffmpeg.sh');
    await writeFile(wrapper, '#!/bin/sh\nffmpeg "$@"\nrc=$?\nexec 1>&-\nsleep 0.2\nexit $rc\n');
    await chmod(wrapper, 0o755);
    const before = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = wrapper;
    try {
      for (let i = 0; i < 3; i++) expect((await decodeAll()).count).toBe(FPS * SECONDS);
    } finally {
      if (before === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = before;
    }
  }, 120_000);

  it('a missing file fails with a clear error', async () => {
    const missing = join(dir, 'missing.mp4');
    const iterate = async () => {
      for await (const f of decodeVideoFrames(missing, FPS)) void f;
    };
    await expect(iterate()).rejects.toThrow();
  }, 120_000);
});
