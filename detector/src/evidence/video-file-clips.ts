// Clip source over a video file (offline runs and tests): cuts [from, to] of the file, re-encoded so the
// clip starts exactly where asked (ingest's segment ring does the live equivalent with stream copy).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { globalPreset } from '@phatnguoi/core/ffmpeg/presets';
import { runFfmpeg } from '@phatnguoi/core/ffmpeg/process';
import { Buckets, type Storage } from '@phatnguoi/core/storage';
import type { ClipSource } from './evidence';

export function videoFileClips(videoPath: string, videoStartMs: number, durationSeconds: number | null, storage: Pick<Storage, 'putFile'>): ClipSource {
  return {
    async cutClip(fromMs, toMs, key) {
      const from = Math.max(0, (fromMs - videoStartMs) / 1000);
      const to = durationSeconds === null ? (toMs - videoStartMs) / 1000 : Math.min(durationSeconds, (toMs - videoStartMs) / 1000);
      if (to - from < 0.2) return null;
      const dir = await mkdtemp(join(tmpdir(), 'pn-clip-'));
      const path = join(dir, 'clip.mp4');
      try {
        await runFfmpeg({
          globalOptions: globalPreset(),
          inputs: [{ source: videoPath, options: ['-ss', from.toFixed(3)] }],
          outputs: [
            {
              target: path,
              options: [
                '-t',
                (to - from).toFixed(3),
                '-an',
                '-c:v',
                'libx264',
                '-preset',
                'veryfast',
                '-crf',
                '23',
                '-pix_fmt',
                'yuv420p',
                '-movflags',
                '+faststart',
                '-f',
                'mp4',
              ],
            },
          ],
        });
        const { sha256, size } = await storage.putFile(Buckets.clips, key, path, 'video/mp4', { 'evidence-kind': 'clip' });
        return {
          kind: 'clip',
          bucket: Buckets.clips,
          key,
          sha256,
          size,
          contentType: 'video/mp4',
          capturedAt: new Date(videoStartMs + from * 1000).toISOString(),
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
