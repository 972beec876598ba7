// A private stack for fault tests: its own redis-server, its own PostgreSQL cluster, its own s3rver, each
// on a free loopback port with its data in a temporary folder, so a test can kill and restart them without
// touching the shared servers. Plus the api's case worker as a child process (killable with SIGKILL).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@phatnguoi/core/embedded/system';
import { startEmbeddedS3, type EmbeddedS3 } from '@phatnguoi/core/embedded/s3';

const REPO = new URL('../../../', import.meta.url).pathname;

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** redis-server with AOF on (`appendfsync everysec`, as in infra/compose.yaml), restartable on the same port and data. */
export class PrivateRedis {
  readonly port: number;
  readonly dir: string;
  private child: ChildProcess | null = null;
  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }
  static async start(root: string): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), join(root, 'redis'));
    mkdirSync(r.dir, { recursive: true });
    await r.up();
    return r;
  }
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async up(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
      { stdio: 'ignore' },
    );
    await until(() => portOpen(this.port), 15_000, 'redis-server');
  }
  /** SIGTERM: Redis flushes its AOF and exits (a restart by an orchestrator); SIGKILL: a crash. */
  async down(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
    this.child = null;
  }
}

/** A PostgreSQL cluster of our own (initdb + pg_ctl), run as the `postgres` user when we are root. */
export class PrivatePostgres {
  readonly port: number;
  readonly dir: string;
  private readonly bin: string;
  private constructor(port: number, dir: string, bin: string) {
    this.port = port;
    this.dir = dir;
    this.bin = bin;
  }
  static find(): string | null {
    for (const v of ['17', '16', '15', '14']) {
      const b = `/usr/lib/postgresql/${v}/bin`;
      if (existsSync(join(b, 'initdb'))) return b;
    }
    return null;
  }
  private run(args: string[]): void {
    const asRoot = userInfo().uid === 0;
    const [cmd, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
    const r = spawnSync(cmd!, rest, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.status} ${r.stderr || r.stdout}`);
  }
  static async start(root: string): Promise<PrivatePostgres> {
    const bin = PrivatePostgres.find();
    if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    const dir = join(root, 'pg');
    mkdirSync(dir, { recursive: true });
    if (userInfo().uid === 0) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    }
    const p = new PrivatePostgres(await freePort(), dir, bin);
    p.run([join(bin, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await p.up();
    return p;
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  async up(): Promise<void> {
    this.run([
      join(this.bin, 'pg_ctl'),
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c max_connections=50 -c shared_buffers=16MB`,
      'start',
    ]);
  }
  /** `immediate`: every backend killed without a checkpoint (a crash; recovery on the next start); `fast`: a clean stop. */
  async down(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    this.run([join(this.bin, 'pg_ctl'), '-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }
}

/** s3rver on a fixed port, restartable with the same data (storage "away" = stopped). */
export class PrivateS3 {
  readonly dir: string;
  port = 0;
  private server: EmbeddedS3 | null = null;
  private constructor(dir: string) {
    this.dir = dir;
  }
  static async start(root: string): Promise<PrivateS3> {
    const s = new PrivateS3(join(root, 's3'));
    s.port = await freePort();
    await s.up();
    return s;
  }
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async up(): Promise<void> {
    this.server = await startEmbeddedS3({ dir: this.dir, port: this.port });
  }
  async down(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }
}

/** The api's BullMQ workers (`api/src/worker.ts`) as a child process: case creation from `violation.created`. */
export class CaseWorker {
  private child: ChildProcess | null = null;
  readonly output: string[] = [];
  starts = 0;
  constructor(private readonly env: Record<string, string>) {}
  start(): void {
    this.starts++;
    // node itself with tsx as its loader (not the `tsx` launcher, which runs the script in a child process that a
    // SIGKILL of the launcher would leave running): the pid we kill is the worker.
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'api/src/worker.ts')], {
      cwd: REPO,
      env: { ...process.env, ...this.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.output.push(d.toString());
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
    this.child = null;
  }
}

export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'pn-faults-'));
  // the PostgreSQL cluster runs as `postgres` when we are root: it must be able to reach its folder
  chmodSync(root, 0o755);
  return root;
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
