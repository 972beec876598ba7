// Live detector figures for the operations wall: every few seconds, one message per camera on the Redis
// channel `<INGEST_REDIS_PREFIX>detector-stats` (core/src/camera-node/channels.ts: the name and `DetectorStatsMessage`):
// `{ cameraId, detectionsPerSecond, framesPerSecond, backend, state, error }`, rates over the time since the
// previous message, and whether detection runs on the camera (`state`, core DETECTOR_STATES) and if not, why.
import type { Redis } from 'ioredis';
import { detectorStatsChannel, type CameraRates, type DetectorStatsMessage } from '@phatnguoi/core/camera-node/channels';
import type { DetectorState } from '@phatnguoi/core/contracts/api/stats';

/** Running totals of one camera since its pipeline started (`startedAt`, ms), and its detection state. */
export interface CameraCounters {
  cameraId: string;
  frames: number;
  detections: number;
  startedAt: number;
  /** Default `detecting`. */
  state?: DetectorState;
  error?: string | null;
}

/** Turns running totals into rates over the time since the previous sample of the same camera. */
export class RateMeter {
  private readonly last = new Map<string, { frames: number; detections: number; at: number }>();

  sample(counters: readonly CameraCounters[], now: number): CameraRates[] {
    const out: CameraRates[] = [];
    const seen = new Set<string>();
    for (const c of counters) {
      seen.add(c.cameraId);
      let prev = this.last.get(c.cameraId);
      // A restarted pipeline (counters went back) or a new camera: measure from its start.
      if (!prev || c.frames < prev.frames || c.detections < prev.detections) prev = { frames: 0, detections: 0, at: c.startedAt };
      const seconds = (now - prev.at) / 1000;
      const rate = (delta: number) => (seconds > 0 ? round2(delta / seconds) : 0);
      out.push({ cameraId: c.cameraId, detectionsPerSecond: rate(c.detections - prev.detections), framesPerSecond: rate(c.frames - prev.frames) });
      this.last.set(c.cameraId, { frames: c.frames, detections: c.detections, at: now });
    }
    for (const id of [...this.last.keys()]) if (!seen.has(id)) this.last.delete(id);
    return out;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export interface DetectorStatsOptions {
  /** A connection not in subscriber or blocking mode. */
  redis: Redis;
  /** Prefix of the channel (INGEST_REDIS_PREFIX; empty in production). */
  channelPrefix?: string;
  /** Default 5 s. */
  intervalMs?: number;
  counters: () => CameraCounters[];
  /** The TF.js backend in use (tfjs-node, wasm or cpu), sent with every message. */
  backend: string;
  onError?: (err: Error) => void;
  now?: () => number;
}

export interface DetectorStatsPublisher {
  /** Samples and publishes once (also what the timer does); resolves with what was published. */
  publishNow(): Promise<DetectorStatsMessage[]>;
  stop(): void;
}

export function startDetectorStats(o: DetectorStatsOptions): DetectorStatsPublisher {
  const meter = new RateMeter();
  const channel = detectorStatsChannel(o.channelPrefix);
  const now = o.now ?? Date.now;
  let busy = false;
  const publishNow = async (): Promise<DetectorStatsMessage[]> => {
    const counters = o.counters();
    const byId = new Map(counters.map((c) => [c.cameraId, c]));
    const messages = meter.sample(counters, now()).map((r): DetectorStatsMessage => {
      const c = byId.get(r.cameraId);
      return { ...r, backend: o.backend, state: c?.state ?? 'detecting', error: c?.error ?? null };
    });
    await Promise.all(messages.map((m) => o.redis.publish(channel, JSON.stringify(m))));
    return messages;
  };
  const timer = setInterval(() => {
    if (busy) return; // Redis slow or away: skip a beat rather than pile up publishes
    busy = true;
    publishNow()
      .catch((err: Error) => o.onError?.(err))
      .finally(() => {
        busy = false;
      });
  }, o.intervalMs ?? 5000);
  timer.unref();
  return {
    publishNow,
    stop() {
      clearInterval(timer);
    },
  };
}
