// A real RTSP camera for tests, benchmarks and `sim serve`: a GStreamer RTSP server (Python, gi)
// serving a video file on a loop (H.264 stream copy) or a generated pattern.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TEST_CAMERA_SCRIPT = fileURLToPath(new URL('./rtsp-camera.py', import.meta.url));
const PYTHON = process.env.TEST_CAMERA_PYTHON ?? '/usr/bin/python3';

export interface TestCameraOptions {
  /** H.264 video file to serve, looping forever, without re-encoding. */
  file?: string;
  /** Serve a generated moving pattern (x264 at `width`x`height`; keep it small). Default when no file is given. */
  pattern?: boolean;
  /** Serve audio only (a stream without video). */
  audioOnly?: boolean;
  /** Serve random bytes announced as H.264 (a corrupt stream). */
  garbage?: boolean;
  /** 0 or omitted: any free port. */
  port?: number;
  /** Mount path, default `/cam`. */
  path?: string;
  /** Require RTSP basic auth with these credentials. */
  user?: string;
  password?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** Pattern keyframe interval in frames. */
  gop?: number;
}

export interface TestCamera {
  /** rtsp://[user:password@]127.0.0.1:<port><path> */
  url: string;
  /** The URL without credentials. */
  publicUrl: string;
  port: number;
  path: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startTestCamera(opts: TestCameraOptions = {}): Promise<TestCamera> {
  const path = opts.path ?? '/cam';
  const args = [TEST_CAMERA_SCRIPT, '--port', String(opts.port ?? 0), '--path', path];
  if (opts.file) args.push('--file', opts.file);
  else if (opts.audioOnly) args.push('--audio-only');
  else if (opts.garbage) args.push('--garbage');
  else args.push('--pattern');
  if (opts.user !== undefined) args.push('--user', opts.user, '--password', opts.password ?? '');
  if (opts.width) args.push('--width', String(opts.width));
  if (opts.height) args.push('--height', String(opts.height));
  if (opts.fps) args.push('--fps', String(opts.fps));
  if (opts.gop) args.push('--gop', String(opts.gop));

  // stdin stays a pipe: the server exits when this process dies and the pipe closes.
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await waitReady(child);
  const auth = opts.user !== undefined ? `${encodeURIComponent(opts.user)}:${encodeURIComponent(opts.password ?? '')}@` : '';
  const publicUrl = `rtsp://127.0.0.1:${port}${path}`;
  return {
    url: `rtsp://${auth}127.0.0.1:${port}${path}`,
    publicUrl,
    port,
    path,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

function waitReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`test camera did not start: ${err.slice(-500)}`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 10_000) err = err.slice(-5000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test camera exited (${code}): ${err.slice(-500)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
