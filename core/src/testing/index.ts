// Test helpers: real services with per-file isolation. Import from '@phatnguoi/core/testing/index' or the modules.
export { createTestDatabase, ensureTemplateDatabase, adminUrl, databaseUrl, type TestDatabase } from './database';
export { testConfig, uniqueId, type TestConfigOverrides } from './config';
export { startTestS3, type TestS3 } from './s3';
