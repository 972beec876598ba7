// The state of a sign-in between the redirect to the provider and its callback: one row per sign-in started,
// keyed by the hash of its state, holding the nonce and the PKCE verifier, used once (the callback deletes it)
// and for ten minutes at most. The browser that started it holds the state in a cookie the callback compares.
import { createHash } from 'node:crypto';
import type { Db } from '@phatnguoi/core/db';
import { UserError } from '@phatnguoi/core/errors';
import type { Clock } from '../clock';
import type { LoginChecks } from './client';

export type Audience = 'staff' | 'citizen';
export const LOGIN_STATE_SECONDS = 600;
/** The cookie (per audience) that binds a callback to the browser that started the sign-in. */
export const stateCookie = (audience: Audience) => `pn_oidc_${audience}`;

/** A sign-in the api refuses; `code` is what the sign-in page explains and what the audit entry records. */
export class SignInRefused extends UserError {
  constructor(
    code: string,
    message: string,
    readonly facts: Record<string, unknown> = {},
  ) {
    super(code, message, 401);
  }
}

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export async function saveLoginState(db: Db, clock: Clock, audience: Audience, checks: LoginChecks): Promise<void> {
  const now = clock.now();
  await db.query('INSERT INTO oidc_logins (state_hash, audience, nonce, code_verifier, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6)', [
    hashState(checks.state),
    audience,
    checks.nonce,
    checks.codeVerifier,
    now,
    new Date(now.getTime() + LOGIN_STATE_SECONDS * 1000),
  ]);
  // Sign-ins abandoned at the provider leave rows behind: a few are swept with each new one.
  await db.query('DELETE FROM oidc_logins WHERE state_hash IN (SELECT state_hash FROM oidc_logins WHERE expires_at < $1 LIMIT 100)', [now]);
}

/**
 * The checks of the sign-in this callback answers, taken out (a second callback with the same state finds nothing):
 * refused when the query's state is not the browser's, is unknown or used, belongs to the other audience, or expired.
 */
export async function takeLoginState(
  db: Db,
  clock: Clock,
  audience: Audience,
  queryState: string | undefined,
  cookieState: string | undefined,
): Promise<LoginChecks> {
  if (!queryState) throw new SignInRefused('state_missing', 'the provider answered without a state');
  if (!cookieState || cookieState !== queryState) throw new SignInRefused('state_mismatch', 'this sign-in was not started in this browser');
  const { rows } = await db.query<{ audience: Audience; nonce: string; code_verifier: string; expires_at: Date }>(
    'DELETE FROM oidc_logins WHERE state_hash = $1 RETURNING audience, nonce, code_verifier, expires_at',
    [hashState(queryState)],
  );
  const row = rows[0];
  if (!row || row.audience !== audience) throw new SignInRefused('state_unknown', 'this sign-in is unknown or was already used');
  if (row.expires_at <= clock.now()) throw new SignInRefused('state_expired', 'this sign-in took too long; start again');
  return { state: queryState, nonce: row.nonce, codeVerifier: row.code_verifier };
}
