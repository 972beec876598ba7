// Liveness heartbeat for container probes: while the role is healthy, the file `HEALTH_FILE` is touched
// every few seconds; `core/src/cli/healthcheck.ts --file F --max-age S` fails once it is older than S.
// Healthy means what the role says (ingest and detector: leases renewed within their TTL, Redis answers).
// A check that throws, answers "unhealthy" or hangs past `checkTimeoutMs` leaves the file alone.
import { utimes, writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';

export interface HealthHeartbeatOptions {
  file: string;
  /** Touch period while healthy (default 5 s: several touches inside the 20 s the probes expect). */
  intervalMs?: number;
  /** Resolves null when healthy, else a short reason (logged once per change). */
  check: () => Promise<string | null>;
  /** A check still running after this long counts as unhealthy (default 10 s). */
  checkTimeoutMs?: number;
  onChange?: (healthy: boolean, reason: string | null) => void;
}

export interface HealthHeartbeat {
  /** One check and, when healthy, one touch; true when touched. */
  beat(): Promise<boolean>;
  stop(): void;
}

export function startHealthHeartbeat(o: HealthHeartbeatOptions): HealthHeartbeat {
  const intervalMs = o.intervalMs ?? 5000;
  const checkTimeoutMs = o.checkTimeoutMs ?? 10_000;
  let running: Promise<boolean> | null = null;
  let lastHealthy: boolean | null = null;
  let stopped = false;

  const once = async (): Promise<boolean> => {
    let reason: string | null;
    let timer: NodeJS.Timeout | undefined;
    try {
      reason = await Promise.race([
        o.check(),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve(`health check took longer than ${checkTimeoutMs} ms`), checkTimeoutMs);
        }),
      ]);
    } catch (err) {
      reason = (err as Error).message || 'health check failed';
    } finally {
      clearTimeout(timer);
    }
    if (stopped) return false;
    const healthy = reason === null;
    if (healthy) {
      try {
        await touch(o.file);
      } catch (err) {
        reason = `cannot touch ${o.file}: ${(err as Error).message}`;
      }
    }
    const ok = reason === null;
    if (lastHealthy !== ok) o.onChange?.(ok, reason);
    lastHealthy = ok;
    return ok;
  };

  const beat = (): Promise<boolean> => {
    // Never overlap: a slow check already running is the one that counts.
    running ??= once().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = setInterval(() => void beat(), intervalMs);
  timer.unref();
  void beat();
  return {
    beat,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

async function touch(file: string): Promise<void> {
  const now = new Date();
  try {
    await utimes(file, now, now);
  } catch {
    await writeFile(file, `${now.toISOString()}\n`);
  }
}

/**
 * The role processes' heartbeat: started when `HEALTH_FILE` is set (else null), touching it every 5 s while
 * `check` passes, and logging each change between healthy and unhealthy.
 */
export function startHealthFileHeartbeat(
  check: () => Promise<string | null>,
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void },
): HealthHeartbeat | null {
  const file = process.env.HEALTH_FILE?.trim();
  if (!file) return null;
  return startHealthHeartbeat({
    file,
    intervalMs: 5000,
    check,
    onChange: (healthy, reason) =>
      healthy ? log.info({ file }, 'healthy: heartbeat file touched') : log.warn({ reason }, 'unhealthy: heartbeat file not touched'),
  });
}

/** null when Redis answers PING within `timeoutMs`, else the reason. */
export async function redisReachable(redis: Redis, timeoutMs = 3000): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      redis.ping(),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    return answer === 'PONG' ? null : `redis did not answer PING (${answer})`;
  } catch (err) {
    return `redis unreachable: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

/** null when the last successful lease round is at most `ttlMs` old, else the reason. */
export function leasesFresh(lastRenewedAt: number | null, ttlMs: number, now = Date.now()): string | null {
  if (lastRenewedAt === null) return 'no lease round has completed yet';
  const age = now - lastRenewedAt;
  return age <= ttlMs ? null : `leases not renewed for ${Math.round(age / 1000)} s (TTL ${Math.round(ttlMs / 1000)} s)`;
}
