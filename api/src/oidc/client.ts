// One OpenID provider as the api uses it, through openid-client (no JOSE of our own): discovery (cached, retried
// after a failure), the authorization code flow with PKCE, state and nonce, ID token checks including its
// signature (non-repudiation checks on: the token endpoint's ID token is verified against the provider's JWKS),
// refresh, revocation and the provider's end-session URL.
import * as oidc from 'openid-client';
import { OperationalError } from '@phatnguoi/core/errors';
import type { ProviderSettings } from './settings';
import type { Claims } from './claims';

export interface LoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface ProviderTokens {
  claims: Claims;
  idToken: string | null;
  refreshToken: string | null;
  /** Seconds the access token lives, as the provider said (null: not said). */
  expiresIn: number | null;
}

/**
 * Why the provider's answer was refused, for the audit entry: the OAuth error or the library's code, and its message
 * with the causes it wraps ("invalid response encountered: unexpected JWT "aud" claim value").
 */
export function refusalOf(err: unknown): { code: string; detail: string } {
  const messages: string[] = [];
  let code: string | null = null;
  for (
    let e = err as { code?: unknown; error?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e !== 'object') {
      messages.push(String(e));
      break;
    }
    code ??= typeof e.error === 'string' ? e.error : null;
    if (typeof e.message === 'string' && e.message) messages.push(e.message);
    if (!code && typeof e.code === 'string' && depth > 0) code = e.code;
  }
  const top = err as { code?: unknown } | undefined;
  return { code: code ?? (typeof top?.code === 'string' ? top.code : 'error'), detail: messages.join(': ').slice(0, 300) };
}

export class OidcClient {
  private config: Promise<oidc.Configuration> | null = null;

  constructor(
    readonly settings: ProviderSettings,
    readonly redirectUri: string,
  ) {}

  get issuer(): string {
    return this.settings.issuer;
  }

  private configuration(): Promise<oidc.Configuration> {
    const s = this.settings;
    this.config ??= oidc
      .discovery(new URL(s.issuer), s.clientId, { client_secret: s.clientSecret }, oidc.ClientSecretBasic(s.clientSecret), {
        execute: [oidc.enableNonRepudiationChecks, ...(s.allowHttp ? [oidc.allowInsecureRequests] : [])],
        timeout: 10,
      })
      .catch((err: unknown) => {
        // Not cached: the next sign-in tries discovery again.
        this.config = null;
        throw new OperationalError('provider_unavailable', `the identity provider ${s.issuer} is not reachable: ${refusalOf(err).detail}`, { cause: err });
      });
    return this.config;
  }

  /** Where to send the browser, and what the callback must match. */
  async startLogin(): Promise<{ url: string; checks: LoginChecks }> {
    const config = await this.configuration();
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, checks };
  }

  /** The callback's query exchanged for tokens; throws when any check fails (state, iss, PKCE, signature, aud, nonce, expiry). */
  async finishLogin(callbackQuery: string, checks: LoginChecks): Promise<ProviderTokens> {
    const config = await this.configuration();
    // The URL the provider redirected to is rebuilt from the configured redirect URI (a proxy may have changed the host).
    const current = new URL(this.redirectUri);
    current.search = callbackQuery;
    const res = await oidc.authorizationCodeGrant(config, current, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.codeVerifier,
      idTokenExpected: true,
    });
    return tokensOf(res);
  }

  /** A refresh grant; its ID token (when the provider sends one) is checked like the first. */
  async refresh(refreshToken: string): Promise<ProviderTokens> {
    const config = await this.configuration();
    return tokensOf(await oidc.refreshTokenGrant(config, refreshToken));
  }

  /** The provider's end-session URL for this ID token, or null when the provider has none. */
  async endSessionUrl(idToken: string | null, postLogoutRedirectUri: string): Promise<string | null> {
    const config = await this.configuration().catch(() => null);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(config, {
      ...(idToken ? { id_token_hint: idToken } : {}),
      client_id: this.settings.clientId,
      post_logout_redirect_uri: postLogoutRedirectUri,
    }).href;
  }

  /** Best effort: tells the provider a refresh token is no longer wanted. */
  async revoke(token: string): Promise<void> {
    const config = await this.configuration();
    if (config.serverMetadata().revocation_endpoint) await oidc.tokenRevocation(config, token, { token_type_hint: 'refresh_token' });
  }
}

function tokensOf(res: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): ProviderTokens {
  const claims = res.claims();
  return {
    claims: (claims ?? {}) as Claims,
    idToken: res.id_token ?? null,
    refreshToken: res.refresh_token ?? null,
    expiresIn: typeof res.expires_in === 'number' ? res.expires_in : null,
  };
}
