// Camera stream passwords at rest: sealed with AES-256-GCM under CAMERA_SECRET_KEY (32 bytes, kept out of PostgreSQL,
// like AUDIT_HMAC_KEY), bound to their camera (the id is the additional authenticated data, so a sealed password
// copied to another camera does not open). Only the api (which writes them and tests streams) and ingest (which
// hands them to ffmpeg) hold the key. Production must set it; the demo and development keep a generated one in
// DATA_DIR/camera-secret.key, so a restart still opens what was sealed before.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config, EnvReader } from './config';
import type { Queryable } from './db';
import { InternalError } from './errors';
import { splitStreamUrl, type StreamCredentials } from './ffmpeg/stream-url';

/** The AES-256 key; a Buffer of 32 bytes. */
export type CameraSecretKey = Buffer;

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const CAMERA_SECRET_KEY_FILE = 'camera-secret.key';

/** 32 bytes written as 64 hex characters or as base64; null when it is neither. */
export function parseCameraSecretKey(text: string): CameraSecretKey | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) {
    const b = Buffer.from(t, 'base64');
    if (b.length === 32) return b;
  }
  return null;
}

/** The key of DATA_DIR (created with 32 random bytes, owner-only, the first time; a second process racing reads it). */
export function dataDirCameraSecretKey(dataDir: string): CameraSecretKey {
  const path = join(dataDir, CAMERA_SECRET_KEY_FILE);
  mkdirSync(dirname(path), { recursive: true });
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = parseCameraSecretKey(readFileSync(path, 'utf8'));
  if (!key) throw new InternalError('bad_camera_secret_key_file', `${path} does not hold a 32-byte key (64 hex characters); remove it to have a new one made`);
  return key;
}

/**
 * CAMERA_SECRET_KEY (or CAMERA_SECRET_KEY_FILE): required when NODE_ENV=production; elsewhere the key kept in DATA_DIR.
 * A problem is recorded in `r` (reported with every other one by `r.done()`); the returned key is then a throwaway.
 */
export function readCameraSecretKey(r: EnvReader, config: Pick<Config, 'env' | 'dataDir'>): CameraSecretKey {
  const raw =
    config.env === 'production'
      ? r.required('CAMERA_SECRET_KEY', { secret: true, why: 'camera stream passwords are encrypted with it; 32 random bytes as 64 hex characters' })
      : r.secret('CAMERA_SECRET_KEY');
  if (raw === undefined || raw === '') return config.env === 'production' ? randomBytes(32) : dataDirCameraSecretKey(config.dataDir);
  const key = parseCameraSecretKey(raw);
  if (!key) {
    r.problem('CAMERA_SECRET_KEY', 'must be 32 bytes written as 64 hex characters (e.g. `openssl rand -hex 32`) or as base64');
    return randomBytes(32);
  }
  return key;
}

function aad(cameraId: string): Buffer {
  return Buffer.from(`camera:${cameraId}`, 'utf8');
}

/** version (1 byte) | iv (12) | tag (16) | ciphertext. */
export function sealCameraPassword(key: CameraSecretKey, cameraId: string, password: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(cameraId));
  const body = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** The password sealed for this camera; throws when the key is not the one it was sealed with (or the bytes changed). */
export function openCameraPassword(key: CameraSecretKey, cameraId: string, sealed: Buffer): string {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
    throw new InternalError('camera_secret_unreadable', `the stored password of camera ${cameraId} is not in a known sealed format`);
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(cameraId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new InternalError(
      'camera_secret_unreadable',
      `the stored password of camera ${cameraId} does not open with CAMERA_SECRET_KEY (was it sealed under another key?)`,
      { cause: err },
    );
  }
}

/** A camera row's stream columns (migration 0010 and 0420). */
export interface StoredStreamColumns {
  id: string;
  stream_url: string;
  stream_username: string | null;
  /** Left from before 0420: a password not yet sealed (sealStoredCameraPasswords moves it). */
  stream_password: string | null;
  stream_password_sealed: Buffer | null;
}

/** The credentials of a stored camera: its own columns (sealed, or a legacy plain password), else those inside its URL. */
export function storedCredentials(key: CameraSecretKey, r: StoredStreamColumns): StreamCredentials | null {
  if (r.stream_username !== null) {
    const password = r.stream_password_sealed ? openCameraPassword(key, r.id, r.stream_password_sealed) : (r.stream_password ?? '');
    return { username: r.stream_username, password };
  }
  return splitStreamUrl(r.stream_url)?.credentials ?? null;
}

/**
 * Seals what is stored in the clear: passwords of migration 0010's column, and credentials still inside a stream URL
 * (moved to their own columns, the URL kept without them). First checks that a password sealed before opens with
 * `key`, so a wrong CAMERA_SECRET_KEY stops the start-up (sealing nothing) instead of every camera failing later.
 * Returns how many rows it sealed.
 */
export async function sealStoredCameraPasswords(db: Queryable, key: CameraSecretKey): Promise<number> {
  const probe = await db.query<{ id: string; stream_password_sealed: Buffer }>(
    'SELECT id, stream_password_sealed FROM cameras WHERE stream_password_sealed IS NOT NULL ORDER BY updated_at DESC LIMIT 1',
  );
  if (probe.rows[0]) openCameraPassword(key, probe.rows[0].id, probe.rows[0].stream_password_sealed);
  const { rows } = await db.query<StoredStreamColumns>(
    `SELECT id, stream_url, stream_username, stream_password, stream_password_sealed FROM cameras
      WHERE stream_password IS NOT NULL OR (stream_username IS NULL AND stream_url ~ '^[a-z]+://[^/@]*@')`,
  );
  let sealed = 0;
  for (const r of rows) {
    const split = r.stream_username === null ? splitStreamUrl(r.stream_url) : null;
    const credentials = r.stream_username !== null ? { username: r.stream_username, password: r.stream_password ?? '' } : split?.credentials;
    if (!credentials) continue;
    await db.query(
      `UPDATE cameras SET stream_url = $2, stream_username = $3, stream_password = NULL, stream_password_sealed = $4 WHERE id = $1 AND stream_url = $5`,
      [r.id, split?.url ?? r.stream_url, credentials.username, sealCameraPassword(key, r.id, credentials.password), r.stream_url],
    );
    sealed += 1;
  }
  return sealed;
}
