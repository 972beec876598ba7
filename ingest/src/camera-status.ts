// Camera status goes two ways: every update is published on Redis channel `camera-status` (live
// dashboard), and state changes plus a periodic heartbeat are stored in `camera_status`.
import type { Redis } from 'ioredis';
import type { Queryable } from '@phatnguoi/core/db';
import type { Logger } from '@phatnguoi/core/logger';
import { cameraStatusChannel, type CameraStatus } from '@phatnguoi/core/camera-node/channels';

export interface StatusPublisherOptions {
  db: Queryable;
  redis: Redis;
  log: Logger;
  /** Prefix for the channel name (tests use a unique one); production leaves it empty. */
  channelPrefix?: string;
  /** Store in the table at least this often while the state does not change. */
  storeEveryMs?: number;
}

export interface StatusPublisher {
  publish(status: CameraStatus): Promise<void>;
}

export function createStatusPublisher(opts: StatusPublisherOptions): StatusPublisher {
  const storeEveryMs = opts.storeEveryMs ?? 10_000;
  const lastStored = new Map<string, { state: string; error: string | null; at: number }>();
  const channel = cameraStatusChannel(opts.channelPrefix);
  return {
    async publish(status) {
      try {
        await opts.redis.publish(channel, JSON.stringify(status));
      } catch (err) {
        opts.log.warn({ err, cameraId: status.cameraId }, 'camera status not published');
      }
      const prev = lastStored.get(status.cameraId);
      const now = Date.now();
      if (prev && prev.state === status.state && prev.error === status.lastError && now - prev.at < storeEveryMs) return;
      try {
        await storeStatus(opts.db, status);
        lastStored.set(status.cameraId, { state: status.state, error: status.lastError, at: now });
      } catch (err) {
        opts.log.warn({ err, cameraId: status.cameraId }, 'camera status not stored');
      }
    },
  };
}

export async function storeStatus(db: Queryable, s: CameraStatus): Promise<void> {
  await db.query(
    `INSERT INTO camera_status (camera_id, state, last_error, last_error_code, fps, frames_total, frames_dropped, restarts, last_frame_at, holder, node, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (camera_id) DO UPDATE SET
       state = EXCLUDED.state, last_error = EXCLUDED.last_error, last_error_code = EXCLUDED.last_error_code,
       fps = EXCLUDED.fps, frames_total = EXCLUDED.frames_total, frames_dropped = EXCLUDED.frames_dropped,
       restarts = EXCLUDED.restarts, last_frame_at = EXCLUDED.last_frame_at, holder = EXCLUDED.holder,
       node = EXCLUDED.node, updated_at = EXCLUDED.updated_at`,
    [s.cameraId, s.state, s.lastError, s.lastErrorCode, s.fps, s.framesTotal, s.framesDropped, s.restarts, s.lastFrameAt, s.holder, s.node, s.updatedAt],
  );
}

/** Reads one camera's stored status (dashboards read the table; tests use it too). */
export async function readStoredStatus(
  db: Queryable,
  cameraId: string,
): Promise<{ state: string; lastError: string | null; lastErrorCode: string | null } | null> {
  const { rows } = await db.query<{ state: string; last_error: string | null; last_error_code: string | null }>(
    `SELECT state, last_error, last_error_code FROM camera_status WHERE camera_id = $1`,
    [cameraId],
  );
  const r = rows[0];
  return r ? { state: r.state, lastError: r.last_error, lastErrorCode: r.last_error_code } : null;
}
