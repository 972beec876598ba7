// npm run -w api audit:verify: walks the audit log and recomputes the hash chain; with AUDIT_HMAC_KEY, also holds it
// against the latest signed checkpoint in object storage (truncation, edit and re-hash). Exit 1 on a break.
import { loadConfig } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { createStorage } from '@phatnguoi/core/storage';
import { verifyAuditChain, type ChainReport } from '../audit/chain';
import { verifyAnchoredChain } from '../audit/anchor';
import { loadAuditAnchorSettings } from '../settings';

const config = loadConfig();
const anchor = loadAuditAnchorSettings();
const db = createPool(config.databaseUrl, { max: 1, applicationName: 'audit-verify' });
try {
  let report: ChainReport;
  if (anchor.key) {
    const r = await verifyAnchoredChain(db, createStorage(config), anchor.key);
    console.log(r.checkpoint ? `signed checkpoint: entry ${r.checkpoint.seq} at ${r.checkpoint.at}` : 'no signed checkpoint found in object storage yet');
    report = r;
  } else {
    console.warn('AUDIT_HMAC_KEY is not set: checking the chain alone (a database superuser could have re-hashed it)');
    report = await verifyAuditChain(db);
  }
  if (report.ok) {
    console.log(`audit chain OK: ${report.checked} entries verified`);
  } else {
    console.error(`audit chain BROKEN at entry ${report.broken?.seq}: ${report.broken?.reason} (${report.checked} entries verified before it)`);
    process.exitCode = 1;
  }
} finally {
  await db.end();
}
