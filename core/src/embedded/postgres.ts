// Embedded PostgreSQL: PGlite (Postgres compiled to WASM) served over TCP by pglite-socket, so the same
// `pg` code used against a real server works unchanged. Data lives in a local folder.
// maxConnections: 10, because the default of 1 breaks a pg.Pool ("Connection terminated unexpectedly");
// the extra connections are multiplexed onto PGlite's single session, so an open transaction blocks all
// others until it ends (never wait on a second connection inside a transaction).
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { dir?: string; port?: number; host?: string; maxConnections?: number } = {}): Promise<EmbeddedPostgres> {
  if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  const db = await PGlite.create(opts.dir ?? 'memory://');
  const host = opts.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({ db, host, port: opts.port ?? 0, maxConnections: opts.maxConnections ?? 10 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  let stopped = false;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Clients that never disconnect must not hold shutdown forever.
      const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<void>((r) => setTimeout(r, 5_000).unref())]);
      await timeout(server.stop());
      await timeout(db.close());
    },
  };
}
