// Demo and test data: agencies, cameras, users per role, registry owners and detector-like events.
import { createHash, randomUUID } from 'node:crypto';
import type { Queryable } from '@phatnguoi/core/db';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import type { StorageLike } from '../deps';
import { hashPassword } from '../services/auth';

export async function createAgency(
  q: Queryable,
  a: { code: string; name: string; provinceCode: string; commune?: string; phone?: string; address?: string; kind?: string },
): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO agencies (code, name, province_code, commune, phone, address, kind) VALUES ($1,$2,$3,$4,$5,$6,$7)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [a.code, a.name, a.provinceCode, a.commune ?? null, a.phone ?? null, a.address ?? null, a.kind ?? 'traffic_police'],
  );
  return rows[0]!.id;
}

export async function createCamera(q: Queryable, c: { agencyId: string; name: string; address: string; lat?: number; lng?: number }): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO cameras (agency_id, name, address, lat, lng, stream_url) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
    [c.agencyId, c.name, c.address, c.lat ?? null, c.lng ?? null, 'rtsp://127.0.0.1:8554/demo'],
  );
  return rows[0]!.id;
}

/**
 * A user the demo seed needs, created once: an existing user (same username) is left as it is, so a password changed
 * since the last run is kept. `created` tells whether this call made it.
 */
export async function ensureUser(
  q: Queryable,
  u: { username: string; password: string; role: Role; agencyId: string | null; displayName?: string },
): Promise<{ id: string; created: boolean }> {
  const found = await q.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [u.username]);
  if (found.rows[0]) return { id: found.rows[0].id, created: false };
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO users (username, display_name, password_hash, role, agency_id) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (username) DO NOTHING RETURNING id`,
    [u.username, u.displayName ?? u.username, await hashPassword(u.password), u.role, u.agencyId],
  );
  if (rows[0]) return { id: rows[0].id, created: true };
  // Created by a concurrent run between the two statements.
  const again = await q.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [u.username]);
  return { id: again.rows[0]!.id, created: false };
}

export async function createUser(
  q: Queryable,
  u: { username: string; password: string; role: Role; agencyId: string | null; displayName?: string },
): Promise<string> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO users (username, display_name, password_hash, role, agency_id) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash RETURNING id`,
    [u.username, u.displayName ?? u.username, await hashPassword(u.password), u.role, u.agencyId],
  );
  return rows[0]!.id;
}

export async function createRegistryEntry(
  q: Queryable,
  v: {
    plate: string;
    plateColour?: string;
    vehicleType: string;
    ownerName: string;
    idNumber: string;
    address: string;
    provinceCode: string;
    email?: string | null;
    phone?: string | null;
  },
): Promise<string> {
  const o = await q.query<{ id: string }>(
    `INSERT INTO registry_owners (full_name, id_number, address, province_code, email, phone) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (id_number) DO UPDATE SET full_name = EXCLUDED.full_name RETURNING id`,
    [v.ownerName, v.idNumber, v.address, v.provinceCode, v.email ?? null, v.phone ?? null],
  );
  await q.query(`INSERT INTO registry_vehicles (plate, plate_colour, vehicle_type, owner_id) VALUES ($1,$2,$3,$4) ON CONFLICT (plate) DO NOTHING`, [
    v.plate,
    v.plateColour ?? 'white',
    v.vehicleType,
    o.rows[0]!.id,
  ]);
  return o.rows[0]!.id;
}

/** A detector-shaped event (the real detector emits the same contract). */
export function demoEvent(p: {
  cameraId: string;
  trackId?: string;
  plate: string | null;
  confidence?: number;
  vehicleClass?: 'car' | 'motorbike';
  occurredAt: Date;
  type?: 'red_light' | 'wrong_lane' | 'wrong_way';
  evidence?: ViolationEvent['evidence'];
}): ViolationEvent {
  const trackId = p.trackId ?? randomUUID().slice(0, 8);
  const type = p.type ?? 'red_light';
  const phaseId = `head-1@${p.occurredAt.getTime() - 2000}`;
  return {
    idempotencyKey: `${p.cameraId}:${trackId}:${type}:${phaseId}`,
    cameraId: p.cameraId,
    trackId,
    type,
    phaseId,
    occurredAt: p.occurredAt.toISOString(),
    vehicleClass: p.vehicleClass ?? 'car',
    box: [100, 200, 300, 400],
    signalState: { signalHeadId: 'head-1', round: 'red', arrows: [], since: new Date(p.occurredAt.getTime() - 2000).toISOString(), source: 'vision' },
    plate: {
      text: p.plate,
      layout: p.plate ? ((p.vehicleClass ?? 'car') === 'motorbike' ? 'two-line' : 'one-line') : null,
      colour: p.plate ? 'white' : null,
      confidence: p.confidence ?? (p.plate ? 0.93 : 0.2),
      needsManualEntry: !p.plate,
      reads: 5,
    },
    evidence: p.evidence ?? [],
    ruleDetail: {
      rule: 'redLightRule',
      summary: 'Vượt vạch dừng khi đèn đỏ 2,0 s',
      laneId: 'lane-1',
      stopLineId: 'stop-1',
      secondsAfterRed: 2,
      frameSize: [1280, 720],
      frameSeq: 1234,
    },
    detector: 'demo',
    createdAt: new Date(p.occurredAt.getTime() + 3000).toISOString(),
  };
}

/** Stores a small JPEG still as evidence and returns its evidence entry. */
export async function storeDemoEvidence(
  storage: StorageLike,
  key: string,
  jpeg: Buffer,
  capturedAt: Date,
  kind: ViolationEvent['evidence'][number]['kind'] = 'scene_after',
): Promise<ViolationEvent['evidence'][number]> {
  const put = await storage.put('evidence', key, jpeg, 'image/jpeg');
  const sha = createHash('sha256').update(jpeg).digest('hex');
  if (put.sha256 !== sha) throw new Error('storage returned a different hash');
  return { kind, bucket: 'evidence', key, sha256: sha, size: put.size, contentType: 'image/jpeg', capturedAt: capturedAt.toISOString() };
}
