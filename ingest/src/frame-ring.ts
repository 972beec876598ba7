// The frame ring: a fixed set of slot files per camera on a memory volume (3.1 MB per 1080p frame),
// each holding one sampled raw I420 frame and a trailer that names it; only a reference goes into
// Redis (`frames:<cameraId>`, capped with MAXLEN ~ slots). ffmpeg writes each frame into the next slot
// in place (`frameRingPreset`); once it reports the frame written, the writer adds the trailer and the
// reference. Memory and Redis stay bounded whatever downstream does: a slow reader finds its slot
// overwritten (or its `readBy` passed) and counts a drop; a slow Redis makes the writer drop (and
// count) instead of queueing.
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { frameStreamKey } from '@phatnguoi/core/camera-node/channels';
import { cameraRingDir, MIN_RING_SLOTS, readableSpanMs, slotPath, slotPattern } from '@phatnguoi/core/camera-node/frame-ring';
import {
  encodeSlotTrailer,
  frameBytes,
  FRAME_FORMAT,
  frameRefFromFields,
  frameRefToFields,
  SLOT_TRAILER_BYTES,
  slotFileBytes,
  type FrameRef,
} from '@phatnguoi/core/camera-node/frames';
import { FRAME_RING_HELD_FRAMES } from '@phatnguoi/core/ffmpeg/presets';

export interface FrameRingOptions {
  /** FRAME_RING_DIR: the camera's slots live in `<rootDir>/<cameraId>/`. */
  rootDir: string;
  cameraId: string;
  slots: number;
  redis: Redis;
  /** Key prefix for the Redis stream (tests use a unique one). */
  keyPrefix?: string;
  /** Commits (frames given together, each with its trailers and XADDs) allowed to wait before new frames are dropped. */
  maxPending?: number;
  /** Called with the reason when a slot does not hold a whole frame after ffmpeg wrote it (counted in `corrupt`). */
  onCorrupt?: (reason: string) => void;
}

/** Longest progress period: each report wakes ingest, and a frame waits for the next one to be published. */
const MAX_PROGRESS_SECONDS = 1;
const MIN_PROGRESS_SECONDS = 0.1;

/**
 * How often ffmpeg should report progress (`progressPreset`) for a ring of `slots` sampled at
 * `sampleFps`. A frame is published up to one period (and the held frame) after ffmpeg wrote it,
 * which comes out of the `readBy` span its reader has: a quarter of that span, and at most 1 s. Each
 * report wakes ingest and commits its frames in one Redis round trip, so longer periods cost less:
 * ~0.1 cpu-s per camera-minute less at 1 s than at 0.5 s, about as much again than at 0.25 s (bench/README.md).
 */
export function progressPeriodSeconds(slots: number, sampleFps: number): number {
  const readableSeconds = readableSpanMs(slots, sampleFps) / 1000;
  return Math.min(MAX_PROGRESS_SECONDS, Math.max(MIN_PROGRESS_SECONDS, Math.floor((readableSeconds / 4) * 100) / 100));
}

/** A frame ffmpeg wrote into a slot: where, its capture time and size, and when a reader must be done with it. */
interface WrittenFrame {
  slot: number;
  capturedAtMs: number;
  width: number;
  height: number;
  readByMs: number;
}

/**
 * One ffmpeg run writing into the ring. Feed it what ffmpeg says: `firstFrame` once (the first
 * frame's time and size, from showinfo), `progress` for each progress count and `flushed` at the
 * progress end; frames are committed as they are reported written. Call `end` once ffmpeg has exited.
 */
export class FrameRingRun {
  private first: { atMs: number; width: number; height: number } | null = null;
  /** Frames of the run committed (offered to the ring) so far. */
  private committed = 0;
  private written = 0;
  private counted = 0;

  constructor(
    private readonly ring: FrameRingWriter,
    /** Slot of the run's first frame: pass it to `frameRingPreset`. */
    readonly firstSlot: number,
    private readonly sampleFps: number,
  ) {}

  /**
   * The run's first frame: its capture time (frame n was captured n sampling intervals later) and
   * size (should the stream change size, ffmpeg scales later frames to the size its encoder started with).
   * Returns the frames this let through (those already reported written).
   */
  firstFrame(capturedAtMs: number, width: number, height: number): number {
    this.first ??= { atMs: capturedAtMs, width, height };
    return this.commitReady();
  }

