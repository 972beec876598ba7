// The frame ring: sampled raw frames (I420, full resolution, written by ffmpeg itself as one-frame
// YUV4MPEG2 files) are renamed into a fixed set of slot files per camera (a memory volume: 3.1 MB per
// 1080p frame), and only a reference goes into Redis (`frames:<cameraId>`, capped with MAXLEN ~ slots). Memory and Redis stay bounded
// whatever downstream does: a slow reader finds its slot overwritten and counts a drop; a slow disk
// or Redis makes the writer drop (and count) instead of queueing.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  encodeSlotTrailer,
  frameBytes,
  FRAME_FORMAT,
  frameRefFromFields,
  frameRefToFields,
  frameStreamKey,
  parseY4mFrameHead,
  SLOT_TRAILER_BYTES,
  slotContent,
  y4mFrameFile,
  type Y4mFrameHead,
  type SlotContent,
  type FrameEvent,
  type FrameRef,
  type RawFrame,
} from '@phatnguoi/core/contracts/frames';

export interface FrameRingOptions {
  /** FRAME_RING_DIR: the camera's slots live in `<rootDir>/<cameraId>/`. */
  rootDir: string;
  cameraId: string;
  slots: number;
  redis: Redis;
  /** Key prefix for the Redis stream (tests use a unique one). */
  keyPrefix?: string;
  /** Frames allowed to wait for their commit (slot rename, XADD) before new ones are dropped. */
  maxPending?: number;
  /** Called with the reason when a frame file is not a whole frame (it is counted in `corrupt` and removed). */
  onCorrupt?: (reason: string) => void;
}

export function cameraRingDir(rootDir: string, cameraId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cameraId)) throw new Error('camera id must be [A-Za-z0-9_-] to be used as a folder name');
  return join(rootDir, cameraId);
}

export function slotPath(rootDir: string, cameraId: string, slot: number): string {
  return join(cameraRingDir(rootDir, cameraId), `${String(slot).padStart(4, '0')}.frame`);
}

/** Hash of downstream drops per camera, written by `readFrames`, read into camera status by ingest. */
export function droppedKey(prefix = ''): string {
  return `${prefix}frames-dropped`;
}

/** Folder where ffmpeg writes each sampled frame (one-frame YUV4MPEG2 files) before it takes a slot. */
export function incomingDir(rootDir: string, cameraId: string): string {
  return join(cameraRingDir(rootDir, cameraId), 'incoming');
}

export class FrameRingWriter {
  /** Next sequence number to assign. */
  seq = 0;
  written = 0;
  /** Frames dropped because earlier ones were still being committed (the ring or Redis behind). */
  dropped = 0;
  /** Frame files that were not a whole frame (cut short, wrong format); each one is logged. */
  corrupt = 0;
  private pending = 0;
  private tmpCounter = 0;
  private readonly headBuffer = Buffer.alloc(256);
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

  get cameraId(): string {
    return this.opts.cameraId;
  }

  get slots(): number {
    return this.opts.slots;
  }

  /** Where ffmpeg writes this camera's frames before `offerFile` commits them. */
  get incomingDir(): string {
    return incomingDir(this.opts.rootDir, this.opts.cameraId);
  }

  /**
   * Creates the folders, removes frame files a previous run left uncommitted, and continues the
   * sequence after the last reference in Redis (sequence numbers are never reused).
   */
  async init(): Promise<void> {
    await this.clearIncoming();
    const last = await this.opts.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    const ref = last[0] ? frameRefFromFields(last[0][1]) : null;
    this.seq = ref ? ref.seq + 1 : 0;
  }

  /** Removes frame files nobody will commit (left by an ffmpeg run that ended); call between runs. */
  async clearIncoming(): Promise<void> {
    await this.idle;
    await rm(this.incomingDir, { recursive: true, force: true });
    await mkdir(this.incomingDir, { recursive: true });
  }

