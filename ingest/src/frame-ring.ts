// The frame ring: sampled JPEGs go into a fixed set of slot files per camera, and only a reference
// goes into Redis (`frames:<cameraId>`, capped with MAXLEN ~ slots). Memory and Redis stay bounded
// whatever downstream does: a slow reader finds its slot overwritten and counts a drop; a slow disk
// or Redis makes the writer drop (and count) instead of queueing.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  decodeFrameHeader,
  encodeFrameHeader,
  frameRefFromFields,
  frameRefToFields,
  frameStreamKey,
  type FrameEvent,
  type FrameRef,
} from '@phatnguoi/core/contracts/frames';

export interface FrameRingOptions {
  /** FRAME_RING_DIR: the camera's slots live in `<rootDir>/<cameraId>/`. */
  rootDir: string;
  cameraId: string;
  slots: number;
  redis: Redis;
  /** Key prefix for the Redis stream (tests use a unique one). */
  keyPrefix?: string;
  /** Frames allowed to wait for the disk/Redis write before new ones are dropped. */
  maxPending?: number;
}

export function cameraRingDir(rootDir: string, cameraId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cameraId)) throw new Error('camera id must be [A-Za-z0-9_-] to be used as a folder name');
  return join(rootDir, cameraId);
}

export function slotPath(rootDir: string, cameraId: string, slot: number): string {
  return join(cameraRingDir(rootDir, cameraId), `${String(slot).padStart(4, '0')}.jpg`);
}

/** Hash of downstream drops per camera, written by `readFrames`, read into camera status by ingest. */
export function droppedKey(prefix = ''): string {
  return `${prefix}frames-dropped`;
}

export class FrameRingWriter {
  /** Next sequence number to assign. */
  seq = 0;
  written = 0;
  dropped = 0;
  private pending = 0;
  private readonly maxPending: number;
  private readonly key: string;
  private readonly dir: string;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FrameRingOptions) {
    if (!Number.isInteger(opts.slots) || opts.slots < 2) throw new Error('frame ring needs at least 2 slots');
    this.maxPending = opts.maxPending ?? 8;
    this.key = frameStreamKey(opts.cameraId, opts.keyPrefix);
    this.dir = cameraRingDir(opts.rootDir, opts.cameraId);
  }

  /** Creates the folder and continues the sequence after the last reference in Redis (sequence numbers are never reused). */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const last = await this.opts.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    const ref = last[0] ? frameRefFromFields(last[0][1]) : null;
    this.seq = ref ? ref.seq + 1 : 0;
  }

  /**
   * Hands a frame to the ring. Returns false (and counts a drop) when the previous writes have not
   * finished: frames are never queued without bound.
   */
  offer(jpeg: Buffer, width: number, height: number, capturedAtMs: number): boolean {
    if (this.pending >= this.maxPending) {
      this.dropped += 1;
      return false;
    }
    const seq = this.seq++;
    this.pending += 1;
    // Writes are chained so references reach Redis in sequence order.
    this.idle = this.idle
      .then(() => this.write(seq, jpeg, width, height, capturedAtMs))
      .catch(() => {
        this.dropped += 1;
      })
      .finally(() => {
        this.pending -= 1;
      });
    return true;
  }

  /** Resolves when every accepted frame has been written. */
  flush(): Promise<void> {
    return this.idle;
  }

  private async write(seq: number, jpeg: Buffer, width: number, height: number, capturedAtMs: number): Promise<void> {
    const slot = seq % this.opts.slots;
    const path = slotPath(this.opts.rootDir, this.opts.cameraId, slot);
    const tmp = `${path}.tmp`;
    // The header replaces the SOI (it starts with its own), so the slot file stays a valid JPEG.
    const fh = await open(tmp, 'w');
    try {
      await fh.writev([encodeFrameHeader(seq, capturedAtMs), jpeg.subarray(2)]);
    } finally {
      await fh.close();
    }
    await rename(tmp, path); // atomic: a reader sees the old frame or the new one, never half of one
    const ref: FrameRef = { cameraId: this.opts.cameraId, seq, capturedAt: new Date(capturedAtMs).toISOString(), slot, path, width, height };
    await this.opts.redis.xadd(this.key, 'MAXLEN', '~', String(this.opts.slots), '*', ...frameRefToFields(ref));
    this.written += 1;
  }
}

/** Reads the JPEG of a reference; null when the slot was overwritten (or is gone). */
export async function readFrameSlot(ref: FrameRef): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(ref.path);
  } catch {
    return null;
  }
  const header = decodeFrameHeader(bytes);
  return header && header.seq === ref.seq ? bytes : null;
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
        const jpeg = await readFrameSlot(ref);
        if (!jpeg) {
          await report(1);
          yield { kind: 'dropped', id, count: 1, reason: 'overwritten' };
          continue;
        }
        yield { kind: 'frame', id, ref, jpeg };
      }
    }
  }
}
