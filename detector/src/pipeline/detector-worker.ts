// The detector process's camera management: takes 'detector' leases (same table and algorithm as
// ingest) on cameras whose ingest runs on this node (the frame ring is a local volume), renews them
// every TTL/3, and runs one CameraRunner per held camera. Detectors on a node share its cameras evenly:
// each announces itself (lease_holders) and gives a camera back when it holds more than its share. A lost
// lease stops its runner; a crashed process's cameras move to another detector within one TTL and resume
// from detector_progress.
import type { Redis } from 'ioredis';
import type { Queryable } from '@phatnguoi/core/db';
import { createRedis } from '@phatnguoi/core/redis';
import { leasesFresh, redisReachable } from '@phatnguoi/ingest/health-heartbeat';
import { heartbeat, planLeases, planNodeLeases, releaseLeases, renewLeases, retireHolder, takeLease, type LeaseIdentity } from '@phatnguoi/ingest/camera-lease';
import { CameraRunner, type CameraRunnerOptions, type RunnerLogger } from './camera-runner';
import { startDetectorStats, type CameraCounters, type DetectorStatsPublisher } from './detector-stats';
import { tfBackendName } from '../tf/runtime';

export interface DetectorWorkerOptions extends Omit<CameraRunnerOptions, 'redis' | 'subscriber' | 'holder' | 'logger'> {
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
}

export class DetectorWorker {
  private readonly runners = new Map<string, { runner: CameraRunner; redis: Redis; startedAt: number }>();
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

  /** Running totals per held camera: frames through the detector and their detections (counted together). */
  counters(): CameraCounters[] {
    return [...this.runners].map(([cameraId, r]) => {
      const stats = r.runner.cameraPipeline?.stats;
      return { cameraId, frames: stats?.detectedFrames ?? 0, detections: stats?.detections ?? 0, startedAt: r.startedAt };
    });
  }

  /** null while healthy (leases renewed within the TTL, Redis answers), else the reason. */
  async health(): Promise<string | null> {
    if (this.stopped) return 'stopped';
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
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick()).catch((err: Error) => this.opts.logger.error({ err: err.message }, 'lease round failed'));
    }, Math.max(200, Math.floor(this.ttl / 3)));
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
    const max = this.opts.maxCameras ?? Infinity;
    const plan = (this.opts.sameNodeAsIngest ?? true) ? await planNodeLeases(this.opts.db, this.who, 'ingest', max) : await planLeases(this.opts.db, this.who, max);
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
      const redis = createRedis(this.opts.redisUrl, { blocking: true, name: `detector:${this.opts.holder}:${id}` });
      const runner = new CameraRunner(id, { ...this.opts, redis, subscriber: this.subscriber!, holder: this.opts.holder, logger: log });
      let ok = false;
      try {
        ok = await runner.start();
      } catch (err) {
        log.error({ cameraId: id, err: (err as Error).message }, 'camera failed to start');
      }
      if (ok) {
        this.runners.set(id, { runner, redis, startedAt: Date.now() });
        log.info({ cameraId: id }, 'detecting on camera');
      } else {
        redis.disconnect();
        this.failed.set(id, Date.now() + 60_000);
        await releaseLeases(this.opts.db, this.who, [id]);
      }
    }
  }

  private async stopRunner(id: string) {
    const r = this.runners.get(id);
    if (!r) return;
    this.runners.delete(id);
    await r.runner.stop();
    r.redis.disconnect();
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
