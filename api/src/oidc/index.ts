// The api's sign-in through OpenID providers, as one object the app decorates itself with (`app.signIn`): the
// settings, a client per audience (null when not configured), and the staff session re-check the auth hook calls.
import type { Db } from '@phatnguoi/core/db';
import type { Clock } from '../clock';
import { OidcClient } from './client';
import type { SignInSettings } from './settings';
import { refreshStaffSession } from './staff';

export const STAFF_CALLBACK_PATH = '/api/auth/oidc/callback';
export const CITIZEN_CALLBACK_PATH = '/api/citizen/oidc/callback';

export class SignIn {
  readonly staff: OidcClient | null;
  readonly citizen: OidcClient | null;

  constructor(
    readonly settings: SignInSettings,
    readonly publicBaseUrl: string,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    const base = publicBaseUrl.replace(/\/$/, '');
    this.staff = settings.staff ? new OidcClient(settings.staff, base + STAFF_CALLBACK_PATH) : null;
    this.citizen = settings.citizen ? new OidcClient(settings.citizen, base + CITIZEN_CALLBACK_PATH) : null;
  }

  /** Called by the auth hook for a session whose re-check is due; false: the session has ended. */
  async refreshStaffSession(hash: string, log: { warn: (obj: unknown, msg: string) => void }): Promise<boolean> {
    if (!this.staff || !this.settings.staff) {
      // The provider was configured when the session began and is not any more: the session cannot be re-checked.
      await this.db.query('UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [hash, this.clock.now()]);
      return false;
    }
    return refreshStaffSession(this.db, this.clock, this.staff, this.settings.staff, hash, (msg, err) => log.warn({ err }, msg));
  }
}
