// PUBLIC_BASE_URL: where citizens open the lookup; the QR code and the link on every notice point there.
// Required in production (a notice must never send owners to localhost); development falls back to the api's port.
import { envReader, type Env } from '@phatnguoi/core/config';

export function publicBaseUrlSetting(env: Env, nodeEnv: string): string | undefined {
  const r = envReader(env);
  const url = r.url('PUBLIC_BASE_URL', ['http', 'https'], {
    required: nodeEnv === 'production',
    why: 'required when NODE_ENV=production: the QR code and link on every notice point there',
  });
  if (url && nodeEnv === 'production' && /^https?:\/\/(localhost|127\.|\[::1\])/i.test(url)) {
    r.problem('PUBLIC_BASE_URL', 'must be an address citizens can reach, not localhost, when NODE_ENV=production');
  }
  r.done();
  if (url) return url.replace(/\/+$/, '');
  // development: the address the demo prints (the api serves the citizen pages itself)
  return env.API_PORT ? `http://localhost:${env.API_PORT}` : undefined;
}
