// The ingest role: holds camera leases and runs one supervisor (one ffmpeg) per leased camera.
// Every TTL/3: renew leases (stop cameras another process took), follow camera changes (URL, fps,
// disabled), take free or lapsed cameras up to an even share, and give one back when holding more
// than the share (so a new process gets work).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Queryable } from '@phatnguoi/core/db';
import type { Logger } from '@phatnguoi/core/logger';
import {
  heartbeat,
  loadCameras,
  planLeases,
  releaseLeases,
  renewLeases,
  retireHolder,
  takeLease,
  type LeasedCamera,
  type LeaseIdentity,
} from '@phatnguoi/core/camera-node/camera-lease';
import { createStatusPublisher, type StatusPublisher } from './camera-status';
import { CameraSupervisor } from './camera-supervisor';
import type { IngestSettings } from './settings';

export const INGEST_ROLE = 'ingest';

export interface IngestServiceDeps {
  db: Queryable;
  redis: Redis;
  log: Logger;
  settings: IngestSettings;
  frameRingDir: string;
  nodeId: string;
  /** Unique per process by default. */
  holder?: string;
}

export class IngestService {
  readonly who: LeaseIdentity;
  private readonly supervisors = new Map<string, { sup: CameraSupervisor; camera: LeasedCamera }>();
  private readonly publisher: StatusPublisher;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopping = false;
  private lastRenewedAt = Date.now();
  /** Cameras this process gave up (failing on its side): not taken again before this time (ms). */
  private readonly cooldown = new Map<string, number>();

  constructor(private readonly deps: IngestServiceDeps) {
    this.who = {
      role: INGEST_ROLE,
      holder: deps.holder ?? `${deps.nodeId}:${process.pid}:${randomBytes(3).toString('hex')}`,
      node: deps.nodeId,
    };
    this.publisher = createStatusPublisher({ db: deps.db, redis: deps.redis, log: deps.log, channelPrefix: deps.settings.redisKeyPrefix });
  }

  /** When the last lease round renewed this process's leases (ms since epoch; the health heartbeat checks it). */
  get leasesRenewedAt(): number {
    return this.lastRenewedAt;
  }

  /** Camera ids this process works now. */
  cameraIds(): string[] {
    return [...this.supervisors.keys()];
  }

