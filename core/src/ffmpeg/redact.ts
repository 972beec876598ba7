// Stream URLs carry camera credentials (rtsp://user:password@host/...). ffmpeg echoes its input
// URL in error messages, so everything that leaves the ffmpeg module passes through here.

const CREDENTIALS_IN_URL = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/** `rtsp://user:pw@host:554/path` → `rtsp://***@host:554/path`; leaves credential-free URLs alone. */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIALS_IN_URL, '$1***@');
}

/** Redacts every URL credential inside free text (ffmpeg stderr lines, error messages). */
export function redactText(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, '$1***@');
}
