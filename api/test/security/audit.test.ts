// The audit chain against an insider with database access (issue 22, item 4): with the trigger disabled, they can
// delete the last entries or edit one and re-hash the rest; the chain alone still verifies. The signed checkpoint
// in object storage (key outside PostgreSQL) catches both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startHarness, type Harness } from '../helpers';
import { withTransaction } from '@phatnguoi/core/db';
import { appendAudit, describeReport, entryHash, GENESIS_HASH, useAuditMacKey, verifyAuditChain } from '../../src/audit/chain';
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

  it('each entry carries a MAC under the key: an edit re-hashed into the chain is named at its entry, a removed MAC and a truncation are caught', async () => {
    // A fresh log, written by an api that holds the key.
    await asSuperuser(async (q) => {
      await q('DELETE FROM audit_log');
    });
    useAuditMacKey(KEY);
    try {
      await loginAs(h.app, 'officer1');
      for (const n of [1, 2, 3, 4])
        await withTransaction(h.db.pool, (tx) =>
          appendAudit(tx, { at: new Date(), actorId: null, actor: 'test', action: 'test.entry', entity: 'test', entityId: String(n), data: { n } }),
        );
      const { rows } = await h.db.pool.query<{ seq: string; mac: string | null }>('SELECT seq, mac FROM audit_log ORDER BY seq');
      expect(rows.length).toBeGreaterThanOrEqual(5);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.mac ?? ''))).toBe(true);
      const cp = (await writeCheckpoint(h.db.pool, h.storage, KEY, new Date()))!;
      expect(cp.macsFrom).toBe(1);

      // Untouched: every MAC verifies.
      const untouched = await verifyAnchoredChain(h.db.pool, h.storage, KEY);
      expect(untouched).toMatchObject({ ok: true, problems: [], checked: rows.length, macVerified: rows.length, unsigned: 0 });
      expect(describeReport(untouched, true).at(-1)).toBe(`audit chain OK: ${rows.length} entries verified`);

      // Edit entry 2 and re-hash the whole chain: the chain verifies, the MAC names entry 2 (and no other entry).
      await asSuperuser(async (q) => {
        await q(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`);
      });
      await rehashAll();
      expect((await verifyAuditChain(h.db.pool)).ok).toBe(true);
      const edited = await verifyAnchoredChain(h.db.pool, h.storage, KEY);
      expect(edited.ok).toBe(false);
      expect(edited.broken).toMatchObject({ seq: 2, reason: expect.stringMatching(/MAC does not match/) });
      expect(edited.problems.filter((p) => /MAC/.test(p.reason)).map((p) => p.seq)).toEqual([2]);
      expect(describeReport(edited, true)).toContain('entry 2: MAC does not match: edited in the database after the api wrote it');

      // Edit entry 3 too and drop its MAC, as if it had been written before MACs: still named.
      await asSuperuser(async (q) => {
        await q(`UPDATE audit_log SET data = '{"edited": true}', mac = NULL WHERE seq = 3`);
      });
      await rehashAll();
      const stripped = await verifyAnchoredChain(h.db.pool, h.storage, KEY);
      expect(stripped.problems.filter((p) => /MAC/.test(p.reason)).map((p) => [p.seq, p.reason.slice(0, 24)])).toEqual([
        [2, 'MAC does not match: edit'],
        [3, 'carries no MAC where one'],
      ]);

      // Delete the last two entries: every remaining MAC is right, the signed checkpoint catches the truncation.
      await asSuperuser(async (q) => {
        await q('DELETE FROM audit_log WHERE seq >= $1', [cp.seq - 1]);
      });
      const truncated = await verifyAnchoredChain(h.db.pool, h.storage, KEY);
      expect(truncated.problems.map((p) => p.seq)).toEqual([2, 3, cp.seq]);
      expect(truncated.problems[2]!.reason).toMatch(/^truncated: entry \d+ of the signed checkpoint/);
      expect(describeReport(truncated, true).at(-1)).toMatch(/^audit chain BROKEN: 3 problem\(s\), first at entry 2/);
    } finally {
      useAuditMacKey(null);
    }
  });

  it('AUDIT_HMAC_KEY must be long enough; the checkpoint period is bounded', () => {
    expect(loadAuditAnchorSettings({})).toEqual({ key: null, everySeconds: 300 });
    expect(loadAuditAnchorSettings({ AUDIT_HMAC_KEY: KEY, AUDIT_CHECKPOINT_SECONDS: '60' })).toEqual({ key: KEY, everySeconds: 60 });
    expect(() => loadAuditAnchorSettings({ AUDIT_HMAC_KEY: 'short' })).toThrow(/AUDIT_HMAC_KEY/);
    expect(() => loadAuditAnchorSettings({ AUDIT_CHECKPOINT_SECONDS: '1' })).toThrow(/AUDIT_CHECKPOINT_SECONDS/);
  });
});
