// Runs one leased camera: reads `frames:<cameraId>` in order from where the last detector left off,
// converts each raw I420 frame to RGB (no JPEG decode: JPEGs are made only for evidence), feeds the CameraPipeline and persists progress (detector_progress). Bad input —
// an unknown camera, invalid geometry, a corrupt frame, a malformed controller message — is logged
// clearly and skipped; it never crashes the process. A failing loop (database or Redis away, a reset
// connection) retries with backoff from the last frame it handled, on a fresh Redis connection, and resumes
// by itself; one that keeps failing for `retry.giveUpAfterMs` gives up (`health.state = 'gave_up'`, `onGiveUp`)
// so its DetectorWorker releases the camera's lease and another process takes it. Its state (detecting,
// retrying, stalled, gave_up) and the reason are in `health`, which the detector publishes (detector-stats).
import type { Redis } from 'ioredis';
import { DEFAULT_BACKOFF, RetryTracker, type BackoffPolicy } from '@phatnguoi/core/backoff';
import type { DetectorState } from '@phatnguoi/core/contracts/api/stats';
import { validateGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { i420ToRgb } from '@phatnguoi/core/camera-node/pixels';
import { type FrameRef, type RawFrame } from '@phatnguoi/core/camera-node/frames';
import type { Queryable } from '@phatnguoi/core/db';
import type { Logger } from '@phatnguoi/core/logger';
import { readFrames } from '@phatnguoi/core/camera-node/frame-ring';
import { parseControllerMessage, signalChannel } from '../signal/controller-feed';
import type { ClipSource } from '../evidence/evidence';
import { CameraPipeline, type CameraPipelineOptions, type PipelineFrame, type PipelineSnapshot } from './camera-pipeline';

/** At most one "frames dropped" warning per camera in this time. */
const DROP_LOG_INTERVAL_MS = 10_000;

export type RunnerLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

export interface CameraRunnerOptions extends Omit<CameraPipelineOptions, 'cameraId' | 'geometry' | 'location' | 'logger' | 'clips'> {
  /** Evidence clip source of a camera (live: ingest's segment ring on this node). */
  clipsFor?: (cameraId: string) => ClipSource;
  db: Queryable;
  /** A Redis connection of this runner's own (XREAD BLOCK ties it up); kept for the runner's life. */
  redis?: Redis;
  /**
   * Opens a Redis connection of the runner's own instead (one of `redis` and `connectRedis` is needed): after a
   * failure the runner drops its connection and opens a new one; `stop` closes it.
   */
  connectRedis?: () => Redis;
  /** A subscriber connection for the controller feed (shared is fine); omit to use vision only. */
  subscriber?: Redis;
  keyPrefix?: string;
  holder: string;
  logger: RunnerLogger;
  /** Persist progress at most this often, ms (and always on stop). */
  progressEveryMs?: number;
  blockMs?: number;
  /** Backoff of a failing frame loop and when it gives up (default DEFAULT_BACKOFF: 0.5–10 s, gives up after 60 s). */
  retry?: Partial<BackoffPolicy>;
  /** The loop counts as stalled when it has neither read the stream nor finished a frame for this long (default 20 s). */
  stallMs?: number;
  /** Called once when the loop gives up (the caller releases the camera). */
  onGiveUp?: (reason: string) => void;
}

/**
 * Where a camera's detection stands (core DETECTOR_STATES): `detecting` (frames flow, or the stream is quiet and
 * readable), `retrying` (the last frames failed: `error` says why; the loop retries by itself), `stalled` (no read
 * and no frame done for `stallMs`: a call hangs), `gave_up` (failed for too long; the lease is to be released).
 */
export interface RunnerHealth {
  state: DetectorState;
  /** Why it is not detecting (the last error), null while detecting. */
  error: string | null;
  /** Since when it has not been detecting (ms), null while detecting. */
  since: number | null;
  /** Failures in a row. */
  failures: number;
}

export interface RunnerCounters {
  processed: number;
  dropped: number;
  corrupt: number;
  violations: number;
}

/** A ring frame as the pipeline's RGB image (full resolution: plates are small). */
export function rgbFromRawFrame(frame: RawFrame): { data: Uint8Array; width: number; height: number } {
  if (frame.format !== 'yuv420p') throw new Error(`unsupported frame format ${String(frame.format)}`);
  return { data: i420ToRgb(frame), width: frame.width, height: frame.height };
}

export class CameraRunner {
  readonly counters: RunnerCounters = { processed: 0, dropped: 0, corrupt: 0, violations: 0 };
  private pipeline: CameraPipeline | null = null;
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private lastId: string | null = null;
  private saved = { streamId: '', seq: -1, at: 0 };
  private unsaved: RunnerCounters = { processed: 0, dropped: 0, corrupt: 0, violations: 0 };
  private onMessage: ((channel: string, message: string) => void) | null = null;
  private lastSeq = -1;
  private redis: Redis;
  private readonly retry: RetryTracker;
  private gaveUp: string | null = null;
  /** Last time the loop read the stream or finished a frame (stall watchdog). */
  private aliveAt = Date.now();
  private dropsSinceLog = 0;
  private dropsLoggedAt = -Infinity;

  constructor(
    readonly cameraId: string,
    private readonly opts: CameraRunnerOptions,
  ) {
    if (!opts.redis && !opts.connectRedis) throw new Error('CameraRunner needs a redis connection or connectRedis');
    this.redis = opts.redis ?? opts.connectRedis!();
    this.retry = new RetryTracker({ ...DEFAULT_BACKOFF, ...opts.retry });
  }

  /** Detection state of this camera (published with the detector's figures; see RunnerHealth). */
  health(now = Date.now()): RunnerHealth {
    const f = this.retry.current;
    if (this.gaveUp !== null) return { state: 'gave_up', error: this.gaveUp, since: f.failingSince, failures: f.failures };
    if (this.loop && now - this.aliveAt > (this.opts.stallMs ?? 20_000)) {
      return {
        state: 'stalled',
        error: `no frame read or finished for ${Math.round((now - this.aliveAt) / 1000)} s`,
        since: this.aliveAt,
        failures: f.failures,
      };
    }
    if (f.failures > 0) return { state: 'retrying', error: f.lastError, since: f.failingSince, failures: f.failures };
    return { state: 'detecting', error: null, since: null, failures: 0 };
  }

  /** Loads the camera and starts reading; false (with a logged reason) when the camera cannot be run. */
  async start(): Promise<boolean> {
    const log = this.opts.logger;
    const { rows } = await this.opts.db.query<{ name: string; address: string; geometry: unknown; enabled: boolean }>(
      `SELECT name, address, geometry, enabled FROM cameras WHERE id::text = $1`,
      [this.cameraId],
    );
    const cam = rows[0];
    if (!cam) {
      log.error({ cameraId: this.cameraId }, 'unknown camera: no such row in cameras; not processing its frames');
      this.gaveUp = 'unknown camera';
      return false;
    }
    if (cam.geometry === null || cam.geometry === undefined) {
      log.error({ cameraId: this.cameraId }, 'camera has no geometry (stop lines, lanes, signal heads); set it up before detection can run');
      this.gaveUp = 'camera has no geometry (stop lines, lanes, signal heads)';
      return false;
    }
    const checked = validateGeometry(cam.geometry);
    if (!checked.ok) {
      log.error({ cameraId: this.cameraId, errors: checked.errors }, 'camera geometry is invalid; not processing its frames');
      this.gaveUp = `camera geometry is invalid: ${checked.errors[0]?.path ?? ''} ${checked.errors[0]?.message ?? ''}`.trim();
      return false;
    }
    const {
      db: _db,
      redis: _redis,
      connectRedis: _cr,
      subscriber: _sub,
      keyPrefix: _kp,
      holder: _h,
      logger: _l,
      progressEveryMs: _p,
      blockMs: _b,
      retry: _r,
      stallMs: _s,
      onGiveUp: _g,
      clipsFor,
      ...pipelineOpts
    } = this.opts;
    this.pipeline = new CameraPipeline({
      ...pipelineOpts,
      cameraId: this.cameraId,
      geometry: checked.geometry,
      location: cam.address ? `${cam.name}, ${cam.address}` : cam.name,
      logger: log,
      ...(clipsFor ? { clips: clipsFor(this.cameraId) } : {}),
      sink: async (event) => {
        await this.opts.sink?.(event);
        this.counters.violations++;
        this.unsaved.violations++;
      },
    });
    const progress = await this.opts.db.query<{ stream_id: string; seq: string; state: PipelineSnapshot | null }>(
      `SELECT stream_id, seq, state FROM detector_progress WHERE camera_id = $1`,
      [this.cameraId],
    );
    const from = progress.rows[0];
    this.saved = { streamId: from?.stream_id ?? '0-0', seq: from ? Number(from.seq) : -1, at: Date.now() };
    if (from?.state) {
      try {
        this.pipeline.restore(from.state);
      } catch (err) {
        log.error({ cameraId: this.cameraId, err: (err as Error).message }, 'saved pipeline state unusable; continuing with fresh tracks');
      }
    }
    if (from)
      log.info({ cameraId: this.cameraId, after: from.stream_id, seq: from.seq, restoredTracks: from.state?.tracks.length ?? 0 }, 'resuming frame stream');
    await this.subscribe();
    this.loop = this.run(this.saved.streamId, from ? Number(from.seq) : undefined);
    return true;
  }

  private async subscribe() {
    const sub = this.opts.subscriber;
    if (!sub) return;
    const channel = signalChannel(this.cameraId, this.opts.keyPrefix);
    this.onMessage = (ch, text) => {
      if (ch !== channel || !this.pipeline) return;
      const parsed = parseControllerMessage(text, Date.now());
      if (!parsed.ok) {
        this.opts.logger.warn({ cameraId: this.cameraId, error: parsed.error }, 'malformed signal-controller message ignored');
        return;
      }
      const { message, atMs } = parsed;
      if (!this.pipeline.controllerSignal(message.signalHeadId, { round: message.round, arrowsLit: message.arrowsLit ?? [] }, atMs)) {
        this.opts.logger.warn({ cameraId: this.cameraId, signalHeadId: message.signalHeadId }, 'signal-controller message for an unknown signal head ignored');
      }
    };
    sub.on('message', this.onMessage);
    await sub.subscribe(channel);
  }

  /**
   * Reads the stream until stopped. A failure (Redis or the database away, a reset connection) is retried after a
   * backoff from the last entry handled, on a fresh Redis connection, with the pipeline state kept in memory: no
   * frame is skipped and none handled twice. After failing for `retry.giveUpAfterMs` the loop gives up.
   */
  private async run(afterId: string, lastSeq: number | undefined) {
    const log = this.opts.logger;
    let from = afterId;
    let seq = lastSeq;
    while (!this.abort.signal.aborted) {
      try {
        await this.readStream(from, seq);
        return;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        const delay = this.failed(err);
        if (delay === null) return;
        log.error({ cameraId: this.cameraId, err: errorText(err), failures: this.retry.current.failures, retryInMs: delay }, 'frame stream failed; retrying');
        await this.sleep(delay);
        this.reconnect();
        if (this.lastId !== null) {
          from = this.lastId;
          seq = this.lastSeq;
        }
      }
    }
  }

  private async readStream(afterId: string, lastSeq: number | undefined) {
    const log = this.opts.logger;
    const pipeline = this.pipeline!;
    const frames = readFrames(this.redis, this.cameraId, afterId, {
      ...(this.opts.keyPrefix !== undefined ? { keyPrefix: this.opts.keyPrefix } : {}),
      ...(lastSeq !== undefined ? { lastSeq } : {}),
      blockMs: this.opts.blockMs ?? 1000,
      signal: this.abort.signal,
      onPoll: (entries) => {
        this.aliveAt = Date.now();
        // A quiet stream read without error: whatever failed before works again.
        if (entries === 0) this.retry.succeeded();
      },
    });
    this.aliveAt = Date.now();
    for await (const ev of frames) {
      if (ev.kind === 'dropped') {
        this.counters.dropped += ev.count;
        this.unsaved.dropped += ev.count;
        this.logDrops(log, ev.count, ev.reason);
        continue;
      }
      await this.handleFrame(pipeline, ev.id, ev.ref, ev.kind === 'frame' ? ev.frame : new Error(ev.reason));
      if (this.gaveUp !== null) return;
    }
  }

  /**
   * A detector that falls behind drops frames on every read; one warning per DROP_LOG_INTERVAL_MS with the count since
   * the last one says the same without flooding the log (the counters keep the exact figure).
   */
  private logDrops(log: RunnerLogger, count: number, reason: string): void {
    this.dropsSinceLog += count;
    const now = Date.now();
    if (now - this.dropsLoggedAt < DROP_LOG_INTERVAL_MS) return;
    log.warn({ cameraId: this.cameraId, count: this.dropsSinceLog, reason }, 'frames dropped before the detector read them');
    this.dropsSinceLog = 0;
    this.dropsLoggedAt = now;
  }

  /** Records a failure; the delay before the next try, or null when the loop gives up. */
  private failed(err: unknown): number | null {
    const message = errorText(err);
    const decision = this.retry.failed(message, Date.now());
    if (decision.action === 'retry') return decision.delayMs;
    this.gaveUp = message;
    this.opts.logger.error(
      { cameraId: this.cameraId, err: message, failures: this.retry.current.failures, failingForMs: decision.failingForMs },
      'frame loop keeps failing; giving the camera up so another process can take it',
    );
    this.opts.onGiveUp?.(message);
    return null;
  }

  /** After a failure: a fresh connection for the stream (the old one may be half-dead). */
  private reconnect() {
    if (!this.opts.connectRedis || this.abort.signal.aborted) return;
    this.redis.disconnect();
    this.redis = this.opts.connectRedis();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One stream entry: its frame, or the reason its slot could not be used (a damaged slot). */
  private async handleFrame(pipeline: CameraPipeline, id: string, ref: FrameRef, raw: RawFrame | Error) {
    const log = this.opts.logger;
    this.lastId = id;
    this.lastSeq = ref.seq;
    if (ref.cameraId !== this.cameraId) {
      log.error({ cameraId: this.cameraId, refCameraId: ref.cameraId, seq: ref.seq }, 'frame reference names another camera; skipped');
    } else {
      let frame: PipelineFrame | null = null;
      try {
        if (raw instanceof Error) throw raw;
        const image = rgbFromRawFrame(raw);
        frame = { seq: ref.seq, capturedAtMs: Date.parse(ref.capturedAt), image };
        if (Number.isNaN(frame.capturedAtMs)) throw new Error(`bad capturedAt ${ref.capturedAt}`);
      } catch (err) {
        this.counters.corrupt++;
        this.unsaved.corrupt++;
        log.warn({ cameraId: this.cameraId, seq: ref.seq, err: (err as Error).message }, 'corrupt frame skipped');
        frame = null;
      }
      if (frame) {
        let ok = true;
        try {
          await pipeline.processFrame(frame);
        } catch (err) {
          // E.g. storage or Redis away while emitting: the violation stays pending and is retried with the next
          // frame, so reading goes on; the failure still counts (state `retrying`, and giving up if it lasts).
          ok = false;
          log.error({ cameraId: this.cameraId, seq: ref.seq, err: errorText(err) }, 'frame processing failed');
          this.failed(err);
        }
        this.counters.processed++;
        this.unsaved.processed++;
        await this.saveProgress(false);
        if (ok) this.retry.succeeded();
        this.aliveAt = Date.now();
        return;
      }
    }
    await this.saveProgress(false);
    this.aliveAt = Date.now();
  }

  /** Persists the resume point (last handled stream entry) with the pipeline state right after it. */
  private async saveProgress(force: boolean) {
    const pipeline = this.pipeline;
    if (!pipeline || this.lastId === null) return;
    if (!force && Date.now() - this.saved.at < (this.opts.progressEveryMs ?? 1000)) return;
    const streamId = this.lastId;
    const seq = this.lastSeq;
    const d = this.unsaved;
    await this.opts.db.query(
      `INSERT INTO detector_progress (camera_id, stream_id, seq, frames_processed, frames_dropped, frames_corrupt, violations, holder, state, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (camera_id) DO UPDATE SET stream_id = EXCLUDED.stream_id, seq = EXCLUDED.seq, state = EXCLUDED.state,
         frames_processed = detector_progress.frames_processed + EXCLUDED.frames_processed,
         frames_dropped = detector_progress.frames_dropped + EXCLUDED.frames_dropped,
         frames_corrupt = detector_progress.frames_corrupt + EXCLUDED.frames_corrupt,
         violations = detector_progress.violations + EXCLUDED.violations,
         holder = EXCLUDED.holder, updated_at = now()`,
      [this.cameraId, streamId, seq, d.processed, d.dropped, d.corrupt, d.violations, this.opts.holder, JSON.stringify(pipeline.snapshot())],
    );
    this.unsaved = { processed: 0, dropped: 0, corrupt: 0, violations: 0 };
    this.saved = { streamId, seq, at: Date.now() };
  }

  /** Stops reading; pending violations stay unsent and their frames are replayed by the next holder. */
  async stop(): Promise<void> {
    this.abort.abort();
    // A loop hung in a call (stalled) must not hold the stop forever: its connection goes below.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 5000).unref())]);
    if (this.opts.connectRedis) this.redis.disconnect();
    if (this.opts.subscriber && this.onMessage) {
      this.opts.subscriber.off('message', this.onMessage);
      await this.opts.subscriber.unsubscribe(signalChannel(this.cameraId, this.opts.keyPrefix)).catch(() => undefined);
    }
    await this.saveProgress(true).catch((err: Error) => this.opts.logger.error({ cameraId: this.cameraId, err: err.message }, 'could not save progress'));
  }

  /** Resolves when the stream has been read up to `seq` (tests, drains). */
  async waitForSeq(seq: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((this.pipeline && this.lastSeqSeen() >= seq) || !this.loop) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`camera ${this.cameraId}: frame ${seq} not reached in ${timeoutMs} ms`);
  }

  private lastSeqSeen(): number {
    return Math.max(this.lastSeq, this.saved.seq);
  }

  get cameraPipeline(): CameraPipeline | null {
    return this.pipeline;
  }
}

function errorText(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
