// The api's own security settings from the environment, validated with core's envReader (every bad variable
// reported at once in one ConfigError). runtime.ts merges them into the app's options.
import { isIP } from 'node:net';
import { envReader, type Env, type EnvReader } from '@phatnguoi/core/config';
import type { ApiOptions } from './deps';

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
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = entries.filter((e) => !isProxyEntry(e));
  if (bad.length > 0) r.problem(name, `must be a comma-separated list of IP addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1) or loopback/linklocal/uniquelocal; not ${bad.map((b) => JSON.stringify(b.slice(0, 60))).join(', ')}`);
  return bad.length > 0 ? [] : entries;
}

/** Origins (scheme://host[:port]) allowed to send state-changing requests besides the api's own. */
export function originList(r: EnvReader, name: string): string[] {
  const raw = r.string(name);
  if (raw === undefined) return [];
  const out: string[] = [];
  for (const entry of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
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

/** The settings of this file from `env`; throws ConfigError naming every bad variable. */
export function loadApiSecurityOptions(env: Env = process.env): Partial<ApiOptions> {
  const r = envReader(env);
  const trustProxy = proxyList(r, 'TRUST_PROXY');
  const allowedOrigins = originList(r, 'API_ALLOWED_ORIGINS');
  const metricsToken = r.secret('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) r.problem('METRICS_TOKEN', 'must be at least 16 characters');
  const requestTimeoutMs = r.int('API_REQUEST_TIMEOUT_MS', 60_000, { min: 1000, max: 600_000 });
  const headersTimeoutMs = r.int('API_HEADERS_TIMEOUT_MS', 10_000, { min: 1000, max: 120_000 });
  const idleTimeoutMs = r.int('API_IDLE_TIMEOUT_MS', 30_000, { min: 1000, max: 600_000 });
  const exposePid = r.bool('API_EXPOSE_PID', false);
  r.done();
  return { trustProxy, allowedOrigins, metricsToken: metricsToken ?? null, requestTimeoutMs, headersTimeoutMs, idleTimeoutMs, exposePid };
}

/** AUDIT_HMAC_KEY (secret, >= 32 characters; kept out of PostgreSQL) and how often a signed checkpoint is written. */
export function loadAuditAnchorSettings(env: Env = process.env): { key: string | null; everySeconds: number } {
  const r = envReader(env);
  const key = r.secret('AUDIT_HMAC_KEY');
  if (key !== undefined && key.length < 32) r.problem('AUDIT_HMAC_KEY', 'must be at least 32 characters');
  const everySeconds = r.int('AUDIT_CHECKPOINT_SECONDS', 300, { min: 10, max: 86_400 });
  r.done();
  return { key: key ?? null, everySeconds };
}
