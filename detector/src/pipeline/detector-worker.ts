// The detector process's camera management: takes 'detector' leases (same table and algorithm as
// ingest) on cameras whose ingest runs on this node (the frame ring is a local volume), renews them
// every TTL/3, and runs one CameraRunner per held camera. Detectors on a node share its cameras evenly:
// each announces itself (lease_holders) and gives a camera back when it holds more than its share. A lost
// lease stops its runner; a crashed process's cameras move to another detector within one TTL and resume
// from detector_progress. A runner whose frame loop keeps failing (or hangs) is given up: its camera's lease
// is released so another detector takes it, and a last `detector-stats` message says why (state `gave_up`);
// this worker tries the camera again only after `retryCameraAfterMs`.
import type { Redis } from 'ioredis';
import type { Queryable } from '@phatnguoi/core/db';
import { DEFAULT_BACKOFF } from '@phatnguoi/core/backoff';
import { createRedis } from '@phatnguoi/core/redis';
import { leasesFresh, redisReachable } from '@phatnguoi/core/camera-node/health-heartbeat';
import {
  heartbeat,
  planLeases,
  planNodeLeases,
  releaseLeases,
  renewLeases,
  retireHolder,
  takeLease,
  type LeaseIdentity,
} from '@phatnguoi/core/camera-node/camera-lease';
import { CameraRunner, type CameraRunnerOptions, type RunnerLogger } from './camera-runner';
import { startDetectorStats, type CameraCounters, type DetectorStatsPublisher } from './detector-stats';
import { tfBackendName } from '../tf/runtime';

export interface DetectorWorkerOptions extends Omit<CameraRunnerOptions, 'redis' | 'connectRedis' | 'subscriber' | 'holder' | 'logger' | 'onGiveUp'> {
  db: Queryable;
  redisUrl: string;
  holder: string;
  node: string;
  logger: RunnerLogger;
  leaseTtlMs?: number;
  maxCameras?: number;
  /** Only take cameras whose ingest lease is on this node (default true; the frame ring is node-local). */
  sameNodeAsIngest?: boolean;
  /** Period of the `detector-stats` messages (default 5 s; 0: none). Channel prefix: `keyPrefix`. */
  statsIntervalMs?: number;
  /** A camera given up (or that could not start) is tried again by this worker after this long (default 60 s). */
  retryCameraAfterMs?: number;
}

export class DetectorWorker {
  private readonly runners = new Map<string, { runner: CameraRunner; startedAt: number }>();
  /** Cameras given up since the last stats message: published once more, with the reason. */
  private readonly farewells = new Map<string, string>();
  /** Cameras that could not start (unknown, no or bad geometry): retried after a while, not every tick. */
  private readonly failed = new Map<string, number>();
  private subscriber: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly who: LeaseIdentity;
  private readonly ttl: number;
  /** Plain connection (neither subscriber nor blocking) for publishing stats and health pings. */
  private publisher: Redis | null = null;
  private stats: DetectorStatsPublisher | null = null;
  private lastRenewedAt: number | null = null;

  constructor(private readonly opts: DetectorWorkerOptions) {
    this.who = { role: 'detector', holder: opts.holder, node: opts.node };
    this.ttl = opts.leaseTtlMs ?? 15_000;
  }

  get cameras(): string[] {
    return [...this.runners.keys()];
  }

  runner(cameraId: string): CameraRunner | undefined {
    return this.runners.get(cameraId)?.runner;
  }

  /**
   * Running totals per held camera: frames through the detector and their detections (counted together), with
   * the camera's detection state; then, once, each camera given up since the last call (state `gave_up`).
   */
  counters(): CameraCounters[] {
    const now = Date.now();
    const held = [...this.runners].map(([cameraId, r]): CameraCounters => {
      const stats = r.runner.cameraPipeline?.stats;
      const h = r.runner.health(now);
      return { cameraId, frames: stats?.detectedFrames ?? 0, detections: stats?.detections ?? 0, startedAt: r.startedAt, state: h.state, error: h.error };
    });
    const gone = [...this.farewells]
      .filter(([id]) => !this.runners.has(id))
      .map(([cameraId, error]): CameraCounters => ({ cameraId, frames: 0, detections: 0, startedAt: now, state: 'gave_up', error }));
    this.farewells.clear();
    return [...held, ...gone];
  }

  /**
   * null while healthy (leases renewed within the TTL, Redis answers, every held camera detecting), else the
   * reason: a camera whose frame loop fails or hangs makes the detector unhealthy until it recovers or is given up.
   */
  async health(): Promise<string | null> {
    if (this.stopped) return 'stopped';
    const now = Date.now();
    for (const [id, r] of this.runners) {
      const h = r.runner.health(now);
      if (h.state !== 'detecting')
        return `camera ${id} not detecting (${h.state}${h.since !== null ? ` for ${Math.round((now - h.since) / 1000)} s` : ''}): ${h.error ?? 'unknown reason'}`;
    }
    return leasesFresh(this.lastRenewedAt, this.ttl) ?? (this.publisher ? await redisReachable(this.publisher) : 'not started');
  }

