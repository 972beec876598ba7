// One JPEG from a camera stream, with ffmpeg: the admin tests a stream (and sees its picture) before saving a camera.
import { PassThrough } from 'node:stream';
import { diagnoseFfmpeg, type FfmpegDiagnosis } from './diagnose';
import { startFfmpeg } from './process';
import { globalPreset, inputPreset, snapshotPreset } from './presets';

export type StreamSnapshot = { ok: true; jpeg: Buffer } | { ok: false; diagnosis: FfmpegDiagnosis };

/** Largest JPEG accepted from ffmpeg (a 4K frame at -q:v 3 is well under this). */
const MAX_JPEG_BYTES = 16 * 1024 * 1024;

/**
 * Opens `url` (credentials included; ffmpeg's messages are redacted) and returns its first video frame as JPEG,
 * or why it could not: the same diagnosis codes ingest reports (`unauthorized`, `not_found`, `unreachable`, ...).
 * Gives up after `timeoutMs` (reported as `unreachable`).
 */
export async function grabStreamJpeg(url: string, opts: { timeoutMs?: number } = {}): Promise<StreamSnapshot> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const chunks: Buffer[] = [];
  let size = 0;
  const stdout = new PassThrough();
  stdout.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_JPEG_BYTES) chunks.push(c);
  });
  const handle = startFfmpeg({
    globalOptions: globalPreset('error'),
    inputs: [{ source: url, options: inputPreset(url, { socketTimeoutMs: Math.min(5000, timeoutMs) }) }],
    outputs: [{ options: snapshotPreset() }],
    stdout,
    dieWithParent: true,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void handle.stop(500);
  }, timeoutMs);
  const exit = await handle.exited;
  clearTimeout(timer);
  const jpeg = Buffer.concat(chunks);
  const isJpeg = jpeg.length > 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8 && size <= MAX_JPEG_BYTES;
  if (!exit.error && isJpeg) return { ok: true, jpeg };
  if (timedOut) return { ok: false, diagnosis: { code: 'unreachable', message: `no picture within ${timeoutMs} ms` } };
  return { ok: false, diagnosis: diagnoseFfmpeg(exit.stderr, exit.error) };
}
