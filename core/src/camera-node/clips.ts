// Evidence clips: "N seconds before and after T" for a camera, cut from the segment ring by stream
// copy (the original encoded video, never re-encoded), uploaded to object storage with its SHA-256.
// The clip starts at the last keyframe at or before `from` (a copied clip cannot start between
// keyframes), so it always covers the requested window; `startedAt` says where it really starts.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { NotFoundError, OperationalError, UserError } from '../errors';
import { clipOutputPreset, concatInputPreset, globalPreset } from '../ffmpeg/presets';
import { keyframeTimes, probe, runFfmpeg } from '../ffmpeg/process';
import { Buckets, type Storage } from '../storage';
import { listSegments, type Segment } from './segment-ring';

export interface ClipRequest {
  cameraId: string;
  from: Date | string | number;
  to: Date | string | number;
}

export interface ClipDeps {
  storage: Storage;
  /** Root of the segment ring (IngestSettings.segmentDir) on this node. */
  segmentDir: string;
  /** How long to wait past `to` for the segment that covers it to be finished. */
  maxWaitMs?: number;
  /** Keep the local mp4 (its path is returned) instead of deleting it after upload. */
  keepFile?: boolean;
}

export interface ClipResult {
  bucket: typeof Buckets.clips;
  key: string;
  sha256: string;
  size: number;
  contentType: 'video/mp4';
  /** Where the clip really starts and ends (wall clock, ISO): covers the requested window. */
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
  /** False when the ring did not hold the whole window (camera down, or older than retention). */
  complete: boolean;
  file?: string;
}

/** Longest clip one request may ask for. */
export const MAX_CLIP_SECONDS = 300;

function epochSeconds(t: Date | string | number, field: string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new UserError('invalid_clip_window', `${field} is not a valid time`);
  return ms / 1000;
}

export async function cutClip(req: ClipRequest, deps: ClipDeps): Promise<ClipResult> {
  const from = epochSeconds(req.from, 'from');
  const to = epochSeconds(req.to, 'to');
  if (to <= from) throw new UserError('invalid_clip_window', 'to must be after from');
  if (to - from > MAX_CLIP_SECONDS) throw new UserError('invalid_clip_window', `a clip is at most ${MAX_CLIP_SECONDS} s`);

  const segments = await waitForCoverage(deps.segmentDir, req.cameraId, to, deps.maxWaitMs ?? 15_000);
  const work = await mkdtemp(join(tmpdir(), 'pn-clip-'));
  try {
    const picked = await copyStable(deps.segmentDir, req.cameraId, segments, from, to, work);
    if (picked.length === 0) throw new NotFoundError(`no recorded video for camera ${req.cameraId} in the requested window`);
    const first = picked[0]!;
    const last = picked[picked.length - 1]!;

    // Start at the last keyframe at or before `from` inside the first segment.
    const keyframes = await keyframeTimes(first.local);
    const base = keyframes[0] ?? 0;
    let seek = 0;
    for (const k of keyframes) if (k - base <= from - first.start + 1e-3) seek = k - base;
    const clipStart = first.start + seek;
    const clipEnd = Math.min(to, last.end);
    const listFile = join(work, 'concat.txt');
    await writeFile(listFile, picked.map((p) => `file '${basename(p.local)}'`).join('\n') + '\n');
    const out = join(work, 'clip.mp4');
    await runFfmpeg({
      globalOptions: globalPreset('error'),
      inputs: [{ source: listFile, options: concatInputPreset() }],
      // Start a hair before the keyframe, so that it is the first packet kept.
      outputs: [{ target: out, options: clipOutputPreset(Math.max(0, seek - 0.0005), clipEnd - clipStart) }],
    });
    const probed = await probe(out);
    const sha256 = await sha256File(out);
    const key = `${req.cameraId}/${new Date(clipStart * 1000).toISOString().replace(/[:.]/g, '-')}_${randomBytes(4).toString('hex')}.mp4`;
    const put = await deps.storage.putFile(Buckets.clips, key, out, 'video/mp4', {
      camera: req.cameraId,
      'started-at': new Date(clipStart * 1000).toISOString(),
      'ended-at': new Date(clipEnd * 1000).toISOString(),
    });
    if (put.sha256 !== sha256) throw new OperationalError('clip_upload_mismatch', 'stored clip hash differs from the cut file');
    let file: string | undefined;
    if (deps.keepFile) {
      file = join(tmpdir(), `pn-clip-${basename(key)}`);
      await copyFile(out, file);
    }
    const complete = first.start <= from + 1e-3 && last.end >= to - 0.05 && contiguous(picked);
    return {
      bucket: Buckets.clips,
      key,
      sha256,
      size: put.size,
      contentType: 'video/mp4',
      startedAt: new Date(clipStart * 1000).toISOString(),
      endedAt: new Date(clipEnd * 1000).toISOString(),
      durationSeconds: probed.durationSeconds ?? clipEnd - clipStart,
      complete,
      ...(file ? { file } : {}),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function waitForCoverage(segmentDir: string, cameraId: string, to: number, maxWaitMs: number): Promise<Segment[]> {
  const deadline = Math.max(Date.now(), to * 1000) + maxWaitMs;
  for (;;) {
    const segments = await listSegments(segmentDir, cameraId);
    if (segments.some((s) => s.end >= to) || Date.now() > deadline) return segments;
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface PickedSegment extends Segment {
  local: string;
}

/** Copies the overlapping segments, then checks none was rewritten meanwhile (names wrap in the ring). */
async function copyStable(segmentDir: string, cameraId: string, segments: Segment[], from: number, to: number, work: string): Promise<PickedSegment[]> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const overlap = segments.filter((s) => s.end > from && s.start < to);
    const picked: PickedSegment[] = [];
    for (const [i, s] of overlap.entries()) {
      const local = join(work, `${String(i).padStart(4, '0')}.ts`);
      await copyFile(s.path, local);
      picked.push({ ...s, local });
    }
    const now = await listSegments(segmentDir, cameraId);
    const still = picked.every((p) => now.some((s) => s.path === p.path && Math.abs(s.start - p.start) < 1e-3));
    if (still) return picked;
    segments = now;
  }
  throw new OperationalError('clip_ring_busy', 'segments were overwritten while cutting the clip');
}

function contiguous(segments: Segment[]): boolean {
  for (let i = 1; i < segments.length; i++) if (segments[i]!.start - segments[i - 1]!.end > 0.5) return false;
  return true;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
