// Cameras in the administrator console: add, change, enable/disable, and test a stream before saving.
// Stream credentials are stored apart from the URL (cameras.stream_username, the password sealed with
// CAMERA_SECRET_KEY in stream_password_sealed: core/src/camera-secrets.ts), used by ingest and the stream test only,
// and never returned, logged or written to the audit log (only that they changed).
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { AdminCamera, StreamTestRequest, StreamTestResult } from '@phatnguoi/core/contracts/api/admin';
import type { FieldError } from '@phatnguoi/core/contracts/values';
import { splitStreamUrl, streamUrlWithCredentials, STREAM_SCHEMES, type StreamCredentials } from '@phatnguoi/core/ffmpeg/stream-url';
import { grabStreamJpeg } from '@phatnguoi/core/ffmpeg/snapshot';
import { sealCameraPassword, storedCredentials, type CameraSecretKey, type StoredStreamColumns } from '@phatnguoi/core/camera-secrets';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { isUuid } from './cases';
import { cameraScope, listCameras } from './cameras';

/** Largest sample rate the console accepts (ingest decodes every camera on a shared node). */
export const MAX_SAMPLE_FPS = 30;

/** A camera's settings after checking, credentials split from the URL. `undefined`: not given (kept on update). */
export interface CameraSettings {
  name?: string;
  address?: string;
  agencyId?: string;
  streamUrl?: string;
  credentials?: StreamCredentials | null;
  sampleFps?: number;
  lat?: number | null;
  lng?: number | null;
  enabled?: boolean;
}

/** What a field must hold, as its field error says it. */
const STREAM_URL_RULE = 'an rtsp:// or rtsps:// address with a host is required';
const CREDENTIALS_RULE = 'a user name (up to 200 characters) and a password (up to 200) are required';

const FIELDS = ['name', 'address', 'agencyId', 'streamUrl', 'credentials', 'sampleFps', 'lat', 'lng', 'enabled'] as const;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A stream URL the console accepts: rtsp(s) with a host; its credentials split off. */
export function checkStreamUrl(v: unknown): { url: string; credentials: StreamCredentials | null } | null {
  if (typeof v !== 'string' || v.length > 2000) return null;
  const split = splitStreamUrl(v);
  if (!split || !(STREAM_SCHEMES as readonly string[]).includes(new URL(split.url).protocol)) return null;
  return split;
}

function checkCredentials(v: unknown): StreamCredentials | null | 'bad' {
  if (v === null) return null;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'bad';
  const { username, password, ...rest } = v as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof username !== 'string' || typeof password !== 'string') return 'bad';
  if (username.trim() === '' || username.length > 200 || password.length > 200) return 'bad';
  return { username: username.trim(), password };
}

/**
 * Checks a camera document field by field (pure): every problem named by its field, nothing changed when any.
 * `create` requires name, agency and stream URL. Credentials typed into the URL move to `credentials`.
 */