  /** How often ffmpeg should report progress for this run (`progressPreset`). */
  get progressSeconds(): number {
    return progressPeriodSeconds(this.ring.slots, this.sampleFps);
  }

  /**
   * ffmpeg's progress counts `count` frames (the last `FRAME_RING_HELD_FRAMES` may still be unwritten).
   * Returns the frames this let through to the ring (none before the first frame's time is known).
   */
  progress(count: number): number {
    this.counted = Math.max(this.counted, count);
    return this.markWritten(count - FRAME_RING_HELD_FRAMES);
  }

  /** ffmpeg's last progress block: every frame it counted is written. Returns the frames this let through. */
  flushed(): number {
    return this.markWritten(this.counted);
  }

  /** ffmpeg has exited: frames it counted but did not report written are left uncommitted. */
  end(): void {
    this.ring.runEnded(this.firstSlot + this.counted);
  }

  private markWritten(count: number): number {
    this.written = Math.max(this.written, count);
    return this.commitReady();
  }

  /** Offers the frames reported written since the last call, together (one Redis round trip). */
  private commitReady(): number {
    if (!this.first) return 0;
    const frames: WrittenFrame[] = [];
    const intervalMs = 1000 / this.sampleFps;
    const readableMs = readableSpanMs(this.ring.slots, this.sampleFps);
    for (; this.committed < this.written; this.committed++) {
      const capturedAtMs = Math.round(this.first.atMs + this.committed * intervalMs);
      frames.push({
        slot: (this.firstSlot + this.committed) % this.ring.slots,
        capturedAtMs,
        width: this.first.width,
        height: this.first.height,
        readByMs: capturedAtMs + readableMs,
      });
    }
    if (frames.length > 0) this.ring.offerWritten(frames);
    return frames.length;
  }
}

