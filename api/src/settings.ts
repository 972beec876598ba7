// The api's settings from the environment, through core's envReader like every other role: `loadApiSettings` reads
// every variable the api uses in one pass and throws one ConfigError naming every bad one, before runtime.ts opens
// any connection. Nothing else in the api reads process.env.
import { readSignInSettings, type SignInSettings } from './oidc/settings';
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { envReader, type Config, type Env, type EnvReader } from '@phatnguoi/core/config';
import { readCameraNodeSettings } from '@phatnguoi/core/camera-node/settings';
import { readCameraSecretKey } from '@phatnguoi/core/camera-secrets';
import type { ApiOptions } from './deps';
import { DEFAULT_NOTICE_FONTS, type NoticeFonts } from './notices/fonts';
import { readPublicBaseUrl } from './notices/public-base-url';

/** proxy-addr's named ranges, accepted in TRUST_PROXY besides addresses and CIDRs. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether one TRUST_PROXY entry is an address, a CIDR (`10.0.0.0/8`, `fd00::/8`) or a named range. */
export function isProxyEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const slash = entry.indexOf('/');
  if (slash < 0) return isIP(entry) !== 0;
  const ip = entry.slice(0, slash);
  const bits = entry.slice(slash + 1);
  const family = isIP(ip);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list of proxy addresses; a problem is recorded for each entry that is not one. */
export function proxyList(r: EnvReader, name: string): string[] {
  const raw = r.string(name);
  if (raw === undefined) return [];
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = entries.filter((e) => !isProxyEntry(e));
  if (bad.length > 0)
    r.problem(
      name,
      `must be a comma-separated list of IP addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1) or loopback/linklocal/uniquelocal; not ${bad.map((b) => JSON.stringify(b.slice(0, 60))).join(', ')}`,
    );
  return bad.length > 0 ? [] : entries;
}

/** Origins (scheme://host[:port]) allowed to send state-changing requests besides the api's own. */
export function originList(r: EnvReader, name: string): string[] {
  const raw = r.string(name);
  if (raw === undefined) return [];
  const out: string[] = [];
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    let u: URL | null = null;
    try {
      u = new URL(entry);
    } catch {
      u = null;
    }
    if (!u || !['http:', 'https:'].includes(u.protocol) || u.origin !== entry.replace(/\/$/, '')) {
      r.problem(name, `must be a comma-separated list of origins like https://csgt.example.vn (no path); not ${JSON.stringify(entry.slice(0, 80))}`);
    } else out.push(u.origin);
  }
  return out;
}

/** The security settings from `env`; throws ConfigError naming every bad variable. */
export function loadApiSecurityOptions(env: Env = process.env): Partial<ApiOptions> {
  const r = envReader(env);
  const options = readApiSecurityOptions(r);
  r.done();
  return options;
}