export function checkCameraInput(body: unknown, mode: 'create' | 'update'): { ok: true; value: CameraSettings } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => errors.push({ path, message });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, errors: [{ path: '$', message: 'expected an object' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!(FIELDS as readonly string[]).includes(k)) fail(k, 'unknown field');
  const out: CameraSettings = {};
  if (b.name !== undefined || mode === 'create') {
    const name = typeof b.name === 'string' ? b.name.trim() : '';
    if (name.length < 1 || name.length > 200) fail('name', 'a name of 1 to 200 characters is required');
    else out.name = name;
  }
  if (b.address !== undefined) {
    if (typeof b.address !== 'string' || b.address.length > 500) fail('address', 'at most 500 characters');
    else out.address = b.address.trim();
  }
  if (b.agencyId !== undefined || mode === 'create') {
    if (typeof b.agencyId !== 'string' || !isUuid(b.agencyId)) fail('agencyId', 'choose an agency');
    else out.agencyId = b.agencyId;
  }
  if (b.streamUrl !== undefined || mode === 'create') {
    const s = checkStreamUrl(b.streamUrl);
    if (!s) fail('streamUrl', STREAM_URL_RULE);
    else {
      out.streamUrl = s.url;
      if (s.credentials) out.credentials = s.credentials;
    }
  }
  if (b.credentials !== undefined) {
    const c = checkCredentials(b.credentials);
    if (c === 'bad') fail('credentials', CREDENTIALS_RULE);
    else out.credentials = c;
  }
  if (b.sampleFps !== undefined || mode === 'create') {
    if (!isNumber(b.sampleFps) || b.sampleFps <= 0 || b.sampleFps > MAX_SAMPLE_FPS)
      fail('sampleFps', `more than 0 and at most ${MAX_SAMPLE_FPS} frames per second`);
    else out.sampleFps = b.sampleFps;
  }
  for (const [key, limit] of [
    ['lat', 90],
    ['lng', 180],
  ] as const) {
    const v = b[key];
    if (v === undefined) continue;
    if (v !== null && (!isNumber(v) || Math.abs(v) > limit)) fail(key, `a number from -${limit} to ${limit}`);
    else out[key] = v;
  }
  const latGiven = b.lat !== undefined;
  if (latGiven !== (b.lng !== undefined)) fail(latGiven ? 'lng' : 'lat', 'give both coordinates or neither');
  else if (out.lat !== undefined && out.lng !== undefined && (out.lat === null) !== (out.lng === null))
    fail(out.lat === null ? 'lat' : 'lng', 'give both coordinates or neither');
  if (b.enabled !== undefined) {
    if (typeof b.enabled !== 'boolean') fail('enabled', 'true or false');
    else out.enabled = b.enabled;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

function refuse(errors: FieldError[]): never {
  throw new UserError(
    'invalid_camera',
    `invalid camera (${errors.length} problem${errors.length === 1 ? '' : 's'}): ${errors[0]!.path}: ${errors[0]!.message}`,
    400,
    { details: { errors } },
  );
}

interface CameraRow {
  id: string;
  name: string;
  address: string;
  agency_id: string;
  enabled: boolean;
  sample_fps: number;
  lat: number | null;
  lng: number | null;
  stream_url: string;
  stream_username: string | null;
  stream_password: string | null;
  stream_password_sealed: Buffer | null;
  updated_at: Date;
}

/** The cameras the administrator may see, with their stream settings (no credentials) and ingest state. */
export async function listAdminCameras(q: Queryable, user: UserPrincipal, now: Date): Promise<AdminCamera[]> {
  const scope = cameraScope(user);
  const live = new Map((await listCameras(q, scope, now)).map((c) => [c.id, c]));
  const { rows } = await q.query<CameraRow>(
    `SELECT id, name, address, agency_id, enabled, sample_fps, lat, lng, stream_url, stream_username, updated_at
       FROM cameras WHERE ($1::uuid IS NULL OR agency_id = $1) ORDER BY name, id`,
    [scope],
  );
  return rows.map((r) => {
    const c = live.get(r.id);
    const split = splitStreamUrl(r.stream_url);
    return {
      id: r.id,
      name: r.name,
      address: r.address,
      agencyId: r.agency_id,
      agencyName: c?.agencyName ?? '',
      enabled: r.enabled,
      sampleFps: Number(r.sample_fps),
      lat: r.lat,
      lng: r.lng,
      // a URL stored before credentials had their own columns may still carry them: never shown
      streamUrl: split?.url ?? '',
      hasCredentials: r.stream_username !== null || !!split?.credentials,
      hasGeometry: c?.hasGeometry ?? false,
      state: c?.state ?? 'unknown',
      online: c?.online ?? false,
      updatedAt: r.updated_at.toISOString(),
    };
  });
}

export async function getAdminCamera(q: Queryable, user: UserPrincipal, id: string, now: Date): Promise<AdminCamera> {
  const cam = isUuid(id) ? (await listAdminCameras(q, user, now)).find((c) => c.id === id) : undefined;
  if (!cam) throw new NotFoundError('no such camera');
  return cam;
}

async function checkAgency(q: Queryable, user: UserPrincipal, agencyId: string): Promise<void> {
  const scope = cameraScope(user);
  const { rows } = await q.query('SELECT 1 FROM agencies WHERE id = $1 AND ($2::uuid IS NULL OR id = $2)', [agencyId, scope]);
  if (!rows[0]) refuse([{ path: 'agencyId', message: 'no such agency' }]);
}

/** What the audit log keeps of a change: the settings, and only whether the credentials changed. */
function auditView(s: CameraSettings): Record<string, unknown> {
  const { credentials, ...rest } = s;
  return { ...rest, ...(credentials === undefined ? {} : { credentials: credentials === null ? 'removed' : 'set' }) };
}

export async function createAdminCamera(db: Db, clock: Clock, user: UserPrincipal, body: unknown, secretKey: CameraSecretKey): Promise<AdminCamera> {
  const v = checkCameraInput(body, 'create');
  if (!v.ok) refuse(v.errors);
  const s = v.value;
  await checkAgency(db, user, s.agencyId!);
  // the id is chosen here: the sealed password is bound to it
  const newId = randomUUID();
  const id = await withTransaction(db, async (tx) => {
    const now = clock.now();
    const r = await tx.query<{ id: string }>(
      `INSERT INTO cameras (id, agency_id, name, address, lat, lng, stream_url, stream_username, stream_password_sealed, sample_fps, enabled, created_at, updated_at)
       VALUES ($12,$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11) RETURNING id`,
      [
        s.agencyId,
        s.name,
        s.address ?? '',
        s.lat ?? null,
        s.lng ?? null,
        s.streamUrl,
        s.credentials?.username ?? null,
        s.credentials ? sealCameraPassword(secretKey, newId, s.credentials.password) : null,
        s.sampleFps,
        s.enabled ?? true,
        now,
        newId,
      ],
    );
    const cameraId = r.rows[0]!.id;
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: 'camera.created',
      entity: 'camera',
      entityId: cameraId,
      data: auditView({ credentials: null, ...s }),
    });
    return cameraId;
  });
  return getAdminCamera(db, user, id, clock.now());
}

