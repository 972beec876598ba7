import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { signInStart } from '../api/paths';
import { apiErrorText } from '../components/ErrorNote';
import { HOME_OF, useAuth } from '../auth';
import { signInErrorKey, useSignInOptions } from '../components/useSignInOptions';
import { useI18n } from '../i18n';
import { useRouter } from '../router';

export function LoginPage() {
  const { t } = useI18n();
  const { login } = useAuth();
  const { navigate, search } = useRouter();
  const options = useSignInOptions();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refused = search.get('error');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await login({ username, password });
      const next = search.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : HOME_OF[user.role], { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('auth.badCredentials'));
      else if (err instanceof ApiError && err.status === 403 && err.code === 'local_login_disabled') setError(t('auth.localDisabled'));
      else if (err instanceof ApiError && err.status === 429) setError(t('auth.tooMany'));
      else if (err instanceof ApiError && err.status === 423) setError(t('auth.locked'));
      else setError(err instanceof Error ? apiErrorText(t, err) : t('error.network'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel narrow">
      <h1>{t('auth.title')}</h1>
      {refused && (
        <p role="alert" className="error" data-testid="sign-in-refused">
          {t('oidc.refused', { reason: t(signInErrorKey(refused)) })}
        </p>
      )}
      {options?.staffProvider && (
        <p>
          {/* A full-page navigation: the api answers with a redirect to the provider. */}
          <a className="button primary" href={signInStart.staff}>
            {t('oidc.staffButton')}
          </a>
        </p>
      )}
      {options?.local === 'off' ? (
        <p>{t('oidc.localOff')}</p>
      ) : (
        <>
          {options?.staffProvider && <h2>{t('oidc.orLocal')}</h2>}
          {options?.local === 'break_glass' && <p className="hint">{t('oidc.breakGlass')}</p>}
          <form onSubmit={submit} noValidate>
            <div className="field">
              <label htmlFor="username">{t('auth.username')}</label>
              <input id="username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="password">{t('auth.password')}</label>
              <input
                id="password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
            {error && (
              <p role="alert" className="error">
                {error}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy || !username || !password}>
              {t('auth.submit')}
            </button>
          </form>
        </>
      )}
    </section>
  );
}
