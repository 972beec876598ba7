// npm run migrate [-- up [N] | down [N] | status]
//   up      apply every pending migration (or up to version N)
//   down    roll back the last migration (or every one above version N; `down 0` rolls back all)
//   status  list migrations and whether each is applied
import { loadConfig } from '../config';
import { createPool } from '../db';
import { isAppError } from '../errors';
import { createLogger } from '../logger';
import { migrate, migrationStatus } from '../migrate';

const USAGE = 'usage: npm run migrate -- [up [VERSION] | down [VERSION] | status]';

async function main(argv: string[]): Promise<number> {
  const [command = 'up', target] = argv;
  if (!['up', 'down', 'status'].includes(command) || (target !== undefined && !/^\d+$/.test(target)) || argv.length > 2) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const log = createLogger('migrate', { level: config.logLevel });
  const pool = createPool(config.databaseUrl, { max: 2, applicationName: 'phatnguoi-migrate' });
  try {
    if (command === 'status') {
      for (const m of await migrationStatus(pool)) {
        const flags = [m.changed ? 'CHANGED SINCE APPLIED' : '', m.missing ? 'FILES MISSING' : ''].filter(Boolean).join(', ');
        console.log(
          `${m.applied ? '[x]' : '[ ]'} ${String(m.version).padStart(4, '0')} ${m.name}${m.appliedAt ? `  (${m.appliedAt.toISOString()})` : ''}${flags ? `  ${flags}` : ''}`,
        );
      }
      return 0;
    }
    const result = await migrate(pool, {
      direction: command as 'up' | 'down',
      ...(target !== undefined ? { to: Number(target) } : {}),
      logger: log,
    });
    console.log(
      result.versions.length
        ? `${command === 'up' ? 'applied' : 'rolled back'} ${result.versions.join(', ')}; schema is at ${result.current}`
        : `nothing to do; schema is at ${result.current}`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(isAppError(err) ? err.message : err);
    process.exit(1);
  },
);