const COLUMN: Record<Exclude<keyof CameraSettings, 'credentials'>, string> = {
  name: 'name',
  address: 'address',
  agencyId: 'agency_id',
  streamUrl: 'stream_url',
  sampleFps: 'sample_fps',
  lat: 'lat',
  lng: 'lng',
  enabled: 'enabled',
};

/** Changes the fields given; the audit entry lists each changed field before and after (credentials: only that they changed). */
export async function updateAdminCamera(
  db: Db,
  clock: Clock,
  user: UserPrincipal,
  id: string,
  body: unknown,
  secretKey: CameraSecretKey,
): Promise<AdminCamera> {
  if (!isUuid(id)) throw new NotFoundError('no such camera');
  const v = checkCameraInput(body, 'update');
  if (!v.ok) refuse(v.errors);
  const s = v.value;
  if (s.agencyId) await checkAgency(db, user, s.agencyId);
  await withTransaction(db, async (tx) => {
    const scope = cameraScope(user);
    const prev = (await tx.query<CameraRow>('SELECT * FROM cameras WHERE id = $1 AND ($2::uuid IS NULL OR agency_id = $2) FOR UPDATE', [id, scope])).rows[0];
    if (!prev) throw new NotFoundError('no such camera');
    const sets: string[] = [];
    const values: unknown[] = [id];
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [key, column] of Object.entries(COLUMN) as [Exclude<keyof CameraSettings, 'credentials'>, string][]) {
      const to = s[key];
      if (to === undefined) continue;
      const from = key === 'sampleFps' ? Number(prev.sample_fps) : (prev as unknown as Record<string, unknown>)[column];
      if (from === to) continue;
      changes[key] = { from: key === 'streamUrl' ? (splitStreamUrl(String(from))?.url ?? '') : from, to };
      values.push(to);
      sets.push(`${column} = $${values.length}`);
    }
    // the password is sealed; a clear one left from before migration 0420 is cleared with it
    const sealed = (c: StreamCredentials | null) => (c ? sealCameraPassword(secretKey, id, c.password) : null);
    if (s.credentials !== undefined) {
      values.push(s.credentials?.username ?? null, sealed(s.credentials));
      sets.push(`stream_username = $${values.length - 1}`, `stream_password_sealed = $${values.length}`, 'stream_password = NULL');
      changes.credentials = { from: prev.stream_username !== null ? 'set' : 'none', to: s.credentials ? 'set' : 'none' };
    } else if (s.streamUrl !== undefined && prev.stream_username === null) {
      // a URL that carried its credentials keeps them, now in their own columns
      const old = splitStreamUrl(prev.stream_url)?.credentials;
      if (old) {
        values.push(old.username, sealed(old));
        sets.push(`stream_username = $${values.length - 1}`, `stream_password_sealed = $${values.length}`, 'stream_password = NULL');
      }
    }
    if (sets.length === 0) return;
    const now = clock.now();
    values.push(now);
    await tx.query(`UPDATE cameras SET ${sets.join(', ')}, updated_at = $${values.length} WHERE id = $1`, values);
    await appendAudit(tx, { at: now, actorId: user.id, actor: user.username, action: 'camera.updated', entity: 'camera', entityId: id, data: { changes } });
  });
  return getAdminCamera(db, user, id, clock.now());
}

