// One camera: one ffmpeg that both samples raw frames (to the frame ring) and copies the video
// into the segment ring. A watchdog restarts ffmpeg when no frame came for `watchdogMs` or when it
// exits, with exponential backoff up to a cap; status (online / reconnecting / offline, last error,
// fps, drops) is reported on every change and every `statusIntervalMs`. A failure on this process's side (disk,
// Redis, spawning ffmpeg; even a bug in the loop) is retried the same way; one lasting `giveUpAfterMs` gives the
// camera up (`gaveUp`, state offline with the reason, `onGiveUp`) so the service releases its lease to another process.
import { mkdir, writeFile } from 'node:fs/promises';
import { RetryTracker } from '@phatnguoi/core/backoff';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from '@phatnguoi/core/logger';
import type { CameraErrorCode, CameraState, CameraStatus } from '@phatnguoi/core/camera-node/channels';
import { diagnoseFfmpeg } from '@phatnguoi/core/ffmpeg/diagnose';
import {
  frameRingEnvironment,
  frameRingPreset,
  globalPreset,
  inputPreset,
  isShowinfoLine,
  parseInputStart,
  parseProgress,
  parseShowinfoFrame,
  progressPreset,
  segmentRingPreset,
} from '@phatnguoi/core/ffmpeg/presets';
import { startFfmpeg, type FfmpegHandle } from '@phatnguoi/core/ffmpeg/process';
import { droppedKey } from '@phatnguoi/core/camera-node/channels';
import { FrameRingWriter } from './frame-ring';
import { lineSink } from './line-sink';
import { pruneSegmentRuns, RUN_START_FILE, runSegmentDir, SEGMENT_LIST_FILE } from '@phatnguoi/core/camera-node/segment-ring';
import type { IngestSettings } from './settings';

export interface SupervisedCamera {
  id: string;
  streamUrl: string;
  sampleFps: number;
}

export interface SupervisorDeps {
  redis: Redis;
  log: Logger;
  settings: IngestSettings;
  frameRingDir: string;
  /** Redis key prefix for frame streams and counters (empty in production). */
  keyPrefix?: string;
  holder: string;
  node: string;
  onStatus: (status: CameraStatus) => void | Promise<void>;
  /** Called once when the supervisor gives the camera up (see `gaveUp`). */
  onGiveUp?: (reason: string) => void;
}

export class CameraSupervisor {
  state: CameraState = 'starting';
  lastError: string | null = null;
  lastErrorCode: CameraErrorCode | null = null;
  restarts = 0;
  lastFrameAt: number | null = null;
  /** Process ids of ffmpeg runs still alive (normally at most one). */
  readonly livePids = new Set<number>();
  /** Why the supervisor gave the camera up after failing on its own side for `giveUpAfterMs`; null while it works. */
  gaveUp: string | null = null;
  private readonly ownFailures: RetryTracker;

  private readonly ring: FrameRingWriter;
  private stopped = false;
  private current: FfmpegHandle | null = null;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private windowFrames = 0;
  private windowStart = Date.now();
  private fps = 0;
  private downstreamDropped = 0;
  private consecutiveFailures = 0;
  private downSince: number | null = null;
  private lastPrune = 0;
  private currentRun: number | undefined;

  constructor(
    readonly camera: SupervisedCamera,
    private readonly deps: SupervisorDeps,
  ) {
    this.ring = new FrameRingWriter({
      rootDir: deps.frameRingDir,
      cameraId: camera.id,
      slots: deps.settings.frameRingSlots,
      redis: deps.redis,
      keyPrefix: deps.keyPrefix,
      onCorrupt: (reason) => deps.log.warn({ cameraId: camera.id, reason }, 'incomplete frame from ffmpeg skipped (counted as dropped)'),
    });
    const s = deps.settings;
    this.ownFailures = new RetryTracker({
      initialMs: s.backoffInitialMs,
      maxMs: s.backoffMaxMs,
      giveUpAfterMs: s.giveUpAfterMs,
      giveUpAfterFailures: 3,
      jitter: 0,
    });
  }

  get framesTotal(): number {
    return this.ring.written;
  }

  /** Sampled frames lost: ring commits behind, incomplete slots from ffmpeg, or overwritten before the detector read them. */
  get framesDropped(): number {
    return this.ring.dropped + this.ring.corrupt + this.downstreamDropped;
  }

