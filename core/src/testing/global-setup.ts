// Vitest globalSetup: migrate the template database once per run (test files then clone it), and drop
// databases left behind by earlier runs that crashed.
import { scrubSecrets } from '../logger';
import { adminUrl, dropStaleTestDatabases, ensureTemplateDatabase } from './database';

export default async function setup(): Promise<void> {
  try {
    await dropStaleTestDatabases();
  } catch {
    // Best effort: a failure here shows up clearly in ensureTemplateDatabase below.
  }
  try {
    await ensureTemplateDatabase();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ECONNREFUSED' || /ECONNREFUSED|password authentication|does not exist/.test(e.message)) {
      throw new Error(
        `Tests need PostgreSQL at ${scrubSecrets(adminUrl())} (set TEST_DATABASE_URL to use another): ${e.message}. ` +
          'Start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or run `bash .ci/run`.',
        { cause: err },
      );
    }
    throw err;
  }
}
