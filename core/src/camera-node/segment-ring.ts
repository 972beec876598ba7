// The evidence ring: each ffmpeg run of a camera writes wall-clock-aligned MPEG-TS segments (stream
// copy) into its own folder `<segmentRoot>/<cameraId>/<runStartMs>/`, with a CSV list of finished
// segments and their wall-clock start/end. File names wrap inside a run; old runs are pruned.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const SEGMENT_LIST_FILE = 'segments.csv';

export interface Segment {
  path: string;
  /** Wall clock, epoch seconds. */
  start: number;
  end: number;
}

export function cameraSegmentDir(segmentRoot: string, cameraId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cameraId)) throw new Error('camera id must be [A-Za-z0-9_-] to be used as a folder name');
  return join(segmentRoot, cameraId);
}

export function runSegmentDir(segmentRoot: string, cameraId: string, runStartMs: number): string {
  return join(cameraSegmentDir(segmentRoot, cameraId), String(runStartMs));
}

/** Wall-clock start of a run's input (epoch seconds), written by the supervisor from ffmpeg's input summary. */
export const RUN_START_FILE = 'input-start';

/** Parses one run's list: times relative to the input start become wall clock. */
export function parseSegmentList(text: string, runDir: string, inputStart: number): Segment[] {
  const out: Segment[] = [];
  for (const line of text.split('\n')) {
    const [file, s, e] = line.trim().split(',');
    if (!file || !/^[\w.-]+$/.test(file)) continue;
    const start = Number(s);
    const end = Number(e);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) continue;
    out.push({ path: join(runDir, file), start: inputStart + start, end: inputStart + end });
  }
  return out;
}

/** Every finished segment of a camera across runs, oldest first. */
export async function listSegments(segmentRoot: string, cameraId: string): Promise<Segment[]> {
  const dir = cameraSegmentDir(segmentRoot, cameraId);
  let runs: string[];
  try {
    runs = (await readdir(dir)).filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const all: Segment[] = [];
  for (const run of runs) {
    const runDir = join(dir, run);
    let text: string;
    let inputStart: number;
    try {
      inputStart = Number(await readFile(join(runDir, RUN_START_FILE), 'utf8'));
      text = await readFile(join(runDir, SEGMENT_LIST_FILE), 'utf8');
    } catch {
      continue;
    }
    if (!Number.isFinite(inputStart) || inputStart <= 0) continue;
    all.push(...parseSegmentList(text, runDir, inputStart));
  }
  return all.sort((a, b) => a.start - b.start);
}

/** Removes run folders (other than `keepRun`) whose newest data is older than the retention. */
export async function pruneSegmentRuns(segmentRoot: string, cameraId: string, retentionSeconds: number, keepRun?: number): Promise<number> {
  const dir = cameraSegmentDir(segmentRoot, cameraId);
  let runs: string[];
  try {
    runs = (await readdir(dir)).filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  const cutoff = Date.now() - retentionSeconds * 1000;
  let removed = 0;
  for (const run of runs) {
    if (Number(run) === keepRun) continue;
    const runDir = join(dir, run);
    try {
      // The list is rewritten after every segment; the folder's own mtime stops moving once names wrap.
      const st = await stat(join(runDir, SEGMENT_LIST_FILE)).catch(() => stat(runDir));
      if (st.mtimeMs < cutoff) {
        await rm(runDir, { recursive: true, force: true });
        removed += 1;
      }
    } catch {
      // raced with another prune: fine
    }
  }
  return removed;
}
