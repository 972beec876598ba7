// npm run -w api audit:verify: walks the audit log and checks every entry (hash chain; with AUDIT_HMAC_KEY, each
// entry's MAC too) and, with the key, holds the log against the latest signed checkpoint in object storage
// (truncation, edit and re-hash). Prints one line per broken entry; exit 1 when any.
import { loadConfig } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { createStorage } from '@phatnguoi/core/storage';
import { describeReport, verifyAuditChain, type ChainReport } from '../audit/chain';
import { verifyAnchoredChain } from '../audit/anchor';
import { loadAuditAnchorSettings } from '../settings';

const config = loadConfig();
const anchor = loadAuditAnchorSettings();
const db = createPool(config.databaseUrl, { max: 1, applicationName: 'audit-verify' });
try {
  let report: ChainReport;
  if (anchor.key) {
    report = await verifyAnchoredChain(db, createStorage(config), anchor.key);
  } else {
    console.warn('AUDIT_HMAC_KEY is not set: checking the chain alone (a database superuser could have re-hashed it)');
    report = await verifyAuditChain(db);
  }
  const say = report.ok ? console.log : console.error;
  for (const line of describeReport(report, anchor.key !== null)) say(line);
  if (!report.ok) process.exitCode = 1;
} finally {
  await db.end();
}