  async start(): Promise<void> {
    this.subscriber = createRedis(this.opts.redisUrl, { blocking: true, name: `detector:${this.opts.holder}:signals` });
    this.publisher = createRedis(this.opts.redisUrl, { name: `detector:${this.opts.holder}:stats` });
    const statsIntervalMs = this.opts.statsIntervalMs ?? 5000;
    if (statsIntervalMs > 0) {
      this.stats = startDetectorStats({
        redis: this.publisher,
        channelPrefix: this.opts.keyPrefix ?? '',
        intervalMs: statsIntervalMs,
        counters: () => this.counters(),
        backend: tfBackendName() ?? 'none',
        onError: (err) => this.opts.logger.warn({ err: err.message }, 'detector stats not published'),
      });
    }
    await this.tick();
    this.timer = setInterval(
      () => {
        this.ticking = this.ticking.then(() => this.tick()).catch((err: Error) => this.opts.logger.error({ err: err.message }, 'lease round failed'));
      },
      Math.max(200, Math.floor(this.ttl / 3)),
    );
  }

  /** One lease round: announce ourselves, renew, drop what was lost, take free cameras up to our share or give one back. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const log = this.opts.logger;
    await heartbeat(this.opts.db, this.who, this.ttl);
    const held = await renewLeases(this.opts.db, this.who, this.cameras, this.ttl);
    this.lastRenewedAt = Date.now();
    for (const id of this.cameras) {
      if (!held.has(id)) {
        log.warn({ cameraId: id }, 'detector lease lost; stopping camera');
        await this.stopRunner(id);
      }
    }
    await this.giveUpFailing();
    const max = this.opts.maxCameras ?? Infinity;
    const plan =
      (this.opts.sameNodeAsIngest ?? true) ? await planNodeLeases(this.opts.db, this.who, 'ingest', max) : await planLeases(this.opts.db, this.who, max);
    if (this.runners.size > plan.target && plan.liveHolders > 1) {
      // Above our share: hand the most recently started camera over (its runner stops cleanly and the next
      // holder resumes from detector_progress), one per round so the load moves gradually.
      const id = [...this.runners.keys()].at(-1)!;
      log.info({ cameraId: id, target: plan.target, holders: plan.liveHolders }, 'giving a camera back to balance the load');
      await this.stopRunner(id);
      await releaseLeases(this.opts.db, this.who, [id]);
      return;
    }
    const candidates = plan.free;
    for (const id of candidates) {
      if (this.runners.size >= plan.target || this.stopped) break;
      if ((this.failed.get(id) ?? 0) > Date.now()) continue;
      if (!(await takeLease(this.opts.db, this.who, id, this.ttl))) continue;
      const runner = new CameraRunner(id, {
        ...this.opts,
        connectRedis: () => createRedis(this.opts.redisUrl, { blocking: true, name: `detector:${this.opts.holder}:${id}` }),
        subscriber: this.subscriber!,
        holder: this.opts.holder,
        logger: log,
        // Release at once rather than at the next round: the camera should not wait.
        onGiveUp: () => this.soon(),
      });
      let ok = false;
      try {
        ok = await runner.start();
      } catch (err) {
        log.error({ cameraId: id, err: (err as Error).message }, 'camera failed to start');
      }
      if (ok) {
        this.runners.set(id, { runner, startedAt: Date.now() });
        this.farewells.delete(id);
        log.info({ cameraId: id }, 'detecting on camera');
      } else {
        await runner.stop().catch(() => undefined);
        this.farewells.set(id, runner.health().error ?? 'camera could not start');
        this.failed.set(id, Date.now() + (this.opts.retryCameraAfterMs ?? 60_000));
        await releaseLeases(this.opts.db, this.who, [id]);
      }
    }
  }

  /** Runs a lease round as soon as the current one is over. */
  private soon() {
    if (this.stopped) return;
    this.ticking = this.ticking.then(() => this.tick()).catch((err: Error) => this.opts.logger.error({ err: err.message }, 'lease round failed'));
  }

  /**
   * Cameras whose frame loop gave up, or has hung for longer than a loop may fail: stopped, their leases released
   * (another detector takes them; this one only after `retryCameraAfterMs`), and said so once more on detector-stats.
   */
  private async giveUpFailing() {
    const now = Date.now();
    const limit = this.opts.retry?.giveUpAfterMs ?? DEFAULT_BACKOFF.giveUpAfterMs;
    for (const [id, r] of [...this.runners]) {
      const h = r.runner.health(now);
      if (h.state !== 'gave_up' && !(h.state === 'stalled' && h.since !== null && now - h.since >= limit)) continue;
      const reason = h.error ?? h.state;
      this.opts.logger.error({ cameraId: id, state: h.state, err: reason }, 'detection failed for too long on this camera: releasing it for another detector');
      this.farewells.set(id, reason);
      this.failed.set(id, now + (this.opts.retryCameraAfterMs ?? 60_000));
      await this.stopRunner(id);
      await this.stats?.publishNow().catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'detector stats not published'));
      try {
        await releaseLeases(this.opts.db, this.who, [id]);
      } catch (err) {
        // The lease lapses after its TTL instead (it is no longer renewed).
        this.opts.logger.warn({ cameraId: id, err: (err as Error).message }, 'lease not released; it lapses after its TTL');
      }
    }
  }

  private async stopRunner(id: string) {
    const r = this.runners.get(id);
    if (!r) return;
    this.runners.delete(id);
    await r.runner.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.stats?.stop();
    await this.ticking;
    const ids = this.cameras;
    for (const id of ids) await this.stopRunner(id);
    await releaseLeases(this.opts.db, this.who, ids);
    await retireHolder(this.opts.db, this.who);
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }
}
