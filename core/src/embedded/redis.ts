// Embedded Redis: a redis-server found on PATH, started on a free loopback port with its data in a local
// folder. Used only when REDIS_URL is not set.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { MissingPrerequisiteError } from '../errors';
import { processAlive } from '../process';
import { PREREQUISITES, findOnPath, freePort } from './system';

export interface EmbeddedRedis {
  url: string;
  port: number;
  /** The redis-server's pid. */
  pid: number;
  /** Resolves when the server exits, whether stopped or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Ends a redis-server left running by a previous stack that crashed (only if the pid is a redis-server). */
async function killStale(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (pid > 1 && cmdline.includes('redis-server')) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  } catch {
    // not running (or no /proc): nothing to end
  }
  rmSync(pidFile, { force: true });
}

export async function startEmbeddedRedis(opts: { dir: string; port?: number; persist?: boolean }): Promise<EmbeddedRedis> {
  const bin = findOnPath('redis-server');
  if (!bin) throw new MissingPrerequisiteError('redis-server', PREREQUISITES['redis-server']);
  mkdirSync(opts.dir, { recursive: true });
  const pidFile = join(opts.dir, 'redis-server.pid');
  const port = opts.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    opts.dir,
    '--save',
    '',
    '--appendonly',
    opts.persist === false ? 'no' : 'yes',
    '--appendfsync',
    'always',
    '--protected-mode',
    'yes',
  ];
  // Own process group: a terminal Ctrl-C must not stop Redis before the roles have shut down cleanly;
  // stop() ends it last. A pid file lets the next start end one orphaned by a crash.
  // appendfsync always: a job is on disk before Redis acknowledges it, so a killed (and restarted) server loses none.
  await killStale(pidFile);
  const child: ChildProcess = spawn(bin, [...args, '--pidfile', pidFile], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (exited) throw new Error(`redis-server exited at start: ${stderr.trim() || 'no output'}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on port ${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
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