  start(): void {
    if (this.running) return;
    this.running = this.loop().catch((err: unknown) => {
      // A bug: never leave the camera leased but dead. Give it up so the service releases the lease.
      this.deps.log.error({ err, cameraId: this.camera.id }, 'camera supervisor crashed; giving the camera up');
      this.giveUp(`ingest supervisor crashed: ${(err as Error).message ?? String(err)}`);
    });
    this.statusTimer = setInterval(() => void this.tick(), this.deps.settings.statusIntervalMs);
    this.statusTimer.unref();
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL) and waits for the loop to end. */
  async stop(finalState: CameraState = 'stopped', report = true): Promise<void> {
    this.stopped = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.wake?.();
    await this.current?.stop(this.deps.settings.ffmpegStopGraceMs);
    await this.running;
    await this.ring.flush();
    this.state = finalState;
    // A camera handed to another process is not reported: its new holder owns the status now.
    if (report) await this.report();
  }

  status(): CameraStatus {
    return {
      cameraId: this.camera.id,
      state: this.state,
      lastError: this.lastError,
      lastErrorCode: this.lastErrorCode,
      fps: Math.round(this.fps * 100) / 100,
      framesTotal: this.framesTotal,
      framesDropped: this.framesDropped,
      restarts: this.restarts,
      lastFrameAt: this.lastFrameAt ? new Date(this.lastFrameAt).toISOString() : null,
      holder: this.deps.holder,
      node: this.deps.node,
      updatedAt: new Date().toISOString(),
    };
  }