  /**
   * Commits a frame file ffmpeg finished in `incomingDir` (a one-frame YUV4MPEG2 file): checks it,
   * appends the trailer, renames it into its slot and XADDs the reference. Returns false (counts a
   * drop, removes the file) when earlier frames are still being committed: frames never queue without bound.
   */
  offerFile(path: string, capturedAtMs: number): boolean {
    if (this.pending >= this.maxPending) {
      this.dropped += 1;
      void unlink(path).catch(() => undefined);
      return false;
    }
    this.enqueue(path, capturedAtMs);
    return true;
  }

  /** Writes a frame given as pixels (tests, simulated sources) the way ffmpeg would, then commits it like `offerFile`. */
  offer(frame: { data: Buffer; width: number; height: number }, capturedAtMs: number): boolean {
    if (frame.data.length !== frameBytes(frame.width, frame.height)) throw new Error(`frame of ${frame.data.length} bytes is not ${frame.width}x${frame.height} I420`);
    if (this.pending >= this.maxPending) {
      this.dropped += 1;
      return false;
    }
    const path = join(this.incomingDir, `offered-${process.pid}-${this.tmpCounter++}.y4m`);
    this.enqueue(path, capturedAtMs, y4mFrameFile(frame));
    return true;
  }

  /** Resolves when every accepted frame has been committed. */
  flush(): Promise<void> {
    return this.idle;
  }

  private enqueue(path: string, capturedAtMs: number, contents?: Buffer[]): void {
    this.pending += 1;
    // Commits are chained so references reach Redis in sequence order.
    this.idle = this.idle
      .then(async () => {
        if (contents) await writeFile(path, contents);
        await this.commit(path, capturedAtMs);
      })
      .catch(() => {
        this.dropped += 1;
        void unlink(path).catch(() => undefined);
      })
      .finally(() => {
        this.pending -= 1;
      });
  }

  /**
   * Checks the frame file, appends the trailer and renames it into its slot, with synchronous calls:
   * on the ring's memory volume each is a few microseconds, where a round trip through libuv's thread
   * pool costs ~0.2 ms of CPU apiece (5 of them per frame were a third of ingest's own CPU at 1080p).
   */
  private async commit(file: string, capturedAtMs: number): Promise<void> {
    let seq = -1;
    let checked: Y4mFrameHead;
    const fd = openSync(file, 'r+');
    try {
      const bytesRead = readSync(fd, this.headBuffer, 0, this.headBuffer.length, 0);
      checked = parseY4mFrameHead(this.headBuffer.subarray(0, bytesRead));
      const { size } = fstatSync(fd);
      if (checked.ok && size !== checked.dataOffset + frameBytes(checked.width, checked.height)) {
        checked = { ok: false, reason: `frame file has ${size} bytes, a ${checked.width}x${checked.height} frame needs ${checked.dataOffset + frameBytes(checked.width, checked.height)}` };
      }
      if (checked.ok) {
        seq = this.seq++;
        writeSync(fd, encodeSlotTrailer({ format: FRAME_FORMAT, width: checked.width, height: checked.height, seq, capturedAtMs }), 0, SLOT_TRAILER_BYTES, size);
      }
    } finally {
      closeSync(fd);
    }
    if (!checked.ok) {
      this.corrupt += 1;
      this.opts.onCorrupt?.(checked.reason);
      rmSync(file, { force: true });
      return;
    }
    const slot = seq % this.opts.slots;
    const path = slotPath(this.opts.rootDir, this.opts.cameraId, slot);
    renameSync(file, path); // atomic: a reader sees the old frame or the new one, never half of one
    const ref: FrameRef = { cameraId: this.opts.cameraId, seq, capturedAt: new Date(capturedAtMs).toISOString(), slot, path, width: checked.width, height: checked.height, format: FRAME_FORMAT };
    await this.opts.redis.xadd(this.key, 'MAXLEN', '~', String(this.opts.slots), '*', ...frameRefToFields(ref));
    this.written += 1;
  }
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
  return slotContent(bytes, ref);
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
