// The api's settings reader (api/src/settings.ts): every variable through core's envReader, every problem in one
// ConfigError, and start-up stopped by it before any connection is opened.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from '@phatnguoi/core/config';
import { DEFAULT_NOTICE_FONTS } from '../src/notices/fonts';
import { loadApiSettings } from '../src/settings';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function settings(env: Env) {
  return loadApiSettings(loadConfig(env), env);
}

function problems(env: Env): string[] {
  try {
    settings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a ConfigError');
}

describe('api settings', () => {
  it('development defaults: proof of work 16 bits, one process with workers, the node prefix empty, the demo outbox on', () => {
    const s = settings({});
    expect(s).toMatchObject({ host: '0.0.0.0', port: 8080, processes: 1, workers: true, outbox: { smtpUrl: null, smsGateway: null, catcher: true } });
    expect(s.options).toMatchObject({
      powDifficulty: 16,
      lookupRatePerMinute: 30,
      channelPrefix: '',
      logLevel: 'info',
      noticeFonts: DEFAULT_NOTICE_FONTS,
      showCaughtOutbox: true,
      publicBaseUrl: 'http://localhost:8080',
    });
    expect(s.options.signingSecret).toBeUndefined();
  });

  it('reads what is set: port and log level from core, the node prefix shared with ingest, workers off, the gateways', () => {
    const s = settings({
      API_PORT: '8123',
      LOG_LEVEL: 'warn',
      INGEST_REDIS_PREFIX: 'site1:',
      API_WORKERS: '0',
      API_PROCESSES: '3',
      API_HOST: '127.0.0.1',
      LOOKUP_POW_DIFFICULTY: '8',
      LOOKUP_RATE_PER_MINUTE: '120',
      SMTP_URL: 'smtp://mail.local:25',
      SMS_GATEWAY_URL: 'https://sms.local/send',
      SMS_GATEWAY_TOKEN: 't0ken',
      MAIL_FROM: 'csgt@example.vn',
      API_SIGNING_SECRET: 'a-long-enough-secret',
      OUTBOX_CATCHER: '0',
    });
    expect(s).toMatchObject({ host: '127.0.0.1', port: 8123, processes: 3, workers: false });
    expect(s.outbox).toEqual({ smtpUrl: 'smtp://mail.local:25', smsGateway: { url: 'https://sms.local/send', token: 't0ken' }, catcher: false });
    expect(s.options).toMatchObject({
      powDifficulty: 8,
      lookupRatePerMinute: 120,
      channelPrefix: 'site1:',
      logLevel: 'warn',
      mailFrom: 'csgt@example.vn',
      signingSecret: 'a-long-enough-secret',
      publicBaseUrl: 'http://localhost:8123',
    });
  });

  it('refuses LOOKUP_POW_DIFFICULTY=16x with a message that names it (it used to become null and refuse every lookup)', () => {
    expect(() => settings({ LOOKUP_POW_DIFFICULTY: '16x' })).toThrow(/LOOKUP_POW_DIFFICULTY: must be an integer, got "16x"/);
    expect(() => settings({ LOOKUP_POW_DIFFICULTY: '40' })).toThrow(/LOOKUP_POW_DIFFICULTY: must be between 0 and 32/);
  });

  it('names every bad variable in one error', () => {
    expect(
      problems({
        LOOKUP_POW_DIFFICULTY: '16x',
        LOOKUP_RATE_PER_MINUTE: 'many',
        API_PROCESSES: '0',
        API_WORKERS: 'perhaps',
        NOTICE_FONT: '/nonexistent/font.ttf',
        SMS_GATEWAY_URL: 'ftp://sms.local',
        TRUST_PROXY: 'everyone',
        AUDIT_CHECKPOINT_SECONDS: '1',
        SEGMENT_SECONDS: '0',
      }),
    ).toEqual([
      'TRUST_PROXY',
      'AUDIT_CHECKPOINT_SECONDS',
      'SEGMENT_SECONDS',
      'LOOKUP_POW_DIFFICULTY',
      'LOOKUP_RATE_PER_MINUTE',
      'SMS_GATEWAY_URL',
      'NOTICE_FONT',
      'API_PROCESSES',
      'API_WORKERS',
    ]);
  });

  it('in production: the signing secret and the public address are required, the demo outbox is off', () => {
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/x',
      REDIS_URL: 'redis://r',
      S3_ENDPOINT: 'http://s3:9000',
      S3_ACCESS_KEY: 'k',
      S3_SECRET_KEY: 's',
    };
    expect(problems(prod)).toEqual(['PUBLIC_BASE_URL', 'API_SIGNING_SECRET', 'CAMERA_SECRET_KEY']);
    const s = settings({ ...prod, PUBLIC_BASE_URL: 'https://phatnguoi.example.vn', API_SIGNING_SECRET: 'x'.repeat(32), CAMERA_SECRET_KEY: 'ab'.repeat(32) });
    expect(s.outbox.catcher).toBe(false);
    expect(s.options.showCaughtOutbox).toBe(false);
  });

  it('stops the api at start-up, before any connection, with the message naming the variable', () => {
    // The database and Redis addresses point at a closed port: reaching them would hang or name them instead.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOOKUP_POW_DIFFICULTY: '16x',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
        REDIS_URL: 'redis://127.0.0.1:9',
        API_PROCESSES: '1',
      },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Invalid configuration \(1 problem\):\s+- LOOKUP_POW_DIFFICULTY: must be an integer, got "16x"/);
    expect(r.stderr).not.toMatch(/ECONNREFUSED/);
  });
});
