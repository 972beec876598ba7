// Every setting comes from the environment, is validated once at start-up, and every problem is
// reported in one ConfigError. Secrets may come from files (`<NAME>_FILE`, e.g. Docker/Kubernetes secrets).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError } from './errors';

export { ConfigError };

export type Environment = 'development' | 'test' | 'production';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface S3Config {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  region: string;
  /** Prepended to every logical bucket name (`<prefix>evidence`), so environments and tests never share buckets. */
  bucketPrefix: string;
  /** Base URL browsers use to fetch presigned URLs when it differs from the endpoint the services use. */
  publicUrl?: string;
}

export interface Config {
  env: Environment;
  databaseUrl: string;
  redisUrl: string;
  s3: S3Config;
  /** BullMQ key prefix: one per environment, unique per test file. */
  queuePrefix: string;
  /** Local folder for embedded services and scratch files. */
  dataDir: string;
  /** Shared-memory folder holding the frame ring (ingest writes, detector reads on the same node). */
  frameRingDir: string;
  logLevel: LogLevel;
  /** Identifies this process's node for camera leases (ingest and detector of a camera share a node). */
  nodeId: string;
  /** Port of the HTTP API. */
  apiPort: number;
}

export type Env = Record<string, string | undefined>;

/**
 * Reads variables from an env map, collecting problems instead of throwing on the first one.
 * Other workspaces use it for their own settings so they report the same way:
 *   const r = envReader(env); const secret = r.secret('JWT_SECRET'); r.done();
 */
export class EnvReader {
  readonly problems: { variable: string; problem: string }[] = [];
  constructor(readonly env: Env = process.env) {}