  private async loop(): Promise<void> {
    const s = this.deps.settings;
    // The ring continues the sequence from Redis: wait for Redis rather than give up on the camera.
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.ring.init();
        break;
      } catch (err) {
        this.deps.log.warn({ err, cameraId: this.camera.id }, 'frame ring not ready (Redis?)');
        this.lastError = `frame ring not ready: ${(err as Error).message}`;
        await this.sleep(Math.min(s.backoffMaxMs, s.backoffInitialMs * 2 ** attempt));
      }
    }
    while (!this.stopped) {
      let failure: { code: CameraErrorCode; message: string };
      try {
        failure = await this.runOnce();
        this.ownFailures.succeeded();
      } catch (err) {
        // Our side failed (disk, Redis, spawning ffmpeg), not the camera's stream: retried like a stream failure,
        // given up when it lasts (another process may do better).
        this.current = null;
        const message = `ingest failed: ${(err as Error).message ?? String(err)}`;
        if (this.ownFailures.failed(message, Date.now()).action === 'give_up') {
          this.deps.log.error(
            { err, cameraId: this.camera.id, failures: this.ownFailures.current.failures },
            'camera keeps failing on this process; giving it up for another process',
          );
          this.giveUp(message);
          return;
        }
        failure = { code: 'ffmpeg_exited', message };
      }
      if (this.stopped) break;
      this.consecutiveFailures += 1;
      this.restarts += 1;
      this.downSince ??= Date.now();
      this.lastError = failure.message;
      this.lastErrorCode = failure.code;
      const offline = this.consecutiveFailures >= s.offlineAfterFailures || Date.now() - this.downSince >= s.offlineAfterMs;
      this.setState(offline ? 'offline' : 'reconnecting');
      const delay = Math.min(s.backoffMaxMs, s.backoffInitialMs * 2 ** (this.consecutiveFailures - 1));
      this.deps.log.warn({ cameraId: this.camera.id, code: failure.code, error: failure.message, retryInMs: delay }, 'camera stream failed');
      await this.sleep(delay);
    }
  }

  /** One ffmpeg run; resolves with the reason it ended. */
  private async runOnce(): Promise<{ code: CameraErrorCode; message: string }> {
    const s = this.deps.settings;
    const runStart = Date.now();
    this.currentRun = runStart;
    const segDir = runSegmentDir(s.segmentDir, this.camera.id, runStart);
    await mkdir(segDir, { recursive: true });
    let framesThisRun = 0;
    let inputStartMs: number | null = null;
    const run = await this.ring.startRun(this.camera.sampleFps);
    // stdout: progress blocks; `frame=<n>` says how many frames ffmpeg has written into the ring.
    // Frames count (for the watchdog and fps) once they reach the ring, which needs the first frame's time too.
    const countFrames = (added: number) => {
      if (added === 0) return;
      framesThisRun += added;
      this.lastFrameAt = Date.now();
      this.windowFrames += added;
      if (framesThisRun === added) this.onRecovered();
    };
    const progress = lineSink((line) => {
      const p = parseProgress(line);
      if (p) countFrames('end' in p ? run.flushed() : run.progress(p.frames));
    });
    const wrap = Math.ceil(s.clipRetentionSeconds / s.segmentSeconds) + 3;
    const handle = startFfmpeg({
      globalOptions: [...globalPreset('info'), ...progressPreset(run.progressSeconds)],
      env: frameRingEnvironment(),
      onStderr: (line) => {
        if (isShowinfoLine(line)) {
          const frame = parseShowinfoFrame(line);
          // Capture time: the input's wall-clock start plus the frame's time (as the segment ring places video).
          if (frame) countFrames(run.firstFrame(inputStartMs !== null ? inputStartMs + frame.ptsTime * 1000 : Date.now(), frame.width, frame.height));
          return true;
        }
        if (inputStartMs !== null) return false;
        let start = parseInputStart(line);
        if (start === null) return false;
        // A file source has no wall-clock timestamps: it starts playing (at native rate) now.
        if (start < 1e9) start = Date.now() / 1000;
        inputStartMs = start * 1000;
        void writeFile(join(segDir, RUN_START_FILE), String(start)).catch(() => undefined);
        return false;
      },
      inputs: [
        { source: this.camera.streamUrl, options: inputPreset(this.camera.streamUrl, { socketTimeoutMs: s.socketTimeoutMs, decodeThreads: s.decodeThreads }) },
      ],
      outputs: [
        { target: this.ring.slotPattern, options: frameRingPreset({ fps: this.camera.sampleFps, slots: this.ring.slots, firstSlot: run.firstSlot }) },
        { target: join(segDir, '%06d.ts'), options: segmentRingPreset({ segmentSeconds: s.segmentSeconds, wrap, listFile: join(segDir, SEGMENT_LIST_FILE) }) },
      ],
      stdout: progress,
      dieWithParent: true, // frames go to files: without this an orphaned ffmpeg would write them forever
    });
    this.current = handle;
    if (this.stopped) void handle.stop(s.ffmpegStopGraceMs); // stop() ran while this run was starting
    await handle.started;
    const pid = handle.pid();
    if (pid) this.livePids.add(pid);

    let stalled = false;
    const watchdog = setInterval(
      () => {
        const silentFor = Date.now() - (framesThisRun > 0 ? this.lastFrameAt! : runStart);
        if (silentFor > (framesThisRun > 0 ? s.watchdogMs : Math.max(s.watchdogMs, s.startTimeoutMs))) {
          stalled = true;
          void handle.stop(s.ffmpegStopGraceMs);
        }
      },
      Math.min(1000, Math.max(100, s.watchdogMs / 4)),
    );
    const exit = await handle.exited;
    clearInterval(watchdog);
    run.end();
    if (pid) this.livePids.delete(pid);
    this.current = null;
    const diagnosis = diagnoseFfmpeg(exit.stderr, exit.error);
    if (stalled) {
      // A stream that delivered frames and went silent stalled, whatever ffmpeg grumbled at start-up;
      // one that never delivered a frame is better explained by a specific reason from stderr.
      if (framesThisRun > 0 || diagnosis.code === 'ffmpeg_exited' || diagnosis.code === 'unreachable') {
        return {
          code: 'stalled',
          message: framesThisRun > 0 ? `no frame for ${s.watchdogMs / 1000} s` : `no first frame within ${Math.max(s.watchdogMs, s.startTimeoutMs) / 1000} s`,
        };
      }
      return diagnosis;
    }
    if (!exit.error) return { code: 'ffmpeg_exited', message: 'stream ended' };
    return diagnosis;
  }

  private giveUp(reason: string): void {
    if (this.gaveUp !== null || this.stopped) return;
    this.gaveUp = reason;
    this.lastError = reason;
    this.lastErrorCode = 'ffmpeg_exited';
    this.setState('offline');
    this.deps.onGiveUp?.(reason);
  }

  private onRecovered(): void {
    this.consecutiveFailures = 0;
    this.downSince = null;
    this.lastError = null;
    this.lastErrorCode = null;
    this.setState('online');
  }

  private setState(state: CameraState): void {
    if (this.state === state || this.stopped) return;
    this.state = state;
    this.deps.log.info({ cameraId: this.camera.id, state, error: this.lastError }, 'camera state');
    void this.report();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    const elapsed = (now - this.windowStart) / 1000;
    if (elapsed > 0) this.fps = this.windowFrames / elapsed;
    this.windowFrames = 0;
    this.windowStart = now;
    try {
      const v = await this.deps.redis.hget(droppedKey(this.deps.keyPrefix), this.camera.id);
      this.downstreamDropped = Number(v ?? 0);
    } catch {
      // Redis away: keep the last value
    }
    if (now - this.lastPrune > 30_000) {
      this.lastPrune = now;
      void pruneSegmentRuns(this.deps.settings.segmentDir, this.camera.id, this.deps.settings.clipRetentionSeconds, this.currentRun).catch(() => undefined);
    }
    if (!this.stopped) await this.report();
  }

  private async report(): Promise<void> {
    try {
      await this.deps.onStatus(this.status());
    } catch (err) {
      this.deps.log.warn({ err, cameraId: this.camera.id }, 'status report failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