function readApiSecurityOptions(r: EnvReader): Partial<ApiOptions> {
  const trustProxy = proxyList(r, 'TRUST_PROXY');
  const allowedOrigins = originList(r, 'API_ALLOWED_ORIGINS');
  const metricsToken = r.secret('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) r.problem('METRICS_TOKEN', 'must be at least 16 characters');
  const requestTimeoutMs = r.int('API_REQUEST_TIMEOUT_MS', 60_000, { min: 1000, max: 600_000 });
  const headersTimeoutMs = r.int('API_HEADERS_TIMEOUT_MS', 10_000, { min: 1000, max: 120_000 });
  const idleTimeoutMs = r.int('API_IDLE_TIMEOUT_MS', 30_000, { min: 1000, max: 600_000 });
  const exposePid = r.bool('API_EXPOSE_PID', false);
  return { trustProxy, allowedOrigins, metricsToken: metricsToken ?? null, requestTimeoutMs, headersTimeoutMs, idleTimeoutMs, exposePid };
}

/** AUDIT_HMAC_KEY (secret, >= 32 characters; kept out of PostgreSQL) and how often a signed checkpoint is written. */
export function loadAuditAnchorSettings(env: Env = process.env): AuditAnchorSettings {
  const r = envReader(env);
  const anchor = readAuditAnchorSettings(r);
  r.done();
  return anchor;
}

export interface AuditAnchorSettings {
  key: string | null;
  everySeconds: number;
}

function readAuditAnchorSettings(r: EnvReader): AuditAnchorSettings {
  const key = r.secret('AUDIT_HMAC_KEY');
  if (key !== undefined && key.length < 32) r.problem('AUDIT_HMAC_KEY', 'must be at least 32 characters');
  const everySeconds = r.int('AUDIT_CHECKPOINT_SECONDS', 300, { min: 10, max: 86_400 });
  return { key: key ?? null, everySeconds };
}

/** Leading zero bits a citizen's proof of work may be asked for: 0 (none) to 32 (minutes of a browser's time). */
export const POW_DIFFICULTY_RANGE = { min: 0, max: 32 };

/** The notice fonts (NOTICE_FONT, NOTICE_FONT_BOLD, NOTICE_FONT_ITALIC, NOTICE_FONT_MONO): each must be a readable file. */
function readNoticeFonts(r: EnvReader): NoticeFonts {
  const font = (name: string, fallback: string): string => {
    const path = r.string(name, fallback);
    try {
      accessSync(path, constants.R_OK);
    } catch {
      r.problem(name, `names no readable font file (${path})`);
    }
    return path;
  };
  return {
    body: font('NOTICE_FONT', DEFAULT_NOTICE_FONTS.body),
    bold: font('NOTICE_FONT_BOLD', DEFAULT_NOTICE_FONTS.bold),
    italic: font('NOTICE_FONT_ITALIC', DEFAULT_NOTICE_FONTS.italic),
    mono: font('NOTICE_FONT_MONO', DEFAULT_NOTICE_FONTS.mono),
  };
}

/** Where notices go: SMTP and an SMS gateway, or (development only) the local mail catcher and SMS sink. */
export interface OutboxSettings {
  smtpUrl: string | null;
  smsGateway: { url: string; token: string | null } | null;
  /** Development without SMTP_URL or SMS_GATEWAY_URL: deliver to the demo's catcher and sink (OUTBOX_CATCHER=0: off). */
  catcher: boolean;
}

export interface ApiSettings {
  /** Where the HTTP api listens (API_PORT is core's `apiPort`). */
  host: string;
  port: number;
  /** HTTP processes sharing the port (node:cluster); 1: no supervisor. */
  processes: number;
  /** This process also runs the api's BullMQ workers (API_WORKERS, default on). */
  workers: boolean;
  /** The app's options from the environment; the rest keep `defaultOptions` (never the camera secret key). */
  options: Partial<ApiOptions> & Pick<ApiOptions, 'cameraSecretKey'>;
  audit: AuditAnchorSettings;
  outbox: OutboxSettings;
  /** Sign-in through OpenID Connect and whether password sign-in is allowed. */
  signIn: SignInSettings;
}

/**
 * Every api setting from `env` (with core's `config`), validated together: throws one ConfigError naming every
 * bad variable (`LOOKUP_POW_DIFFICULTY=16x` included), so nothing starts half configured.
 */
export function loadApiSettings(config: Pick<Config, 'env' | 'apiPort' | 'logLevel' | 'dataDir' | 'frameRingDir'>, env: Env = process.env): ApiSettings {
  const r = envReader(env);
  const production = config.env === 'production';
  const security = readApiSecurityOptions(r);
  const publicBaseUrl = readPublicBaseUrl(r, config.env, config.apiPort);
  const audit = readAuditAnchorSettings(r);
  const node = readCameraNodeSettings(r, config);
  const signingSecret = production
    ? r.required('API_SIGNING_SECRET', { secret: true, why: 'required when NODE_ENV=production' })
    : r.secret('API_SIGNING_SECRET');
  const powDifficulty = r.int('LOOKUP_POW_DIFFICULTY', 16, POW_DIFFICULTY_RANGE);
  const lookupRatePerMinute = r.int('LOOKUP_RATE_PER_MINUTE', 30, { min: 1, max: 1_000_000 });
  const mailFrom = r.string('MAIL_FROM');
  const smtpUrl = r.url('SMTP_URL', ['smtp', 'smtps'], { secret: true });
  const smsUrl = r.url('SMS_GATEWAY_URL', ['http', 'https']);
  const smsToken = r.secret('SMS_GATEWAY_TOKEN');
  const catcher = r.bool('OUTBOX_CATCHER', true) && config.env === 'development';
  const noticeFonts = readNoticeFonts(r);
  const signIn = readSignInSettings(r, production);
  const cameraSecretKey = readCameraSecretKey(r, config);
  const settings: ApiSettings = {
    host: r.string('API_HOST', '0.0.0.0'),
    port: config.apiPort,
    processes: r.int('API_PROCESSES', 1, { min: 1, max: 64 }),
    workers: r.bool('API_WORKERS', true),
    options: {
      ...security,
      ...(publicBaseUrl ? { publicBaseUrl } : {}),
      ...(signingSecret ? { signingSecret } : {}),
      powDifficulty,
      lookupRatePerMinute,
      ...(mailFrom ? { mailFrom } : {}),
      frameRingDir: config.frameRingDir,
      // the same prefix ingest uses for its Redis keys and channels
      channelPrefix: node.redisKeyPrefix,
      logLevel: config.logLevel,
      noticeFonts,
      showCaughtOutbox: !production,
      cameraSecretKey,
    },
    audit,
    outbox: { smtpUrl: smtpUrl || null, smsGateway: smsUrl ? { url: smsUrl, token: smsToken ?? null } : null, catcher },
    signIn,
  };
  r.done();
  return settings;
}
