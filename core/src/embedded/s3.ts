// Embedded S3 endpoint (s3rver) on loopback, data in a local folder: the default object storage when
// S3_ENDPOINT is not set. Signatures are checked with s3rver's fixed development credentials; unsigned
// (anonymous) requests are refused.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Config } from '../config';

// s3rver ships no typings; the little of it used here is typed locally (no ambient declaration, so every
// workspace that type-checks this file through an import sees the same types).
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  /** Set once run() resolved. */
  httpServer?: Server;
}
type S3rverConstructor = new (options: { address?: string; port?: number; silent?: boolean; directory?: string; vhostBuckets?: boolean }) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export const EMBEDDED_S3_ACCESS_KEY = 'S3RVER';
/** How long the embedded endpoint keeps an idle keep-alive connection open. */
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;
export const EMBEDDED_S3_SECRET_KEY = 'S3RVER';

export interface EmbeddedS3 {
  /** e.g. http://127.0.0.1:43121 */
  endpoint: string;
  /** Connection settings for createStorage (add a bucketPrefix). */
  s3: Omit<S3Config, 'bucketPrefix'>;
  stop(): Promise<void>;
}

/** Whether a request carries an S3 signature: the Authorization header, or a presigned URL's (V2 or V4) query. */
export function isSignedS3Request(headers: IncomingHttpHeaders, url: string): boolean {
  if (typeof headers.authorization === 'string' && headers.authorization !== '') return true;
  const q = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  return q.has('Signature') || q.has('X-Amz-Algorithm') || q.has('x-amz-algorithm');
}

/**
 * s3rver checks a signature when a request has one, but serves a request with none as anonymous: anyone on the
 * host could list the buckets and read notices and evidence. Such requests are answered 403 AccessDenied here,
 * before s3rver sees them; signed ones (the services' clients, presigned URLs) go on to s3rver's check.
 */
function refuseAnonymous(http: Server): void {
  const handlers = http.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isSignedS3Request(req.headers, req.url ?? '/')) {
      for (const h of handlers) h.call(http, req, res);
      return;
    }
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied: requests must be signed</Message></Error>';
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

export async function startEmbeddedS3(opts: { dir: string; port?: number; host?: string }): Promise<EmbeddedS3> {
  mkdirSync(opts.dir, { recursive: true });
  const host = opts.host ?? '127.0.0.1';
  const server = new S3rver({
    address: host,
    port: opts.port ?? 0,
    directory: opts.dir,
    silent: true,
    vhostBuckets: false,
  });
  const address = await server.run();
  // Node's server closes an idle keep-alive connection after 5 s, exactly when Node's global agent (which the minio
  // client uses) gives up its idle sockets: a request sent on such a socket as the server closes it fails with
  // ECONNRESET. A longer server timeout, as MinIO has, leaves closing idle connections to the client.
  server.httpServer!.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  refuseAnonymous(server.httpServer!);
  const endpoint = `http://${host}:${address.port}`;
  let stopped = false;
  return {
    endpoint,
    s3: {
      endPoint: host,
      port: address.port,
      useSSL: false,
      accessKey: EMBEDDED_S3_ACCESS_KEY,
      secretKey: EMBEDDED_S3_SECRET_KEY,
      region: 'us-east-1',
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
    },
  };
}

export interface EmbeddedS3Process {
  endpoint: string;
  port: number;
  pid: number;
  /** Resolves when the process exits, whether stopped or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The same endpoint in a process of its own (core/src/embedded/s3-server.ts, own process group), so a supervisor
 * can restart it alone, on the same port, when it dies.
 */
export async function startEmbeddedS3Process(opts: { dir: string; port?: number; startTimeoutMs?: number }): Promise<EmbeddedS3Process> {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const entry = fileURLToPath(new URL('./s3-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, opts.dir, String(opts.port ?? 0)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the S3 endpoint did not start within ${(opts.startTimeoutMs ?? 60_000) / 1000} s: ${output.trim()}`));
    }, opts.startTimeoutMs ?? 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^listening (\d+)$/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve(Number(m[1]));
    });
    void exit.then(() => (clearTimeout(timer), reject(new Error(`the S3 endpoint exited at start: ${output.trim() || 'no output'}`))));
  });
  child.stdout.resume();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    exited: exit,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