  /** Raw value, with `<NAME>_FILE` support when `fromFile` is set; empty strings count as unset. */
  raw(name: string, fromFile = false): string | undefined {
    const direct = this.env[name];
    const file = fromFile ? this.env[`${name}_FILE`] : undefined;
    if (direct !== undefined && direct !== '' && file) {
      this.problems.push({ variable: name, problem: `set both ${name} and ${name}_FILE; use one` });
      return undefined;
    }
    if (file) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (err) {
        this.problems.push({ variable: `${name}_FILE`, problem: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        return undefined;
      }
    }
    return direct === '' ? undefined : direct;
  }

  string(name: string, fallback: string): string;
  string(name: string, fallback?: undefined): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  /** A required value; records a problem (and returns '') when missing. */
  required(name: string, opts: { secret?: boolean; why?: string } = {}): string {
    const v = this.raw(name, opts.secret);
    if (v === undefined) {
      this.problems.push({ variable: name, problem: `is required${opts.why ? ` (${opts.why})` : ''}${opts.secret ? `; set ${name} or ${name}_FILE` : ''}` });
      return '';
    }
    return v;
  }

  /** A secret: may come from `<NAME>_FILE`. */
  secret(name: string, fallback?: string): string | undefined {
    return this.raw(name, true) ?? fallback;
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) {
      this.problems.push({ variable: name, problem: `must be an integer, got ${JSON.stringify(v)}` });
      return fallback;
    }
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
      this.problems.push({ variable: name, problem: `must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}, got ${n}` });
      return fallback;
    }
    return n;
  }

  number(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) {
      this.problems.push({ variable: name, problem: `must be a number, got ${JSON.stringify(v)}` });
      return fallback;
    }
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
      this.problems.push({ variable: name, problem: `must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}, got ${n}` });
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    this.problems.push({ variable: name, problem: `must be true or false, got ${JSON.stringify(v)}` });
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(values as readonly string[]).includes(v)) {
      this.problems.push({ variable: name, problem: `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}` });
      return fallback;
    }
    return v as T;
  }

  url(name: string, protocols: readonly string[], opts: { fallback?: string; secret?: boolean; required?: boolean; why?: string } = {}): string {
    const v = this.raw(name, opts.secret) ?? opts.fallback;
    if (v === undefined) {
      if (opts.required) this.problems.push({ variable: name, problem: `is required${opts.why ? ` (${opts.why})` : ''}` });
      return '';
    }
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      // Never echo a URL back: it may carry a password.
      this.problems.push({ variable: name, problem: `is not a valid URL` });
      return '';
    }
    if (!protocols.includes(u.protocol.replace(/:$/, ''))) {
      this.problems.push({ variable: name, problem: `must use ${protocols.map((p) => `${p}://`).join(' or ')}, got ${u.protocol}//` });
      return '';
    }
    return v;
  }

  problem(variable: string, problem: string): void {
    this.problems.push({ variable, problem });
  }

  /** Throws one ConfigError naming every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

export function envReader(env: Env = process.env): EnvReader {
  return new EnvReader(env);
}

const BUCKET_PREFIX_RE = /^[a-z0-9][a-z0-9.-]{0,40}$/;
const QUEUE_PREFIX_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Loads and validates the whole configuration. Throws ConfigError listing every bad variable.
 * Development defaults point at local servers on their standard ports (what `npm run demo` and
 * `.env.example` describe); production requires the servers and credentials to be set explicitly.
 */
export function loadConfig(env: Env = process.env): Config {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf<Environment>('NODE_ENV', ['development', 'test', 'production'], 'development');
  const prod = nodeEnv === 'production';
  const why = 'required when NODE_ENV=production';

  const databaseUrl = r.url('DATABASE_URL', ['postgres', 'postgresql'], {
    secret: true,
    required: prod,
    why,
    fallback: prod ? undefined : 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  const redisUrl = r.url('REDIS_URL', ['redis', 'rediss'], {
    secret: true,
    required: prod,
    why,
    fallback: prod ? undefined : 'redis://127.0.0.1:6379',
  });

  const s3Endpoint = r.url('S3_ENDPOINT', ['http', 'https'], { required: prod, why, fallback: prod ? undefined : 'http://127.0.0.1:9000' });
  const accessKey = prod ? r.required('S3_ACCESS_KEY', { secret: true, why }) : (r.secret('S3_ACCESS_KEY') ?? 'minioadmin');
  const secretKey = prod ? r.required('S3_SECRET_KEY', { secret: true, why }) : (r.secret('S3_SECRET_KEY') ?? 'minioadmin');
  const region = r.string('S3_REGION', 'us-east-1');
  const bucketPrefix = r.string('S3_BUCKET_PREFIX', 'phatnguoi-');
  if (!BUCKET_PREFIX_RE.test(bucketPrefix)) {
    r.problem('S3_BUCKET_PREFIX', 'must be lowercase letters, digits, dots or hyphens (S3 bucket naming), at most 41 characters');
  }
  const publicUrl = r.url('S3_PUBLIC_URL', ['http', 'https']) || undefined;

  const queuePrefix = r.string('QUEUE_PREFIX', `phatnguoi-${nodeEnv}`);
  if (!QUEUE_PREFIX_RE.test(queuePrefix)) r.problem('QUEUE_PREFIX', 'must be 1-64 characters of letters, digits, _ . : -');

  const dataDir = resolve(r.string('DATA_DIR', '.data'));
  const frameRingDir = resolve(r.string('FRAME_RING_DIR', `${dataDir}/frame-ring`));
  const logLevel = r.oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS, 'info');
  const nodeId = r.string('NODE_ID', hostname());
  const apiPort = r.int('API_PORT', 8080, { min: 0, max: 65535 });

  r.done();

  return {
    env: nodeEnv,
    databaseUrl,
    redisUrl,
    s3: {
      ...s3AddressFromUrl(s3Endpoint),
      accessKey,
      secretKey,
      region,
      bucketPrefix,
      ...(publicUrl ? { publicUrl } : {}),
    },
    queuePrefix,
    dataDir,
    frameRingDir,
    logLevel,
    nodeId,
    apiPort,
  };
}

/** Host, port and TLS of an S3 endpoint URL (the inverse of `s3EndpointUrl`); the port defaults by scheme. */
export function s3AddressFromUrl(url: string): Pick<S3Config, 'endPoint' | 'port' | 'useSSL'> {
  const u = new URL(url);
  const useSSL = u.protocol === 'https:';
  return { endPoint: u.hostname, port: u.port ? Number(u.port) : useSSL ? 443 : 80, useSSL };
}

/** The S3 endpoint of a config as a URL string (for child processes and logs). */
export function s3EndpointUrl(s3: S3Config): string {
  return `${s3.useSSL ? 'https' : 'http'}://${s3.endPoint.includes(':') ? `[${s3.endPoint}]` : s3.endPoint}:${s3.port}`;
}
