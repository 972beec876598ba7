// Camera leases in PostgreSQL. Each process renews what it holds every TTL/3 and takes cameras
// whose lease lapsed (a crashed process's cameras move within one TTL), aiming for an even share:
// ceil(enabled cameras / live holders). Every statement is a single atomic query.
import { storedCredentials, type CameraSecretKey, type StoredStreamColumns } from '../camera-secrets';
import type { Queryable } from '../db';
import { streamUrlWithCredentials } from '../ffmpeg/stream-url';

export interface LeaseIdentity {
  role: string;
  holder: string;
  node: string;
}

export interface LeasedCamera {
  id: string;
  name: string;
  streamUrl: string;
  sampleFps: number;
}

const TAKE_SQL = `
INSERT INTO camera_leases (camera_id, role, holder, node, expires_at, taken_at)
VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond', now())
ON CONFLICT (camera_id, role) DO UPDATE
  SET holder = EXCLUDED.holder, node = EXCLUDED.node, expires_at = EXCLUDED.expires_at, taken_at = now()
  WHERE camera_leases.expires_at < now() OR camera_leases.holder = EXCLUDED.holder
RETURNING camera_id`;

/** Takes one camera if it is free, lapsed or already ours. True when we hold it afterwards. */
export async function takeLease(db: Queryable, who: LeaseIdentity, cameraId: string, ttlMs: number): Promise<boolean> {
  const { rowCount } = await db.query(TAKE_SQL, [cameraId, who.role, who.holder, who.node, ttlMs]);
  return (rowCount ?? 0) > 0;
}

/** Extends our leases; returns the ids still held (a lease another process took over is gone). */
export async function renewLeases(db: Queryable, who: LeaseIdentity, cameraIds: string[], ttlMs: number): Promise<Set<string>> {
  if (cameraIds.length === 0) return new Set();
  const { rows } = await db.query<{ camera_id: string }>(
    `UPDATE camera_leases SET expires_at = now() + $4 * interval '1 millisecond'
      WHERE role = $1 AND holder = $2 AND camera_id = ANY($3::uuid[])
      RETURNING camera_id`,
    [who.role, who.holder, cameraIds, ttlMs],
  );
  return new Set(rows.map((r) => r.camera_id));
}

export async function releaseLeases(db: Queryable, who: LeaseIdentity, cameraIds: string[]): Promise<void> {
  if (cameraIds.length === 0) return;
  await db.query(`DELETE FROM camera_leases WHERE role = $1 AND holder = $2 AND camera_id = ANY($3::uuid[])`, [who.role, who.holder, cameraIds]);
}

/** Announces this holder as live for one TTL (and forgets holders dead for a long while). */
export async function heartbeat(db: Queryable, who: LeaseIdentity, ttlMs: number): Promise<void> {
  await db.query(
    `INSERT INTO lease_holders (role, holder, node, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
     ON CONFLICT (role, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at, node = EXCLUDED.node`,
    [who.role, who.holder, who.node, ttlMs],
  );
  await db.query(`DELETE FROM lease_holders WHERE role = $1 AND expires_at < now() - interval '1 hour'`, [who.role]);
}

export async function retireHolder(db: Queryable, who: LeaseIdentity): Promise<void> {
  await db.query(`DELETE FROM lease_holders WHERE role = $1 AND holder = $2`, [who.role, who.holder]);
}

export interface LeasePlan {
  /** How many cameras this holder should work: ceil(enabled / live holders). */
  target: number;
  /** Enabled cameras nobody holds (or whose lease lapsed), oldest lease first. */
  free: string[];
  enabled: number;
  liveHolders: number;
}

