// The audit chain against an insider with database access (issue 22, item 4): with the trigger disabled, they can
// delete the last entries or edit one and re-hash the rest; the chain alone still verifies. The signed checkpoint
// in object storage (key outside PostgreSQL) catches both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startHarness, type Harness } from '../helpers';
import { entryHash, GENESIS_HASH, verifyAuditChain } from '../../src/audit/chain';
import { LATEST_KEY, verifyAnchoredChain, writeCheckpoint } from '../../src/audit/anchor';
import { loadAuditAnchorSettings } from '../../src/settings';

const KEY = 'audit-hmac-key-for-tests-0123456789abcdef';
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'super1', 'admin1', 'officer2']) await loginAs(h.app, u);
});
afterAll(async () => h?.close());

/** What a superuser can do: switch the append-only trigger off and run SQL. */
async function asSuperuser(sql: (q: (text: string, values?: unknown[]) => Promise<unknown>) => Promise<void>): Promise<void> {
  await h.db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
  try {
    await sql((text, values) => h.db.pool.query(text, values as unknown[]));
  } finally {
    await h.db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
  }
}

/** Recomputes every hash from entry 1 on, as someone without the key would after an edit. */
async function rehashAll(): Promise<void> {
  const { rows } = await h.db.pool.query('SELECT seq, at, actor_id, actor, action, entity, entity_id, data FROM audit_log ORDER BY seq');
  let prev = GENESIS_HASH;
  await asSuperuser(async (q) => {
    for (const r of rows) {
      const hash = entryHash(prev, Number(r.seq), {
        at: r.at,
        actorId: r.actor_id,
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        data: r.data,
      });
      await q('UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE seq = $1', [r.seq, prev, hash]);
      prev = hash;
    }
  });
}

describe('audit chain anchored outside the database (item 4)', () => {
  it('a re-hashed edit and a truncation verify as a chain but break against the signed checkpoint; a forged checkpoint is refused', async () => {
    const cp = (await writeCheckpoint(h.db.pool, h.storage, KEY, new Date()))!;
    expect(cp.seq).toBeGreaterThanOrEqual(4);
    expect(await verifyAnchoredChain(h.db.pool, h.storage, KEY)).toMatchObject({ ok: true, checkpoint: { seq: cp.seq } });

    // Edit the first entry and re-hash everything after it.
    await asSuperuser(async (q) => {
      await q(`UPDATE audit_log SET data = '{"edited": true}' WHERE seq = 1`);
    });
    await rehashAll();
    expect((await verifyAuditChain(h.db.pool)).ok).toBe(true);
    const rewritten = await verifyAnchoredChain(h.db.pool, h.storage, KEY);
    expect(rewritten.ok).toBe(false);
    expect(rewritten.broken).toMatchObject({ seq: cp.seq, reason: expect.stringMatching(/re-hashed/) });

    // Delete the last entries.
    await asSuperuser(async (q) => {
      await q('DELETE FROM audit_log WHERE seq >= $1', [cp.seq - 1]);
    });
    expect((await verifyAuditChain(h.db.pool)).ok).toBe(true);
    const truncated = await verifyAnchoredChain(h.db.pool, h.storage, KEY);
    expect(truncated.ok).toBe(false);
    expect(truncated.broken!.reason).toMatch(/truncated/);

    // A checkpoint written without the key (e.g. by the same insider, to match their edit) is refused.
    const forged = { seq: 1, hash: 'f'.repeat(64), at: new Date().toISOString(), mac: '0'.repeat(64) };
    await h.storage.put('audit', LATEST_KEY, Buffer.from(JSON.stringify(forged)), 'application/json');
    expect((await verifyAnchoredChain(h.db.pool, h.storage, KEY)).broken!.reason).toMatch(/not signed/);
    expect((await verifyAnchoredChain(h.db.pool, h.storage, 'another-key-another-key-another-key')).ok).toBe(false);
  });

  it('AUDIT_HMAC_KEY must be long enough; the checkpoint period is bounded', () => {
    expect(loadAuditAnchorSettings({})).toEqual({ key: null, everySeconds: 300 });
    expect(loadAuditAnchorSettings({ AUDIT_HMAC_KEY: KEY, AUDIT_CHECKPOINT_SECONDS: '60' })).toEqual({ key: KEY, everySeconds: 60 });
    expect(() => loadAuditAnchorSettings({ AUDIT_HMAC_KEY: 'short' })).toThrow(/AUDIT_HMAC_KEY/);
    expect(() => loadAuditAnchorSettings({ AUDIT_CHECKPOINT_SECONDS: '1' })).toThrow(/AUDIT_CHECKPOINT_SECONDS/);
  });
});