export class FrameRingWriter {
  /** Next sequence number to assign. */
  seq = 0;
  written = 0;
  /** Frames dropped because earlier ones were still being committed (the ring or Redis behind). */
  dropped = 0;
  /** Slots that did not hold a whole frame after ffmpeg wrote them; each one is logged. */
  corrupt = 0;
  private nextSlot = 0;
  private pending = 0;
  private tmpCounter = 0;
  private readonly maxPending: number;
  private readonly key: string;
  private readonly dir: string;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FrameRingOptions) {
    if (!Number.isInteger(opts.slots) || opts.slots < MIN_RING_SLOTS) throw new Error(`frame ring needs at least ${MIN_RING_SLOTS} slots`);
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

  /** Where ffmpeg writes this camera's frames (`%04d.frame` in the camera's ring folder). */
  get slotPattern(): string {
    return slotPattern(this.opts.rootDir, this.opts.cameraId);
  }

  /**
   * Creates the folder and continues after the last reference in Redis: the next sequence number (never
   * reused) and the slot after the last one committed.
   */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const last = await this.opts.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    const ref = last[0] ? frameRefFromFields(last[0][1]) : null;
    this.seq = ref ? ref.seq + 1 : 0;
    this.nextSlot = ref ? (ref.slot + 1) % this.opts.slots : 0;
  }

  /** Starts an ffmpeg run that writes from the slot after the last one used. */
  async startRun(sampleFps: number): Promise<FrameRingRun> {
    if (!(sampleFps > 0)) throw new Error('sample rate must be positive');
    await mkdir(this.dir, { recursive: true }); // ffmpeg does not create it
    return new FrameRingRun(this, this.nextSlot, sampleFps);
  }

  /** @internal A run ended; its frames went up to (not including) run slot number `end`. */
  runEnded(end: number): void {
    this.nextSlot = end % this.opts.slots;
  }

  /** @internal ffmpeg finished writing `frames` (in order): commit them together unless earlier commits are still pending. */
  offerWritten(frames: WrittenFrame[]): boolean {
    return this.enqueue(frames.length, () => this.commitWritten(frames));
  }

  /**
   * Writes a frame given as pixels (tests, simulated sources) whole into the next slot (a new file
   * renamed over the old one: readers see the old frame or the new one, so no `readBy` is needed) and
   * commits it. Returns false (counts a drop) when earlier frames are still being committed.
   */
  offer(frame: { data: Buffer; width: number; height: number }, capturedAtMs: number): boolean {
    if (frame.data.length !== frameBytes(frame.width, frame.height))
      throw new Error(`frame of ${frame.data.length} bytes is not ${frame.width}x${frame.height} I420`);
    return this.enqueue(1, async () => {
      const slot = this.nextSlot;
      this.nextSlot = (slot + 1) % this.opts.slots;
      const seq = this.seq++;
      const path = slotPath(this.opts.rootDir, this.opts.cameraId, slot);
      const tmp = join(this.dir, `.offered-${process.pid}-${this.tmpCounter++}`);
      try {
        await writeFile(tmp, slotFileBytes(frame, seq, capturedAtMs));
        await rename(tmp, path);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
      await this.publish([
        {
          cameraId: this.opts.cameraId,
          seq,
          capturedAt: new Date(capturedAtMs).toISOString(),
          slot,
          path,
          width: frame.width,
          height: frame.height,
          format: FRAME_FORMAT,
        },
      ]);
    });
  }

  /** Resolves when every accepted frame has been committed. */
  flush(): Promise<void> {
    return this.idle;
  }

  /**
   * Chains the commit of `frames` frames, so references reach Redis in sequence order; drops them
   * instead (counted, returns false) when `maxPending` commits are waiting already. A commit that fails
   * before publishing counts its frames as dropped (`publish` counts its own).
   */
  private enqueue(frames: number, commit: () => Promise<void>): boolean {
    if (this.pending >= this.maxPending) {
      this.dropped += frames;
      return false;
    }
    this.pending += 1;
    this.idle = this.idle
      .then(commit)
      .catch(() => {
        this.dropped += frames;
      })
      .finally(() => {
        this.pending -= 1;
      });
    return true;
  }

  /**
   * Checks each slot ffmpeg wrote and adds its trailer, with synchronous calls: on the ring's memory
   * volume each is a few microseconds, where a round trip through libuv's thread pool costs ~0.2 ms of
   * CPU apiece. Then publishes the references in one round trip.
   */
  private async commitWritten(frames: WrittenFrame[]): Promise<void> {
    const refs: FrameRef[] = [];
    for (const frame of frames) {
      const path = slotPath(this.opts.rootDir, this.opts.cameraId, frame.slot);
      let seq: number;
      try {
        seq = this.addTrailer(path, frame);
      } catch {
        this.dropped += 1; // the slot is gone (the ring folder removed under a running ffmpeg)
        continue;
      }
      if (seq < 0) continue;
      refs.push({
        cameraId: this.opts.cameraId,
        seq,
        capturedAt: new Date(frame.capturedAtMs).toISOString(),
        slot: frame.slot,
        path,
        width: frame.width,
        height: frame.height,
        format: FRAME_FORMAT,
        readBy: new Date(frame.readByMs).toISOString(),
      });
    }
    await this.publish(refs);
  }

  /** Writes the trailer after the frame in its slot; returns its sequence number, or -1 (counted, logged) for a short slot. */
  private addTrailer(path: string, frame: WrittenFrame): number {
    const bytes = frameBytes(frame.width, frame.height);
    const fd = openSync(path, 'r+');
    try {
      const { size } = fstatSync(fd);
      if (size < bytes) {
        this.corrupt += 1;
        this.opts.onCorrupt?.(`slot ${frame.slot} has ${size} bytes after ffmpeg wrote it, a ${frame.width}x${frame.height} frame needs ${bytes}`);
        return -1;
      }
      // Only after a change of picture size does the file hold more than this frame and its trailer.
      if (size > bytes + SLOT_TRAILER_BYTES) ftruncateSync(fd, bytes + SLOT_TRAILER_BYTES);
      const seq = this.seq++;
      writeSync(
        fd,
        encodeSlotTrailer({ format: FRAME_FORMAT, width: frame.width, height: frame.height, seq, capturedAtMs: frame.capturedAtMs }),
        0,
        SLOT_TRAILER_BYTES,
        bytes,
      );
      return seq;
    } finally {
      closeSync(fd);
    }
  }

  /** XADDs the references in order, in one round trip; each one Redis refused counts as dropped. */
  private async publish(refs: FrameRef[]): Promise<void> {
    if (refs.length === 0) return;
    const pipeline = this.opts.redis.pipeline();
    for (const ref of refs) pipeline.xadd(this.key, 'MAXLEN', '~', String(this.opts.slots), '*', ...frameRefToFields(ref));
    let results: Awaited<ReturnType<typeof pipeline.exec>>;
    try {
      results = await pipeline.exec();
    } catch {
      this.dropped += refs.length;
      return;
    }
    for (const [err] of results ?? []) {
      if (err) this.dropped += 1;
      else this.written += 1;
    }
  }
}
