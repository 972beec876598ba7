// Cameras for the back office: list, geometry (validated with the shared schema, audited) and the latest
// snapshot (frame ring on this node, then the snapshots bucket, then the latest case's scene_before still).
import { createHash } from 'node:crypto';
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import { validateGeometry, type CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import sharp from 'sharp';
import { latestFrame } from '@phatnguoi/core/camera-node/frame-ring';
import { i420ToRgb } from '@phatnguoi/core/camera-node/pixels';
import type { CameraLamps, CameraSummary, SnapshotSource } from '@phatnguoi/core/contracts/api/cameras';
import type { StoredLampState } from '@phatnguoi/core/camera-node/lamp-history';
import type { BucketName } from '@phatnguoi/core/storage';
import type { Redis } from '@phatnguoi/core/redis';
import { appendAudit } from '../audit/chain';
import { canonicalJson } from '../audit/chain';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import type { UserPrincipal } from '../domain/principal';
import { isUuid } from './cases';
import type { CameraStatusBoard } from './stats';

const NO_AGENCY = '00000000-0000-0000-0000-000000000000';
const STALE_MS = 60_000;

/**
 * Agency filter for camera access: an admin sees every camera (or its own agency's when it has one);
 * officers and supervisors see their agency's cameras only.
 */
export function cameraScope(user: UserPrincipal): string | null {
  if (user.role === 'admin') return user.agencyId;
  return user.agencyId ?? NO_AGENCY;
}

/** Cameras the caller may see; with the live board, whether detection runs on each online camera (as on the ops wall). */
export async function listCameras(q: Queryable, agencyId: string | null, now: Date, board?: CameraStatusBoard): Promise<CameraSummary[]> {
  const { rows } = await q.query<{
    id: string;
    name: string;
    address: string;
    agency_id: string;
    agency_name: string;
    enabled: boolean;
    has_geometry: boolean;
    state: string | null;
    fps: number | null;
    updated_at: Date | null;
  }>(
    `SELECT c.id, c.name, c.address, c.agency_id, a.name AS agency_name, c.enabled, c.geometry IS NOT NULL AS has_geometry, s.state, s.fps, s.updated_at
       FROM cameras c JOIN agencies a ON a.id = c.agency_id LEFT JOIN camera_status s ON s.camera_id = c.id
      WHERE ($1::uuid IS NULL OR c.agency_id = $1) ORDER BY c.name, c.id`,
    [agencyId],
  );
  return rows.map((r) => {
    const fresh = r.updated_at !== null && now.getTime() - r.updated_at.getTime() < STALE_MS;
    const online = fresh && r.state === 'online';
    const detection = board ? board.detection(r.id, { online, fps: Number(r.fps ?? 0) }, now) : { fault: null, error: null };
    return {
      id: r.id,
      name: r.name,
      address: r.address,
      agencyId: r.agency_id,
      agencyName: r.agency_name,
      enabled: r.enabled,
      hasGeometry: r.has_geometry,
      state: r.state ?? 'unknown',
      online,
      detectionFault: detection.fault,
      detectionError: detection.error,
      updatedAt: r.updated_at?.toISOString() ?? null,
    };
  });
}

export async function getCamera(q: Queryable, id: string, agencyId: string | null, now: Date, board?: CameraStatusBoard): Promise<CameraSummary> {
  if (!isUuid(id)) throw new NotFoundError('no such camera');
  const cam = (await listCameras(q, agencyId, now, board)).find((c) => c.id === id);
  if (!cam) throw new NotFoundError('no such camera');
  return cam;
}

async function cameraRow(q: Queryable, id: string, agencyId: string | null): Promise<{ geometry: CameraGeometry | null } | null> {
  if (!isUuid(id)) return null;
  const { rows } = await q.query<{ geometry: CameraGeometry | null }>('SELECT geometry FROM cameras WHERE id = $1 AND ($2::uuid IS NULL OR agency_id = $2)', [
    id,
    agencyId,
  ]);
  return rows[0] ?? null;
}

/** The stored geometry; 404 when the camera is unknown (or another agency's) or has none yet. */
export async function getGeometry(q: Queryable, id: string, agencyId: string | null): Promise<CameraGeometry> {
  const cam = await cameraRow(q, id, agencyId);
  if (!cam) throw new NotFoundError('no such camera');
  if (!cam.geometry) throw new NotFoundError('this camera has no geometry yet', 'no_geometry');
  return cam.geometry;
}

/**
 * What the detector sees of each lamp region of a camera the caller may see (the geometry editor's lamp tool):
 * per signal head, each lamp's learned unlit/lit levels and its last readings, from the detector's last saved
 * state. A camera no detector has run on answers `updatedAt: null` and no heads.
 */
export async function cameraLamps(q: Queryable, id: string, agencyId: string | null): Promise<CameraLamps> {
  if (!(await cameraRow(q, id, agencyId))) throw new NotFoundError('no such camera');
  const { rows } = await q.query<{ state: StoredLampState | null; updated_at: Date }>(
    `SELECT jsonb_build_object('lampFrames', state->'lampFrames', 'lampLevels', state->'lampLevels') AS state, updated_at
       FROM detector_progress WHERE camera_id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return { updatedAt: null, heads: [] };
  const frames = row.state?.lampFrames ?? {};
  const levels = row.state?.lampLevels ?? {};
  const at = (t: number) => new Date(Math.round(t * 1000)).toISOString();
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return {
    updatedAt: row.updated_at.toISOString(),
    heads: Object.entries(frames).map(([headId, recent]) => {
      const lampIds = [...new Set(recent.flatMap((f) => f.readings.map((r) => r.lampId)))];
      return {
        headId,
        lamps: lampIds.map((lampId) => {
          const last = recent.flatMap((f) => f.readings.filter((r) => r.lampId === lampId)).at(-1);
          const learned = levels[headId]?.[lampId];
          const level = (x: number | null | undefined) => (typeof x === 'number' ? round1(x) : null);
          return {
            lampId,
            unlitLevel: level(learned ? learned.unlit : last?.unlitLevel),
            litLevel: level(learned ? learned.lit : last?.litLevel),
            readings: recent.flatMap((f) =>
              f.readings
                .filter((r) => r.lampId === lampId)
                .map((r) => ({
                  at: at(f.t),
                  brightness: round1(r.brightness),
                  threshold: round1(r.threshold),
                  hueMatch: Math.round(r.hueMatch * 100) / 100,
                  lit: r.lit,
                  rgb: r.rgb,
                })),
            ),
          };
        }),
        states: recent.map((f) => ({ at: at(f.t), round: f.round })),
      };
    }),
  };
}

function sha256(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}

/**
 * Replaces a camera's geometry after `validateGeometry`; a refused document changes nothing and answers 400
 * with every problem as `errors: [{ path, message }]`. The change and its before/after hashes go to the audit log.
 */
export async function putGeometry(db: Db, clock: Clock, user: UserPrincipal, id: string, body: unknown, agencyId: string | null): Promise<CameraGeometry> {
  if (!(await cameraRow(db, id, agencyId))) throw new NotFoundError('no such camera');
  const v = validateGeometry(body);
  if (!v.ok) {
    const first = v.errors[0]!;
    throw new UserError(
      'invalid_geometry',
      `invalid camera geometry (${v.errors.length} problem${v.errors.length === 1 ? '' : 's'}): ${first.path}: ${first.message}`,
      400,
      { details: { errors: v.errors } },
    );
  }
  const geometry = v.geometry;
  return withTransaction(db, async (tx) => {
    const prev = await tx.query<{ geometry: CameraGeometry | null }>('SELECT geometry FROM cameras WHERE id = $1 FOR UPDATE', [id]);
    if (!prev.rows[0]) throw new NotFoundError('no such camera');
    const before = prev.rows[0].geometry;
    const now = clock.now();
    await tx.query('UPDATE cameras SET geometry = $2, updated_at = $3 WHERE id = $1', [id, JSON.stringify(geometry), now]);
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: 'camera.geometry_updated',
      entity: 'camera',
      entityId: id,
      data: { previousSha256: before ? sha256(before) : null, sha256: sha256(geometry), geometry },
    });
    return geometry;
  });
}

export interface SnapshotDeps {
  db: Queryable;
  storage: StorageLike;
  redis: Redis;
  /** The frame ring folder of this node; frames outside it are never read. Unset: the ring is not consulted. */
  frameRingDir?: string;
  /** Prefix of ingest's Redis keys (`frames:<cameraId>`). */
  keyPrefix: string;
}

async function fromFrameRing(d: SnapshotDeps, cameraId: string): Promise<Buffer | null> {
  if (!d.frameRingDir) return null;
  const frame = await latestFrame(d.redis, d.frameRingDir, cameraId, d.keyPrefix);
  return frame
    ? sharp(i420ToRgb(frame), { raw: { width: frame.width, height: frame.height, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer()
    : null;
}

async function fromSnapshotsBucket(storage: StorageLike, cameraId: string): Promise<Buffer | null> {
  let newest: { key: string; at: number } | null = null;
  for (const o of await storage.list('snapshots', `${cameraId}/`)) {
    if (!/\.jpe?g$/i.test(o.key)) continue;
    const at = o.lastModified?.getTime() ?? 0;
    if (!newest || at > newest.at || (at === newest.at && o.key > newest.key)) newest = { key: o.key, at };
  }
  return newest ? storage.get('snapshots', newest.key) : null;
}

async function fromLatestCase(d: SnapshotDeps, cameraId: string): Promise<Buffer | null> {
  const { rows } = await d.db.query<{ bucket: string; key: string }>(
    `SELECT e.bucket, e.key FROM cases c JOIN case_evidence e ON e.case_id = c.id AND e.kind = 'scene_before'
      WHERE c.camera_id = $1 ORDER BY c.occurred_at DESC, c.created_at DESC LIMIT 1`,
    [cameraId],
  );
  const r = rows[0];
  return r ? d.storage.get(r.bucket as BucketName, r.key) : null;
}

/** The latest JPEG of a camera the caller may see, with where it came from; 404 when there is none. */
export async function cameraSnapshot(d: SnapshotDeps, cameraId: string, agencyId: string | null): Promise<{ jpeg: Buffer; source: SnapshotSource }> {
  if (!(await cameraRow(d.db, cameraId, agencyId))) throw new NotFoundError('no such camera');
  const ring = await fromFrameRing(d, cameraId);
  if (ring) return { jpeg: ring, source: 'frame_ring' };
  const stored = await fromSnapshotsBucket(d.storage, cameraId);
  if (stored) return { jpeg: stored, source: 'snapshots' };
  const still = await fromLatestCase(d, cameraId);
  if (still) return { jpeg: still, source: 'case_still' };
  throw new NotFoundError('no snapshot of this camera yet', 'no_snapshot');
}
