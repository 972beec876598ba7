// Camera stream URLs and their credentials, kept apart: the URL is shown in the back office, the credentials
// never are; ingest and the stream test join them only to start ffmpeg.

export interface StreamCredentials {
  username: string;
  password: string;
}

/** Schemes a camera stream may use (RTSP cameras; files only for development and tests). */
export const STREAM_SCHEMES = ['rtsp:', 'rtsps:'] as const;

/**
 * The URL without user information, and the credentials it carried (decoded), or null when `url` is not an
 * absolute URL with a host.
 */
export function splitStreamUrl(url: string): { url: string; credentials: StreamCredentials | null } | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return null;
  }
  if (!u.host) return null;
  const credentials = u.username || u.password ? { username: safeDecode(u.username), password: safeDecode(u.password) } : null;
  u.username = '';
  u.password = '';
  return { url: u.toString(), credentials };
}

/** The URL ffmpeg opens: `url` with these credentials (percent-encoded) in place of any it had. */
export function streamUrlWithCredentials(url: string, credentials: StreamCredentials | null): string {
  if (!credentials || (!credentials.username && !credentials.password)) return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  u.username = encodeURIComponent(credentials.username);
  u.password = encodeURIComponent(credentials.password);
  return u.toString();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