/** Stream tests running in this process; each is an ffmpeg decoding a camera, so few at a time. */
let running = 0;
const MAX_RUNNING = 2;

/**
 * Opens the stream with ffmpeg as ingest would and returns its first picture, or why not (ingest's error codes,
 * credentials redacted). Nothing is stored. For a saved camera, its stored credentials serve when none are typed.
 */
export async function testStream(
  q: Queryable,
  user: UserPrincipal,
  req: StreamTestRequest,
  secretKey: CameraSecretKey,
  opts: { timeoutMs?: number } = {},
): Promise<StreamTestResult> {
  const s = checkStreamUrl(req.streamUrl);
  if (!s) refuse([{ path: 'streamUrl', message: STREAM_URL_RULE }]);
  let credentials: StreamCredentials | null = s.credentials;
  if (req.credentials !== undefined) {
    const c = checkCredentials(req.credentials);
    if (c === 'bad') refuse([{ path: 'credentials', message: CREDENTIALS_RULE }]);
    credentials = c;
  } else if (req.cameraId && !credentials) {
    const { rows } = await q.query<StoredStreamColumns>(
      'SELECT id, stream_url, stream_username, stream_password, stream_password_sealed FROM cameras WHERE id = $1 AND ($2::uuid IS NULL OR agency_id = $2)',
      [req.cameraId, cameraScope(user)],
    );
    const r = rows[0];
    if (!r) throw new NotFoundError('no such camera');
    credentials = storedCredentials(secretKey, r);
  }
  if (running >= MAX_RUNNING) throw new ConflictError('other stream tests are running: try again in a few seconds', 'stream_test_busy');
  running += 1;
  try {
    const shot = await grabStreamJpeg(streamUrlWithCredentials(s.url, credentials), { timeoutMs: opts.timeoutMs ?? 12_000 });
    if (!shot.ok) return { ok: false, image: null, width: null, height: null, code: shot.diagnosis.code, message: shot.diagnosis.message };
    const meta = await sharp(shot.jpeg).metadata();
    return {
      ok: true,
      image: `data:image/jpeg;base64,${shot.jpeg.toString('base64')}`,
      width: meta.width ?? null,
      height: meta.height ?? null,
      code: null,
      message: null,
    };
  } finally {
    running -= 1;
  }
}
