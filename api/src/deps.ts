// What the app needs from the outside world. Each side effect sits behind a small interface
// that the core modules (db, redis, storage, queue) satisfy; tests pass the real ones. None is optional: a side
// effect never skips silently for want of its dependency.
import { randomBytes } from 'node:crypto';
import { OperationalError } from '@phatnguoi/core/errors';
import type pg from 'pg';
import type { LogLevel } from '@phatnguoi/core/config';
import type { Readable } from 'node:stream';
import type { CreateLoggerOptions } from '@phatnguoi/core/logger';
import type { Clock } from './clock';
import type { Redis } from '@phatnguoi/core/redis';
import type { BucketName, ListedObject } from '@phatnguoi/core/storage';
import type { Queues } from '@phatnguoi/core/queue';
import { DEFAULT_NOTICE_FONTS, type NoticeFonts } from './notices/fonts';
import type { SignInSettings } from './oidc/settings';

/** Object storage as exposed by `core/storage` (buckets are logical names stored in rows). */
export interface StorageLike {
  put(bucket: BucketName, key: string, body: Buffer, contentType: string): Promise<{ sha256: string; size: number }>;
  get(bucket: BucketName, key: string): Promise<Buffer>;
  presignedGet(bucket: BucketName, key: string, seconds: number): Promise<string>;
  list(bucket: BucketName, prefix: string): Promise<ListedObject[]>;
  /** Uploads a local file without reading it into memory (registry imports). */
  putFile(bucket: BucketName, key: string, path: string, contentType: string): Promise<{ sha256: string; size: number }>;
  getStream(bucket: BucketName, key: string): Promise<Readable>;
  remove(bucket: BucketName, key: string): Promise<void>;
}

/** Sends a text message; production plugs the operator's SMS gateway in here. */
export interface SmsGateway {
  send(to: string, text: string): Promise<{ id: string }>;
}

/** Sends e-mail (nodemailer transport). */
export interface Mailer {
  sendMail(msg: {
    from: string;
    to: string;
    subject: string;
    text: string;
    attachments?: { filename: string; content: Buffer; contentType: string }[];
  }): Promise<unknown>;
}

export interface ApiOptions {
  /** Folder of the built review UI; served with SPA fallback when it exists. */
  uiDir: string;
  /** Base URL citizens reach (QR codes on notices point here). */
  publicBaseUrl: string;
  /** Session lifetime. */
  sessionTtlSeconds: number;
  /**
   * Failed sign-ins of one name from one address before that pair is refused, and the longest refusal (it doubles
   * with each further failure from loginBackoffBaseMs, default 30 s); see services/login-throttle.ts.
   */
  lockoutThreshold: number;
  lockoutSeconds: number;
  loginBackoffBaseMs?: number;
  /** Failed sign-ins of one name from any addresses before addresses it never signed in from are refused (default 20). */
  loginNameThreshold?: number;
  /** Requests per minute per IP on the public lookup and on login. */
  lookupRatePerMinute: number;
  loginRatePerMinute: number;
  /** Leading zero bits required of the lookup proof of work. */
  powDifficulty: number;
  /** Secret for signing captcha challenges and evidence tokens. */
  signingSecret: string;
  /** Minutes a claim locks a case for one officer. */
  claimMinutes: number;
  /** Largest request body accepted (bytes) except for CSV import. */
  bodyLimit: number;
  csvBodyLimit: number;
  logger: boolean;
  /** Level of the request log (LOG_LEVEL). */
  logLevel: LogLevel;
  /** Fonts of notice PDFs (NOTICE_FONT*). */
  noticeFonts: NoticeFonts;
  /** Where the request log lines go when `logger` is on (default stdout); tests pass a stream to inspect them. */
  logDestination?: CreateLoggerOptions['destination'];
  /** Redis key namespace of the rate-limit counters (shared by replicas of one deployment). */
  rateLimitNamespace: string;
  /** Prefix of the Redis pub/sub channels (`camera-status`, `detector-stats`); tests use a unique one. */
  channelPrefix: string;
  /** The outbox page lists what the demo's mail catcher and SMS sink received (off when NODE_ENV=production). */
  showCaughtOutbox: boolean;
  /** Sender address of notice e-mails. */
  mailFrom: string;
  /**
   * Reverse proxies whose X-Forwarded-For / -Proto / -Host the api believes (addresses, CIDRs, or proxy-addr's
   * loopback / linklocal / uniquelocal); empty: none, the client is the TCP peer. Rate limits key on that client.
   */
  trustProxy: string[];
  /** Origins besides the api's own that may send state-changing requests (POST, PUT, PATCH, DELETE). */
  allowedOrigins: string[];
  /** Bearer token Prometheus sends to /metrics; null: /metrics is not served. */
  metricsToken: string | null;
  /** Debugging several api processes: each answer names its process (`x-api-pid`). Off by default (it tells a caller about the host). */
  exposePid: boolean;
  /** Whole request (headers and body) must arrive within this; a slower one gets 408 and its connection closed. */
  requestTimeoutMs: number;
  /** Headers must arrive within this. */
  headersTimeoutMs: number;
  /** A connection with no traffic for this long is closed (live streams send a snapshot every 5 s). */
  idleTimeoutMs: number;
  /** FRAME_RING_DIR of this node: camera snapshots read the newest ring frame from here (never outside it). */
  frameRingDir?: string;
  /**
   * CAMERA_SECRET_KEY: seals camera stream passwords (core/src/camera-secrets.ts). loadApiSettings always gives one
   * (required in production, else DATA_DIR's); the default, for an app built without settings (tests), is random
   * per process, so what it seals opens in that process only.
   */
  cameraSecretKey: Buffer;
}

