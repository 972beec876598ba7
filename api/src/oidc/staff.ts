// Staff sign-in through the province's provider: the ID token's claims mapped to a role and an agency by
// configuration, the user created at the first sign-in or linked to the local account of the same name, a session
// like a password sign-in's (the pn_session cookie) that keeps the provider's tokens, re-checked with the provider
// as it goes on (refresh grant: a user disabled or moved there is signed out or re-mapped here). Every sign-in,
// refusal and mapping decision is written to the audit log.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import type { UserSummary } from '@phatnguoi/core/contracts/api/auth';
import { appendAudit } from '../audit/chain';
import { agencyName } from '../repositories/agencies';
import type { Clock } from '../clock';
import { newToken, tokenHash } from '../domain/tokens';
import { mapStaffClaims, type StaffMapping } from './claims';
import { refusalOf, type OidcClient, type ProviderTokens } from './client';
import { SignInRefused } from './login-state';
import type { StaffOidcSettings } from './settings';

const subjectRef = (issuer: string, subject: string | null) => `${issuer}#${subject ?? '?'}`;

/** Writes a refused sign-in (or refresh) to the audit log in its own transaction; the caller then throws. */
export async function auditRefusal(db: Db, clock: Clock, action: string, issuer: string, subject: string | null, data: Record<string, unknown>): Promise<void> {
  await withTransaction(db, (tx) =>
    appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: subject ? `oidc:${subject}` : 'oidc',
      action,
      entity: 'oidc',
      entityId: subjectRef(issuer, subject),
      data: { issuer, ...data },
    }),
  );
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  agency_id: string | null;
  active: boolean;
}

/** Role, agency and name from the mapping; each change audited as a mapping decision. */
async function applyMapping(tx: Queryable, clock: Clock, u: UserRow, m: StaffMapping, agencyId: string | null, issuer: string): Promise<UserRow> {
  if (u.role === m.role && u.agency_id === agencyId && u.display_name === m.displayName) return u;
  await tx.query('UPDATE users SET role = $2, agency_id = $3, display_name = $4 WHERE id = $1', [u.id, m.role, agencyId, m.displayName]);
  await appendAudit(tx, {
    at: clock.now(),
    actorId: u.id,
    actor: u.username,
    action: 'auth.oidc.mapped',
    entity: 'user',
    entityId: u.id,
    data: { issuer, from: { role: u.role, agencyId: u.agency_id }, to: { role: m.role, agencyId }, groups: m.groups, matched: m.matched },
  });
  return { ...u, role: m.role, agency_id: agencyId, display_name: m.displayName };
}

async function agencyIdOf(q: Queryable, code: string | null): Promise<string | null | undefined> {
  if (code === null) return null;
  const { rows } = await q.query<{ id: string }>('SELECT id FROM agencies WHERE code = $1', [code]);
  return rows[0]?.id;
}

/** The session's next re-check with the provider: when the access token ends, at most recheckSeconds away. */
function refreshDue(now: Date, tokens: ProviderTokens, s: StaffOidcSettings): Date | null {
  if (!tokens.refreshToken) return null;
  const seconds = Math.min(s.recheckSeconds, Math.max(30, tokens.expiresIn ?? s.recheckSeconds));
  return new Date(now.getTime() + seconds * 1000);
}

/**
 * A verified ID token (the client checked signature, issuer, audience, nonce, expiry) made into a session.
 * Refused (401 SignInRefused, audited): claims that map to no role, an officer or supervisor without a known agency,
 * a deactivated user, a name taken by a user linked to another provider account.
 */
