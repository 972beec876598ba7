// PUBLIC_BASE_URL: where citizens open the lookup; the QR code and the link on every notice point there.
// Required in production (a notice must never send owners to localhost); development falls back to the api's port.
import { envReader, type Env, type EnvReader } from '@phatnguoi/core/config';

export function publicBaseUrlSetting(env: Env, nodeEnv: string): string | undefined {
  const r = envReader(env);
  const port = r.int('API_PORT', 8080, { min: 0, max: 65535 });
  const url = readPublicBaseUrl(r, nodeEnv, env.API_PORT ? port : undefined);
  r.done();
  return url;
}

/** PUBLIC_BASE_URL into `r`; without it in development, the api's own address on `apiPort`. */
export function readPublicBaseUrl(r: EnvReader, nodeEnv: string, apiPort: number | undefined): string | undefined {
  const url = r.url('PUBLIC_BASE_URL', ['http', 'https'], {
    required: nodeEnv === 'production',
    why: 'required when NODE_ENV=production: the QR code and link on every notice point there',
  });
  if (url && nodeEnv === 'production' && /^https?:\/\/(localhost|127\.|\[::1\])/i.test(url)) {
    r.problem('PUBLIC_BASE_URL', 'must be an address citizens can reach, not localhost, when NODE_ENV=production');
  }
  if (url) return url.replace(/\/+$/, '');
  // development: the address the demo prints (the api serves the citizen pages itself)
  return apiPort !== undefined ? `http://localhost:${apiPort}` : undefined;
}
