// Builds the app from the environment and listens on API_PORT (default 8080).
// With API_WORKERS unset or 1, this process also runs the api's BullMQ workers (case creation,
// delivery, legal clock); set API_WORKERS=0 to run them separately with `tsx api/src/worker.ts`.
//
// API_PROCESSES=N (default 1) runs N HTTP processes on the one port (node:cluster): this process becomes a
// small supervisor that forks them, hands incoming connections to them in turn, and starts a new one when
// one dies (after 1 s, longer if it keeps dying at start-up). All state is in PostgreSQL and Redis (sessions,
// rate limits, used challenges, live stats via pub/sub), so any process can serve any request. With
// API_EXPOSE_PID=1 (debugging only) each response names the process that served it (`x-api-pid`). SIGTERM/SIGINT to the supervisor stops every process.
// Each process also runs the BullMQ workers unless API_WORKERS=0 (safe: jobs are shared through Redis).
import cluster, { type Worker } from 'node:cluster';
import { loadConfig } from '@phatnguoi/core/config';
import { createLogger } from '@phatnguoi/core/logger';
import { createRuntime } from './runtime';
import { buildApp } from './app';
import { loadApiSettings } from './settings';

const log = createLogger('api');
// Every setting checked before anything starts: one error names every bad variable.
const config = loadConfig();
const settings = loadApiSettings(config);

async function serve(): Promise<void> {
  const runtime = await createRuntime(config, settings, { workers: settings.workers });
  const app = await buildApp({ ...runtime.deps, options: { ...runtime.deps.options, logger: true } });
  const { port, host } = settings;
  await app.listen({ port, host });
  log.info({ port, pid: process.pid }, 'api listening');

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down');
      void app
        .close()
        .then(() => runtime.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
}

/** The supervisor of API_PROCESSES http processes: forks, restarts the ones that die, stops them all on a signal. */
function supervise(n: number): void {
  let stopping = false;
  /** Consecutive quick deaths (within 10 s of the fork): the restart delay doubles with each, up to 30 s. */
  let quickDeaths = 0;
  const startedAt = new Map<Worker, number>();
  const fork = () => {
    if (stopping) return;
    const w = cluster.fork();
    startedAt.set(w, Date.now());
  };
  cluster.on('exit', (w, code, signal) => {
    const lived = Date.now() - (startedAt.get(w) ?? 0);
    startedAt.delete(w);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    quickDeaths = lived < 10_000 ? quickDeaths + 1 : 0;
    const delay = Math.min(30_000, 1000 * 2 ** Math.max(0, quickDeaths - 1));
    log.error({ pid: w.process.pid, code, signal, restartInMs: delay }, 'api process died; starting another');
    setTimeout(fork, delay);
  });
  for (let i = 0; i < n; i++) fork();
  log.info({ processes: n, pid: process.pid }, 'api supervisor started');

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stopping = true;
      log.info({ signal: sig }, 'stopping api processes');
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      if (workers.length === 0) process.exit(0);
      for (const w of workers) w.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        process.exit(1);
      }, 15_000).unref();
    });
  }
}

const n = settings.processes;
if (n > 1 && cluster.isPrimary) supervise(n);
else await serve();