export async function staffSignIn(
  db: Db,
  clock: Clock,
  s: StaffOidcSettings,
  tokens: ProviderTokens,
  opts: { ttlSeconds: number },
): Promise<{ token: string; expiresAt: Date; user: UserSummary }> {
  const issuer = s.issuer;
  const mapped = mapStaffClaims(tokens.claims, s);
  const subject = typeof tokens.claims.sub === 'string' ? tokens.claims.sub : null;
  const refuse = async (reason: string, data: Record<string, unknown> = {}): Promise<never> => {
    await auditRefusal(db, clock, 'auth.oidc.refused', issuer, subject, { reason, ...data });
    throw new SignInRefused(reason, `sign-in refused: ${reason}`);
  };
  if (!mapped.ok) return refuse(mapped.reason, { groups: mapped.groups });
  const m = mapped.mapping;
  const agencyId = await agencyIdOf(db, m.agencyCode);
  if (agencyId === undefined) return refuse('unknown_agency', { agency: m.agencyCode, groups: m.groups });

  const out = await withTransaction(db, async (tx) => {
    const now = clock.now();
    const audit = (u: UserRow, action: string, data: Record<string, unknown>) =>
      appendAudit(tx, { at: now, actorId: u.id, actor: u.username, action, entity: 'user', entityId: u.id, data: { issuer, subject: m.subject, ...data } });
    const linked = await tx.query<UserRow>(
      `SELECT u.id, u.username, u.display_name, u.role, u.agency_id, u.active FROM user_identities i JOIN users u ON u.id = i.user_id
        WHERE i.issuer = $1 AND i.subject = $2 FOR UPDATE OF u`,
      [issuer, m.subject],
    );
    let u = linked.rows[0];
    if (u) {
      if (!u.active) return { refused: 'deactivated' as const, user: u };
      await tx.query('UPDATE user_identities SET last_sign_in_at = $3 WHERE issuer = $1 AND subject = $2', [issuer, m.subject, now]);
    } else {
      const byName = await tx.query<UserRow & { other: string | null }>(
        `SELECT u.id, u.username, u.display_name, u.role, u.agency_id, u.active,
                (SELECT i.subject FROM user_identities i WHERE i.user_id = u.id AND i.issuer = $2) AS other
           FROM users u WHERE u.username = $1 FOR UPDATE`,
        [m.username, issuer],
      );
      const existing = byName.rows[0];
      if (existing) {
        if (existing.other !== null || s.linkBy === 'none') return { refused: 'username_taken' as const, user: null };
        if (!existing.active) return { refused: 'deactivated' as const, user: existing };
        u = existing;
        await audit(u, 'auth.oidc.linked', { username: m.username });
      } else {
        const ins = await tx.query<UserRow>(
          `INSERT INTO users (username, display_name, password_hash, role, agency_id) VALUES ($1,$2,NULL,$3,$4)
           RETURNING id, username, display_name, role, agency_id, active`,
          [m.username, m.displayName, m.role, agencyId],
        );
        u = ins.rows[0]!;
        await audit(u, 'auth.oidc.user_created', { role: m.role, agencyId, groups: m.groups, matched: m.matched });
      }
      await tx.query('INSERT INTO user_identities (issuer, subject, user_id, created_at, last_sign_in_at) VALUES ($1,$2,$3,$4,$4)', [
        issuer,
        m.subject,
        u.id,
        now,
      ]);
    }
    u = await applyMapping(tx, clock, u, m, agencyId, issuer);
    const token = newToken();
    const expiresAt = new Date(now.getTime() + opts.ttlSeconds * 1000);
    await tx.query(
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, idp_issuer, idp_subject, idp_id_token, idp_refresh_token, refresh_due_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [tokenHash(token), u.id, now, expiresAt, issuer, m.subject, tokens.idToken, tokens.refreshToken, refreshDue(now, tokens, s)],
    );
    await audit(u, 'auth.login', { via: 'oidc', role: u.role, agencyId: u.agency_id, matched: m.matched });
    return { refused: null, user: u, token, expiresAt };
  });
  if (out.refused) return refuse(out.refused, { userId: out.user?.id ?? null, username: m.username });
  const u = out.user;
  return {
    token: out.token!,
    expiresAt: out.expiresAt!,
    user: { id: u.id, username: u.username, displayName: u.display_name, role: u.role, agencyId: u.agency_id, agencyName: await agencyName(db, u.agency_id) },
  };
}

/**
 * Re-checks a provider session whose refresh_due_at has passed (called by the auth hook; one request refreshes,
 * others wait on the row lock and find it done). The provider refusing the refresh (account disabled, session
 * ended there, token revoked), or claims that no longer map, end the session here: false. The provider being
 * unreachable keeps the session and tries again in a minute.
 */
export async function refreshStaffSession(
  db: Db,
  clock: Clock,
  client: OidcClient,
  s: StaffOidcSettings,
  hash: string,
  log: (msg: string, err: unknown) => void,
): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const now = clock.now();
    const { rows } = await tx.query<{
      user_id: string;
      idp_subject: string;
      idp_refresh_token: string | null;
      refresh_due_at: Date | null;
      username: string;
      display_name: string;
      role: Role;
      agency_id: string | null;
      active: boolean;
    }>(
      `SELECT s.user_id, s.idp_subject, s.idp_refresh_token, s.refresh_due_at, u.username, u.display_name, u.role, u.agency_id, u.active
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.revoked_at IS NULL FOR UPDATE OF s`,
      [hash],
    );
    const r = rows[0];
    if (!r) return false;
    if (!r.refresh_due_at || r.refresh_due_at > now) return true;
    const end = async (reason: string, data: Record<string, unknown> = {}) => {
      await tx.query('UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1', [hash, now]);
      await appendAudit(tx, {
        at: now,
        actorId: r.user_id,
        actor: r.username,
        action: 'auth.oidc.refresh_refused',
        entity: 'user',
        entityId: r.user_id,
        data: { issuer: s.issuer, reason, ...data },
      });
      return false;
    };
    if (!r.idp_refresh_token) return end('no_refresh_token');
    let tokens: ProviderTokens;
    try {
      tokens = await client.refresh(r.idp_refresh_token);
    } catch (err) {
      const why = refusalOf(err);
      // An answer from the provider (invalid_grant and the like) or a bad token: the session ends. No answer: later.
      if ((err as { error?: unknown }).error === undefined && /fetch failed|ECONNREFUSED|timeout|not reachable/i.test(why.detail)) {
        log('provider not reachable for a session refresh; trying again in a minute', err);
        await tx.query('UPDATE sessions SET refresh_due_at = $2 WHERE token_hash = $1', [hash, new Date(now.getTime() + 60_000)]);
        return true;
      }
      return end('provider_refused', why);
    }
    if (tokens.idToken) {
      if (tokens.claims.sub !== r.idp_subject) return end('subject_changed');
      const mapped = mapStaffClaims(tokens.claims, s);
      if (!mapped.ok) return end(mapped.reason, { groups: mapped.groups });
      const agencyId = await agencyIdOf(tx, mapped.mapping.agencyCode);
      if (agencyId === undefined) return end('unknown_agency', { agency: mapped.mapping.agencyCode });
      await applyMapping(
        tx,
        clock,
        { id: r.user_id, username: r.username, display_name: r.display_name, role: r.role, agency_id: r.agency_id, active: r.active },
        mapped.mapping,
        agencyId,
        s.issuer,
      );
    }
    await tx.query('UPDATE sessions SET idp_refresh_token = $2, idp_id_token = COALESCE($3, idp_id_token), refresh_due_at = $4 WHERE token_hash = $1', [
      hash,
      tokens.refreshToken ?? r.idp_refresh_token,
      tokens.idToken,
      refreshDue(now, { ...tokens, refreshToken: tokens.refreshToken ?? r.idp_refresh_token }, s),
    ]);
    return true;
  });
}