export interface AppDeps {
  db: pg.Pool;
  /** Health check, rate-limit counters and used lookup challenges shared by every api replica. */
  redis: Redis;
  /** Subscribes on a Redis connection reserved for SUBSCRIBE (live camera status and detector figures). */
  subscribe: (channel: string, onMessage: (message: string) => void) => Promise<() => Promise<void>>;
  /** Evidence, notices, snapshots: required, so no side effect is skipped for want of it. */
  storage: StorageLike;
  /** Follow-up jobs (notice rendering, delivery, legal deadlines): required for the same reason. */
  queues: Pick<Queues, 'enqueue'>;
  /** Notice and report e-mail; a deployment without SMTP gets `unconfiguredMailer` (each send fails, visibly). */
  mailer: Mailer;
  /** Notice SMS; a deployment without a gateway gets `unconfiguredSms` (each send fails, visibly). */
  sms: SmsGateway;
  clock: Clock;
  options?: Partial<ApiOptions>;
  /** Sign-in through OpenID providers (oidc/settings.ts); absent: password sign-in only. */
  signIn?: SignInSettings;
}

export const defaultOptions: ApiOptions = {
  uiDir: new URL('../../review-ui/dist', import.meta.url).pathname,
  publicBaseUrl: 'http://localhost:8080',
  sessionTtlSeconds: 8 * 3600,
  lockoutThreshold: 5,
  lockoutSeconds: 15 * 60,
  lookupRatePerMinute: 30,
  loginRatePerMinute: 10,
  powDifficulty: 16,
  signingSecret: 'dev-only-signing-secret-change-me',
  claimMinutes: 5,
  bodyLimit: 64 * 1024,
  csvBodyLimit: 20 * 1024 * 1024,
  logger: false,
  logLevel: 'info',
  showCaughtOutbox: true,
  noticeFonts: DEFAULT_NOTICE_FONTS,
  mailFrom: 'thongbao@csgt.local',
  channelPrefix: '',
  rateLimitNamespace: 'pn-rl:',
  trustProxy: [],
  allowedOrigins: [],
  metricsToken: null,
  exposePid: false,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  cameraSecretKey: randomBytes(32),
};

/** The mailer of a deployment without SMTP_URL: every send fails with `mailer_unconfigured`, so the delivery is retried and says why. */
export const unconfiguredMailer: Mailer = {
  async sendMail() {
    throw new OperationalError('mailer_unconfigured', 'SMTP is not configured');
  },
};

/** The SMS gateway of a deployment without SMS_GATEWAY_URL: every send fails with `sms_unconfigured`, visibly. */
export const unconfiguredSms: SmsGateway = {
  async send() {
    throw new OperationalError('sms_unconfigured', 'SMS gateway is not configured');
  },
};
