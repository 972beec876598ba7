// A real OpenID provider (the `oidc-provider` package, certified OpenID Connect) run as its own process, standing
// in for the province's identity platform (staff) and the VNeID-backed one (citizens) in the tests and the demo.
//   tsx e2e/src/oidc-provider.ts --config provider.json    issuer, port, clients, accounts and signing key from a file
//   tsx e2e/src/oidc-provider.ts --demo                    the demo's: staff of the demo agency and the owners of the
//                                                          demo registry's vehicles (OIDC_DEMO_* environment)
// Accounts sign in with a password on the provider's own page; consent is implied for the configured clients
// (first-party), as a province's platform does for its own services. Prints `listening <issuer>` when ready.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export interface ProviderAccount {
  sub: string;
  /** What the account types on the sign-in page. */
  login: string;
  password: string;
  /** Claims released in the ID token (name, preferred_username, groups, agency, citizen_id, ...). */
  claims: Record<string, unknown>;
}

export interface ProviderClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
}

export interface ProviderConfig {
  issuer: string;
  port: number;
  host?: string;
  /** A JWKS file with the private signing key(s); generated (and written there) when missing. */
  jwksFile: string;
  clients: ProviderClient[];
  accounts: ProviderAccount[];
  /** Seconds an access token lives (default 300); a session past it is re-checked with a refresh. */
  accessTokenTtl?: number;
  /** Page title on the sign-in page. */
  title?: string;
}

/** The private signing keys: read from the file, or made (RS256) and written there for the next start. */
export async function signingKeys(file: string): Promise<{ keys: JWK[] }> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { keys: JWK[] };
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  return { keys: [jwk] };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;font-size:1rem}button{margin-top:1.5rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#b00020}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;
}

function loginForm(uid: string, title: string, error?: string, login = ''): string {
  return page(
    title,
    `${error ? `<p role="alert" class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">Tài khoản (Account)</label><input id="login" name="login" value="${esc(login)}" required autofocus>
<label for="password">Mật khẩu (Password)</label><input id="password" name="password" type="password" required>
<button type="submit">Đăng nhập (Sign in)</button></form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function createIdentityProvider(
  cfg: ProviderConfig,
): Promise<{ provider: Provider; handle: (req: IncomingMessage, res: ServerResponse) => void }> {
  const accounts = new Map(cfg.accounts.map((a) => [a.sub, a]));
  const byLogin = new Map(cfg.accounts.map((a) => [a.login.toLowerCase(), a]));
  const claimNames = [...new Set(cfg.accounts.flatMap((a) => Object.keys(a.claims)))];
  const title = cfg.title ?? 'Cổng định danh (demo)';
  const configuration: Configuration = {
    clients: cfg.clients.map((c) => ({
      ...c,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: await signingKeys(cfg.jwksFile),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // Every claim with the `profile` scope: the clients are the province's own services.
    claims: { openid: ['sub'], profile: claimNames.filter((n) => n !== 'sub') },
    // The claims go in the ID token itself (as Keycloak's mappers put them with "Add to ID token"), not only userinfo.
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      return a ? { accountId: sub, claims: () => ({ sub, ...a.claims }) } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page(
            title,
            `<p>Đăng xuất khỏi cổng định danh? (Sign out of the identity provider?)</p>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất (Sign out)</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page(title, '<p>Đã đăng xuất. (Signed out.)</p>');
        },
      },
    },
    pkce: { required: () => true },
    ttl: { AccessToken: cfg.accessTokenTtl ?? 300, IdToken: 300, RefreshToken: 8 * 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    // Refresh tokens without offline_access, as Keycloak issues them: the client re-checks the session with them.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Consent implied for the configured (first-party) clients: a grant of what they ask is made at sign-in.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  };
  const provider = new Provider(cfg.issuer, configuration);
  // Behind the tests' proxy the issuer's host differs from the socket's; the provider trusts X-Forwarded-* then.
  provider.proxy = true;
  const callback = provider.callback();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!m) {
      callback(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== m[1]) throw new Error('interaction mismatch');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      if (req.method === 'GET' && !m[2]) {
        res.end(loginForm(details.uid, title));
        return;
      }
      if (req.method !== 'POST' || !m[2]) {
        res.statusCode = 405;
        res.end();
        return;
      }
      const form = await readForm(req);
      const login = form.get('login') ?? '';
      const a = byLogin.get(login.toLowerCase());
      if (!a || a.password !== (form.get('password') ?? '')) {
        res.statusCode = 401;
        res.end(loginForm(details.uid, title, 'Sai tài khoản hoặc mật khẩu. (Wrong account or password.)', login));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: a.sub } }, { mergeWithLastSubmission: false });
    })().catch((err: unknown) => {
      if (!res.headersSent) {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
      }
      res.end(`sign-in failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
  return { provider, handle };
}

export async function startIdentityProvider(cfg: ProviderConfig): Promise<{ close: () => Promise<void> }> {
  const { handle } = await createIdentityProvider(cfg);
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host ?? '127.0.0.1', resolve);
  });
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--config');
  let configs: ProviderConfig[];
  if (at >= 0 && args[at + 1]) configs = [JSON.parse(readFileSync(args[at + 1]!, 'utf8')) as ProviderConfig | ProviderConfig[]].flat();
  else if (args.includes('--demo')) configs = await (await import('./oidc-demo-accounts')).demoProviderConfigs(process.env);
  else throw new Error('usage: oidc-provider.ts --config FILE (one provider or a list) | --demo');
  for (const cfg of configs) {
    await startIdentityProvider(cfg);
    process.stdout.write(`listening ${cfg.issuer}\n`);
    if (!args.includes('--demo')) continue;
    for (const a of cfg.accounts.slice(0, 6)) process.stdout.write(`  ${a.login.padEnd(14)} ${a.password.padEnd(22)} ${String(a.claims.name ?? '')}\n`);
    if (cfg.accounts.length > 6) process.stdout.write(`  … and ${cfg.accounts.length - 6} more (the same password)\n`);
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(0));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
