// The frame ring as every role on a camera node sees it: where each camera's slot files live, how long a
// frame may be read after its capture, and the reader (a slot by reference, a camera's frames in order, the
// newest frame). Ingest writes the ring (ingest/src/frame-ring.ts); the detector and the api read it through
// this module. The slot format and the reference are in ./frames, the Redis names in ./channels.
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { droppedKey, frameStreamKey } from './channels';
import { FRAME_FORMAT, frameRefFromFields, slotContent, type FrameEvent, type FrameRef, type RawFrame, type SlotContent } from './frames';

/** Fewest slots a ring may have: `readBy` leaves a reader `slots - READ_MARGIN_SLOTS` sampling intervals. */
export const MIN_RING_SLOTS = 8;
const READ_MARGIN_SLOTS = 3;

export function cameraRingDir(rootDir: string, cameraId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cameraId)) throw new Error('camera id must be [A-Za-z0-9_-] to be used as a folder name');
  return join(rootDir, cameraId);
}

export function slotPath(rootDir: string, cameraId: string, slot: number): string {
  return join(cameraRingDir(rootDir, cameraId), `${String(slot).padStart(4, '0')}.frame`);
}

/** The slot file names as an ffmpeg image2 pattern (see `frameRingPreset`). */
export function slotPattern(rootDir: string, cameraId: string): string {
  return join(cameraRingDir(rootDir, cameraId), '%04d.frame');
}

/** How long after its capture a frame may still be read from a ring of `slots` sampled at `sampleFps` (its `readBy`). */
export function readableSpanMs(slots: number, sampleFps: number): number {
  return ((slots - READ_MARGIN_SLOTS) * 1000) / sampleFps;
}

/** Reads the slot of a reference: its frame, or why not (overwritten, gone, damaged). */
export async function readSlot(ref: FrameRef): Promise<SlotContent> {
  if (ref.format !== FRAME_FORMAT) return { kind: 'overwritten' }; // a reference from before raw frames: its slot is long gone
  let bytes: Buffer;
  try {
    bytes = await readFile(ref.path);
  } catch {
    return { kind: 'overwritten' };
  }
  return slotContent(bytes, ref, Date.now());
}

/** Reads the pixels of a reference; null when the slot was overwritten, is gone or is damaged. */
export async function readFrameSlot(ref: FrameRef): Promise<RawFrame | null> {
  const content = await readSlot(ref);
  return content.kind === 'frame' ? content.frame : null;
}

export interface ReadFramesOptions {
  keyPrefix?: string;
  /** XREAD BLOCK time; the generator keeps waiting until `signal` aborts. */
  blockMs?: number;
  /** References fetched per round trip. */
  count?: number;
  /** Sequence number of the last frame the caller processed (detects frames trimmed before `afterId`). */
  lastSeq?: number;
  signal?: AbortSignal;
  /** Add drops to the per-camera counter ingest reports in camera status (default true). */
  reportDrops?: boolean;
  /** Called each time an XREAD returns (with or without entries): the reader is alive (watchdogs). */
  onPoll?: (entries: number) => void;
}

/**
 * Yields a camera's frames after stream id `afterId` ('$' = only new ones, '0' = from the oldest kept),
 * in order. Frames lost on the way (slot overwritten, reference trimmed, sequence gap) are reported as
 * `dropped` events. XREAD BLOCK ties up its connection: give this a Redis connection of its own.
 */
export async function* readFrames(redis: Redis, cameraId: string, afterId: string, opts: ReadFramesOptions = {}): AsyncGenerator<FrameEvent> {
  const key = frameStreamKey(cameraId, opts.keyPrefix);
  const blockMs = opts.blockMs ?? 1000;
  const count = opts.count ?? 16;
  const reportDrops = opts.reportDrops ?? true;
  let lastId = afterId;
  let lastSeq = opts.lastSeq;
  if (lastId === '$') {
    // Resolve '$' once, so that entries added between two XREAD calls are not skipped.
    const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
    lastId = last[0]?.[0] ?? '0-0';
    const ref = last[0] ? frameRefFromFields(last[0][1]) : null;
    if (ref && lastSeq === undefined) lastSeq = ref.seq;
  }
  const report = async (n: number) => {
    if (reportDrops && n > 0) await redis.hincrby(droppedKey(opts.keyPrefix), cameraId, n);
  };
  while (!opts.signal?.aborted) {
    const res = (await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, lastId)) as [string, [string, string[]][]][] | null;
    opts.onPoll?.(res ? res.reduce((n, [, entries]) => n + entries.length, 0) : 0);
    if (!res) continue;
    for (const [, entries] of res) {
      for (const [id, fields] of entries) {
        lastId = id;
        const ref = frameRefFromFields(fields);
        if (!ref) continue;
        if (lastSeq !== undefined && ref.seq > lastSeq + 1) {
          const count = ref.seq - lastSeq - 1;
          await report(count);
          yield { kind: 'dropped', id, count, reason: 'trimmed' };
        }
        lastSeq = ref.seq;
        const slot = await readSlot(ref);
        if (slot.kind === 'overwritten') {
          await report(1);
          yield { kind: 'dropped', id, count: 1, reason: 'overwritten' };
        } else if (slot.kind === 'corrupt') {
          await report(1);
          yield { kind: 'corrupt', id, ref, reason: slot.reason };
        } else {
          yield { kind: 'frame', id, ref, frame: slot.frame };
        }
      }
    }
  }
}

/**
 * The newest whole frame of a camera whose ring is under `rootDir` (this node's FRAME_RING_DIR), or null: the
 * newest slot may be being replaced right now, so the few newest references are tried; a reference pointing
 * outside `rootDir` (another node's ring) is never read.
 */
export async function latestFrame(redis: Pick<Redis, 'xrevrange'>, rootDir: string, cameraId: string, keyPrefix = ''): Promise<RawFrame | null> {
  const root = resolve(rootDir) + sep;
  const entries = await redis.xrevrange(frameStreamKey(cameraId, keyPrefix), '+', '-', 'COUNT', 3);
  for (const [, fields] of entries) {
    const ref = frameRefFromFields(fields);
    if (!ref || ref.cameraId !== cameraId || !resolve(ref.path).startsWith(root)) continue;
    const bytes = await readFile(resolve(ref.path)).catch(() => null);
    const content = bytes ? slotContent(bytes, { ...ref, format: ref.format ?? FRAME_FORMAT }) : null;
    if (content?.kind === 'frame') return content.frame;
  }
  return null;
}
