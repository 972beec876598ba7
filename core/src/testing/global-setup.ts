// Vitest globalSetup: migrate the template database once per run (test files then clone it), drop
// databases left behind by earlier runs that crashed, and name the folder where the browser tests of this run
// share one build of the UI (review-ui/test/harness.ts builds it on first use).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { scrubSecrets } from '../logger';
import { adminUrl, dropStaleTestDatabases, ensureTemplateDatabase } from './database';
import './provided';

export default async function setup(project: TestProject): Promise<() => void> {
  const uiBuildRoot = mkdtempSync(join(tmpdir(), 'phatnguoi-ui-run-'));
  project.provide('uiBuildRoot', uiBuildRoot);
  const teardown = () => rmSync(uiBuildRoot, { recursive: true, force: true });
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
  return teardown;
}
