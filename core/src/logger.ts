// Structured logs with pino. Secrets, stream credentials and owner personal data never reach a log line:
// known fields are redacted by path, and credentials embedded in URLs are scrubbed from every string.
import pino, { type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import type { LogLevel } from './config';

export type { Logger };

/** Field names whose values are secret or personal, at any of the first three levels of a log object. */
export const REDACTED_FIELDS = [
  // secrets
  'password',
  'passwordHash',
  'secret',
  'secretKey',
  'accessKey',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'authorization',
  'cookie',
  'setCookie',
  'databaseUrl',
  'redisUrl',
  // owner personal data (Circular 73: citizens never see owner identity; logs must not either)
  'owner',
  'ownerName',
  'ownerAddress',
  'ownerPhone',
  'ownerEmail',
  'ownerIdNumber',
  'nationalId',
  'idNumber',
  'citizenId',
  'dateOfBirth',
  'email',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const f of REDACTED_FIELDS) {
    paths.push(f, `*.${f}`, `*.*.${f}`);
  }
  paths.push('req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie');
  return paths;
}

// scheme://user:password@host → scheme://user:***@host (RTSP camera URLs, database URLs, ...)
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;
// key=value secrets in query strings (presigned URLs carry X-Amz-Signature; tokens in links)
const QUERY_SECRETS = /([?&](?:x-amz-signature|x-amz-credential|signature|token|access_token|password|apikey|api_key)=)[^&\s"]+/gi;

/** Removes credentials embedded in URLs and secret query parameters from a string. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@').replace(QUERY_SECRETS, '$1***');
}

function isPlainData(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return Array.isArray(v) || proto === Object.prototype || proto === null || v instanceof Error;
}

function scrubDeep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1, seen));
  if (value instanceof Error) {
    // Serialize first (type, message, stack, cause, own fields such as code), then scrub every string in it.
    // Library errors can carry live objects (pg attaches its client, with sockets and buffers): keep plain
    // data only, and name anything else by its class.
    const serialized = pino.stdSerializers.err(value) as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(serialized)) {
      out[k] = v !== null && typeof v === 'object' && !isPlainData(v) ? `[${(v as object).constructor?.name ?? 'object'}]` : scrubDeep(v, depth + 1, seen);
    }
    return out;
  }
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `<${(value as ArrayBufferView).byteLength} bytes>`;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = scrubDeep(v, depth + 1, seen);
  return out;
}

function keepSerialized(value: unknown): unknown {
  return value instanceof Error ? scrubDeep(value, 0, new WeakSet()) : value;
}

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Extra fields on every line (e.g. `{ cameraId }`). */
  base?: Record<string, unknown>;
  /** Where lines go (default stdout); tests pass a stream to inspect output. */
  destination?: DestinationStream;
}

function defaultLevel(): LogLevel {
  const fromEnv = process.env.LOG_LEVEL;
  if (fromEnv && ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(fromEnv)) return fromEnv as LogLevel;
  return process.env.VITEST ? 'warn' : 'info';
}

/** A pino logger named after the role or module (`api`, `ingest.supervisor`, ...). */
export function createLogger(name: string, opts: CreateLoggerOptions = {}): Logger {
  const options: LoggerOptions = {
    name,
    level: opts.level ?? defaultLevel(),
    base: { pid: process.pid, ...opts.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    // Errors anywhere in a log object are serialized (type, message, stack, code, cause) and scrubbed by
    // scrubDeep in formatters.log; pino's default err serializer would then re-label them "Object".
    serializers: { err: keepSerialized, error: keepSerialized },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => scrubDeep(obj, 0, new WeakSet()) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        // Scrub the message string(s) too: `log.info('connecting to %s', url)`.
        const clean = args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>;
        return method.apply(this, clean);
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