/** Counts enabled cameras and live holders of the role (heartbeats and leases), and lists takeable cameras. */
export async function planLeases(db: Queryable, who: LeaseIdentity, maxCameras = Infinity): Promise<LeasePlan> {
  const { rows } = await db.query<{ enabled: string; holders: string }>(
    `SELECT (SELECT count(*) FROM cameras WHERE enabled) AS enabled,
            (SELECT count(*) FROM (
               SELECT holder FROM lease_holders WHERE role = $1 AND expires_at >= now() AND holder <> $2
               UNION
               SELECT holder FROM camera_leases WHERE role = $1 AND expires_at >= now() AND holder <> $2) h) AS holders`,
    [who.role, who.holder],
  );
  const enabled = Number(rows[0]?.enabled ?? 0);
  const liveHolders = Number(rows[0]?.holders ?? 0) + 1;
  const free = await db.query<{ id: string }>(
    `SELECT c.id FROM cameras c
       LEFT JOIN camera_leases l ON l.camera_id = c.id AND l.role = $1
      WHERE c.enabled AND (l.camera_id IS NULL OR l.expires_at < now())
      ORDER BY l.expires_at NULLS FIRST, c.id`,
    [who.role],
  );
  return { target: Math.min(maxCameras, Math.ceil(enabled / liveHolders)), free: free.rows.map((r) => r.id), enabled, liveHolders };
}

/**
 * The even share on one node, for a role that can only run a camera where another role's lease for it is
 * (the detector reads the frame ring that ingest writes on its node): ceil(those cameras / live holders of
 * this role on this node). `free` lists those cameras with no live lease of this role.
 */
export async function planNodeLeases(db: Queryable, who: LeaseIdentity, sourceRole: string, maxCameras = Infinity): Promise<LeasePlan> {
  const { rows } = await db.query<{ local: string; holders: string }>(
    `SELECT (SELECT count(*) FROM camera_leases s JOIN cameras c ON c.id = s.camera_id AND c.enabled
              WHERE s.role = $4 AND s.node = $3 AND s.expires_at >= now()) AS local,
            (SELECT count(*) FROM (
               SELECT holder FROM lease_holders WHERE role = $1 AND node = $3 AND expires_at >= now() AND holder <> $2
               UNION
               SELECT holder FROM camera_leases WHERE role = $1 AND node = $3 AND expires_at >= now() AND holder <> $2) h) AS holders`,
    [who.role, who.holder, who.node, sourceRole],
  );
  const local = Number(rows[0]?.local ?? 0);
  const liveHolders = Number(rows[0]?.holders ?? 0) + 1;
  const free = await db.query<{ id: string }>(
    `SELECT s.camera_id AS id FROM camera_leases s
       JOIN cameras c ON c.id = s.camera_id AND c.enabled
       LEFT JOIN camera_leases l ON l.camera_id = s.camera_id AND l.role = $1
      WHERE s.role = $3 AND s.node = $2 AND s.expires_at >= now() AND (l.camera_id IS NULL OR l.expires_at < now())
      ORDER BY l.expires_at NULLS FIRST, s.camera_id`,
    [who.role, who.node, sourceRole],
  );
  return { target: Math.min(maxCameras, Math.ceil(local / liveHolders)), free: free.rows.map((r) => r.id), enabled: local, liveHolders };
}

/** Stream settings of the given cameras (only enabled ones are returned). */
export async function loadCameras(db: Queryable, cameraIds: string[], secretKey: CameraSecretKey): Promise<LeasedCamera[]> {
  if (cameraIds.length === 0) return [];
  const { rows } = await db.query<StoredStreamColumns & { name: string; sample_fps: number }>(
    `SELECT id, name, stream_url, stream_username, stream_password, stream_password_sealed, sample_fps FROM cameras WHERE enabled AND id = ANY($1::uuid[]) ORDER BY id`,
    [cameraIds],
  );
  // Credentials are stored apart from the URL (the back office never shows them), the password sealed, and joined
  // only here, for ffmpeg.
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    sampleFps: Number(r.sample_fps),
    streamUrl: streamUrlWithCredentials(r.stream_url, storedCredentials(secretKey, r)),
  }));
}
