// Shared pieces of the ingest tests: settings tuned for quick failure detection, a status recorder,
// and a way to find ffmpeg processes a test may have leaked.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CameraStatus } from '@phatnguoi/core/camera-node/channels';
import type { IngestSettings } from '../src/settings';

const tempDirs: string[] = [];

/** Removes the folders fastSettings created (call in afterAll, after supervisors stopped). */
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function fastSettings(overrides: Partial<IngestSettings> = {}): IngestSettings {
  const dir = mkdtempSync(join(tmpdir(), 'pn-ingest-'));
  tempDirs.push(dir);
  return {
    leaseTtlMs: 3000,
    maxCameras: 0,
    frameRingSlots: 32,
    decodeThreads: 1,
    segmentDir: join(dir, 'segments'),
    segmentSeconds: 1,
    clipRetentionSeconds: 30,
    watchdogMs: 4000,
    startTimeoutMs: 10_000,
    socketTimeoutMs: 3000,
    backoffInitialMs: 200,
    backoffMaxMs: 1000,
    offlineAfterFailures: 2,
    offlineAfterMs: 3000,
    giveUpAfterMs: 60_000,
    statusIntervalMs: 500,
    ffmpegStopGraceMs: 2000,
    redisKeyPrefix: '',
    cameraSecretKey: randomBytes(32),
    ...overrides,
  };
}

export class StatusLog {
  readonly all: CameraStatus[] = [];
  push = (s: CameraStatus): void => {
    this.all.push(s);
  };
  latest(cameraId: string): CameraStatus | undefined {
    return this.all.filter((s) => s.cameraId === cameraId).at(-1);
  }
  states(cameraId: string): string[] {
    const out: string[] = [];
    for (const s of this.all) if (s.cameraId === cameraId && out.at(-1) !== s.state) out.push(s.state);
    return out;
  }
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Pids of running ffmpeg processes whose command line contains `needle`. */
export function ffmpegPids(needle: string): number[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-f', '-a', 'ffmpeg'], { encoding: 'utf8' });
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return out
    .split('\n')
    .filter((l) => l.includes(needle) && /\bffmpeg\b/.test(l.split(' ')[1] ?? ''))
    .map((l) => Number(l.split(' ')[0]));
}
