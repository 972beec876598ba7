// Camera stream passwords at rest (core/src/camera-secrets.ts): AES-256-GCM bound to the camera, the key from
// CAMERA_SECRET_KEY(_FILE) (required in production) or kept in DATA_DIR. Pure: temporary folders only.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { envReader, type Env } from '../src/config';
import { CAMERA_SECRET_KEY_FILE, openCameraPassword, parseCameraSecretKey, readCameraSecretKey, sealCameraPassword } from '../src/camera-secrets';

const dir = mkdtempSync(join(tmpdir(), 'pn-camera-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyOf(env: Env, config: { env: 'production' | 'development'; dataDir: string }): Buffer {
  const r = envReader(env);
  const key = readCameraSecretKey(r, config);
  r.done();
  return key;
}

describe('camera password sealing', () => {
  const key = randomBytes(32);
  const cam = '6f1c2f5e-2d0a-4a53-9c39-1f7a1b6f0a11';

  it('seals so the bytes hold no trace of the password, and opens only for the same camera, key and bytes', () => {
    const sealed = sealCameraPassword(key, cam, 'mật-khẩu camera');
    expect(sealed.includes(Buffer.from('khẩu'))).toBe(false);
    expect(sealCameraPassword(key, cam, 'mật-khẩu camera').equals(sealed)).toBe(false); // a fresh IV each time
    expect(openCameraPassword(key, cam, sealed)).toBe('mật-khẩu camera');
    expect(() => openCameraPassword(key, '00000000-0000-4000-8000-000000000000', sealed)).toThrow(/CAMERA_SECRET_KEY/);
    expect(() => openCameraPassword(randomBytes(32), cam, sealed)).toThrow(/CAMERA_SECRET_KEY/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => openCameraPassword(key, cam, tampered)).toThrow(/CAMERA_SECRET_KEY/);
    expect(() => openCameraPassword(key, cam, Buffer.from('mat-khau'))).toThrow(/sealed format/);
  });

  it('reads the key as 64 hex characters or base64 of 32 bytes, nothing else', () => {
    expect(parseCameraSecretKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseCameraSecretKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseCameraSecretKey('short')).toBeNull();
    expect(parseCameraSecretKey(randomBytes(16).toString('hex'))).toBeNull();
  });
});

describe('CAMERA_SECRET_KEY', () => {
  it('is required in production (the error names the variable and its _FILE form), and must be 32 bytes', () => {
    expect(() => keyOf({}, { env: 'production', dataDir: dir })).toThrow(/CAMERA_SECRET_KEY[^\n]*required[^\n]*CAMERA_SECRET_KEY_FILE/);
    expect(() => keyOf({ CAMERA_SECRET_KEY: 'abc' }, { env: 'production', dataDir: dir })).toThrow(/CAMERA_SECRET_KEY: must be 32 bytes/);
    const file = join(dir, 'secret');
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('hex')}\n`);
    expect(keyOf({ CAMERA_SECRET_KEY_FILE: file }, { env: 'production', dataDir: dir }).equals(key)).toBe(true);
  });

  it('is made once and kept in DATA_DIR (owner-only) when not set outside production', () => {
    const dataDir = join(dir, 'data');
    const first = keyOf({}, { env: 'development', dataDir });
    const path = join(dataDir, CAMERA_SECRET_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.toString('hex'));
    expect(keyOf({}, { env: 'development', dataDir }).equals(first)).toBe(true);
    const set = randomBytes(32);
    expect(keyOf({ CAMERA_SECRET_KEY: set.toString('hex') }, { env: 'development', dataDir }).equals(set)).toBe(true);
  });
});