  supervisor(cameraId: string): CameraSupervisor | undefined {
    return this.supervisors.get(cameraId)?.sup;
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.deps.settings.leaseTtlMs / 3)));
  }

  /** One lease round; never throws (a database outage is logged and retried next round). */
  tick(): Promise<void> {
    if (this.ticking || this.stopping) return this.ticking ?? Promise.resolve();
    this.ticking = this.round()
      .catch(async (err: unknown) => {
        this.deps.log.warn({ err }, 'lease round failed');
        // Fencing: leases not renewed for a whole TTL may belong to another process by now; running
        // the same camera twice would duplicate frames and violations, so stop until the database is back.
        if (this.supervisors.size > 0 && Date.now() - this.lastRenewedAt > this.deps.settings.leaseTtlMs) {
          this.deps.log.error({ cameras: this.supervisors.size }, 'leases could not be renewed for a whole TTL: stopping cameras');
          await Promise.all(this.cameraIds().map((id) => this.stopCamera(id, false)));
        }
      })
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  private async round(): Promise<void> {
    const { db, settings } = this.deps;
    const ttl = settings.leaseTtlMs;

    await heartbeat(db, this.who, ttl);
    // 1. Renew; whatever we no longer hold was taken over (we were too slow): stop it quietly.
    const held = await renewLeases(db, this.who, this.cameraIds(), ttl);
    this.lastRenewedAt = Date.now();
    for (const id of this.cameraIds()) {
      if (!held.has(id)) {
        this.deps.log.warn({ cameraId: id }, 'camera lease lost to another process');
        await this.stopCamera(id, false);
      }
    }
    // Cameras given up by their supervisor: stopped (their offline status and reason stored), leases released.
    for (const [id, { sup }] of [...this.supervisors]) {
      if (sup.gaveUp === null) continue;
      this.deps.log.error({ cameraId: id, reason: sup.gaveUp }, 'releasing a camera this process keeps failing on');
      this.supervisors.delete(id);
      await sup.stop('offline', true);
      await releaseLeases(db, this.who, [id]);
      held.delete(id);
      this.cooldown.set(id, Date.now() + Math.max(60_000, 4 * ttl));
    }
    for (const [id, until] of this.cooldown) if (until <= Date.now()) this.cooldown.delete(id);

    // 2. Follow camera changes: disabled or deleted cameras are released, changed streams restarted.
    const current = new Map((await loadCameras(db, [...held], settings.cameraSecretKey)).map((c) => [c.id, c]));
    for (const id of [...held]) {
      const cam = current.get(id);
      const running = this.supervisors.get(id);
      if (!cam) {
        await this.stopCamera(id, true);
        await releaseLeases(db, this.who, [id]);
        held.delete(id);
      } else if (running && (running.camera.streamUrl !== cam.streamUrl || running.camera.sampleFps !== cam.sampleFps)) {
        this.deps.log.info({ cameraId: id }, 'camera settings changed: restarting');
        await this.stopCamera(id, false);
        this.startCamera(cam);
      }
    }

    // 3. Take free or lapsed cameras up to an even share; give one back when above it.
    const plan = await planLeases(db, this.who, settings.maxCameras > 0 ? settings.maxCameras : Infinity);
    if (this.supervisors.size < plan.target) {
      for (const id of plan.free) {
        if (this.supervisors.size >= plan.target || this.stopping) break;
        if (this.supervisors.has(id) || this.cooldown.has(id)) continue;
        if (!(await takeLease(db, this.who, id, ttl))) continue;
        const [cam] = await loadCameras(db, [id], settings.cameraSecretKey);
        if (!cam) {
          await releaseLeases(db, this.who, [id]);
          continue;
        }
        this.deps.log.info({ cameraId: id, holders: plan.liveHolders, target: plan.target }, 'camera lease taken');
        this.startCamera(cam);
      }
    } else if (this.supervisors.size > plan.target && plan.liveHolders > 1) {
      const id = this.cameraIds().at(-1)!;
      this.deps.log.info({ cameraId: id, target: plan.target }, 'giving a camera back to balance the load');
      await this.stopCamera(id, false);
      await releaseLeases(db, this.who, [id]);
    }
  }

  private startCamera(camera: LeasedCamera): void {
    const sup = new CameraSupervisor(camera, {
      redis: this.deps.redis,
      log: this.deps.log,
      settings: this.deps.settings,
      frameRingDir: this.deps.frameRingDir,
      keyPrefix: this.deps.settings.redisKeyPrefix,
      holder: this.who.holder,
      node: this.who.node,
      onStatus: (s) => this.publisher.publish(s),
      // Release it now rather than at the next round.
      onGiveUp: () => void this.tick(),
    });
    this.supervisors.set(camera.id, { sup, camera });
    sup.start();
  }

  private async stopCamera(cameraId: string, report: boolean): Promise<void> {
    const entry = this.supervisors.get(cameraId);
    if (!entry) return;
    this.supervisors.delete(cameraId);
    await entry.sup.stop('stopped', report);
  }

  /** Graceful shutdown: every ffmpeg stopped, leases released so other processes take over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    const ids = this.cameraIds();
    await Promise.all(ids.map((id) => this.stopCamera(id, true)));
    try {
      await releaseLeases(this.deps.db, this.who, ids);
      await retireHolder(this.deps.db, this.who);
    } catch (err) {
      this.deps.log.warn({ err }, 'leases not released; they lapse after their TTL');
    }
  }
}
