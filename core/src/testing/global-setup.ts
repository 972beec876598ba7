// Vitest globalSetup: migrate the template database once per run (test files then clone it), and drop
// databases left behind by earlier runs that crashed.
import { dropStaleTestDatabases, ensureTemplateDatabase } from './database';

export default async function setup(): Promise<void> {
  await dropStaleTestDatabases().catch(() => undefined);
  await ensureTemplateDatabase();
}
