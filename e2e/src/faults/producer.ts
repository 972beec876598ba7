// The detector's emit path, driven from a list of events: evidence into object storage (SHA-256 taken at
// capture), then `violation.created` enqueued with the idempotency key as job id — the same two steps as the
// detector's sink (detector/src/main.ts). As in the detector, a violation stays pending until both steps
// succeeded: a failure (storage or Redis away) is retried, never dropped.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import type { Queues } from '@phatnguoi/core/queue';
import type { Storage } from '@phatnguoi/core/storage';
import { demoEvent } from '@phatnguoi/api/seed/demo';

export interface ProducerStats {
  produced: number;
  storageRetries: number;
  enqueueRetries: number;
}

/** N red-light events on the given cameras, each with its own track (so its own idempotency key). */
export function eventList(run: string, cameraIds: string[], n: number, start: Date): ViolationEvent[] {
  return Array.from({ length: n }, (_, i) =>
    demoEvent({
      cameraId: cameraIds[i % cameraIds.length]!,
      trackId: `${run}-${i}`,
      plate: i % 5 === 4 ? null : '63A-123.45',
      occurredAt: new Date(start.getTime() + i * 1000),
    }),
  );
}

export async function evidenceJpeg(label: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90"><rect width="160" height="90" fill="#335"/><text x="8" y="50" font-size="14" fill="#fff">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 70 }).toBuffer();
}

async function retrying<T>(fn: () => Promise<T>, onRetry: () => void, signal?: AbortSignal): Promise<T> {
  let delay = 200;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (signal?.aborted) throw err;
      onRetry();
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2_000);
    }
  }
}

/** Emits every event in order, `gapMs` apart; resolves when all are stored and enqueued. */
export async function produce(
  events: ViolationEvent[],
  deps: { storage: Pick<Storage, 'put'>; queues: Pick<Queues, 'enqueue'> },
  opts: { gapMs?: number; stats?: ProducerStats; signal?: AbortSignal } = {},
): Promise<ProducerStats> {
  const stats = opts.stats ?? { produced: 0, storageRetries: 0, enqueueRetries: 0 };
  for (const base of events) {
    if (opts.signal?.aborted) break;
    const jpeg = await evidenceJpeg(base.trackId);
    const key = `${base.cameraId}/${base.idempotencyKey.replace(/[^A-Za-z0-9._@-]/g, '_')}/scene_after.jpg`;
    const put = await retrying(
      () => deps.storage.put('evidence', key, jpeg, 'image/jpeg'),
      () => stats.storageRetries++,
      opts.signal,
    );
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    if (put.sha256 !== sha256) throw new Error(`storage returned hash ${put.sha256} for ${key}, expected ${sha256}`);
    const event: ViolationEvent = {
      ...base,
      evidence: [{ kind: 'scene_after', bucket: 'evidence', key, sha256, size: put.size, contentType: 'image/jpeg', capturedAt: base.occurredAt }],
    };
    await retrying(
      () => deps.queues.enqueue('violation.created', event),
      () => stats.enqueueRetries++,
      opts.signal,
    );
    stats.produced++;
    if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
  }
  return stats;
}
