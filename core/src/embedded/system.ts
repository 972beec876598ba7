// Small helpers for finding programs and ports on this machine.
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { MissingPrerequisiteError } from '../errors';

/** Absolute path of an executable on PATH, or undefined. */
export function findOnPath(program: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Programs the stack needs, with how to install each. */
export const PREREQUISITES = {
  ffmpeg: 'apt-get install ffmpeg (Debian/Ubuntu) or brew install ffmpeg (macOS)',
  'redis-server': 'apt-get install redis-server (Debian/Ubuntu), brew install redis (macOS), or set REDIS_URL to a running Redis 7',
} as const;

/** Throws one MissingPrerequisiteError per missing program (the first), naming what to install. */
export function requirePrograms(programs: readonly (keyof typeof PREREQUISITES)[]): void {
  const missing = programs.filter((p) => !findOnPath(p));
  if (missing.length) {
    const [first] = missing as [keyof typeof PREREQUISITES];
    const err = new MissingPrerequisiteError(first, PREREQUISITES[first]);
    if (missing.length > 1) err.message = `Missing programs:\n${missing.map((p) => `  - ${p}: install with ${PREREQUISITES[p]}`).join('\n')}`;
    throw err;
  }
}

/** A TCP port free on loopback right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
