// npm run -w api audit:verify: walks the audit log and recomputes the hash chain; exit 1 on the first broken entry.
import { loadConfig } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { verifyAuditChain } from '../audit/chain';

const config = loadConfig();
const db = createPool(config.databaseUrl, { max: 1, applicationName: 'audit-verify' });
try {
  const report = await verifyAuditChain(db);
  if (report.ok) {
    console.log(`audit chain OK: ${report.checked} entries verified`);
  } else {
    console.error(`audit chain BROKEN at entry ${report.broken?.seq}: ${report.broken?.reason} (${report.checked} entries verified before it)`);
    process.exitCode = 1;
  }
} finally {
  await db.end();
}
