import { useState, type FormEvent } from 'react';
import type { ApiTokenList, CreateApiTokenResponse } from '@phatnguoi/core/contracts/api/auth';
import { api } from '../../api/client';
import { adminPaths } from '../../api/admin-paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { AdminNav, Field } from './AdminKit';

/** Worker tokens (detectors posting events, scripts): create one (shown once), revoke one. */
export default function TokensPage() {
  const { t, formatDateTime } = useI18n();
  const list = useApi((signal) => api.get<ApiTokenList>(adminPaths.tokens, undefined, signal), 'tokens');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreateApiTokenResponse | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const act = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      setCreated(await api.post<CreateApiTokenResponse>(adminPaths.tokens, { name, role: 'worker' }));
      setName('');
    });
  };
  return (
    <section>
      <AdminNav />
      <h1>{t('adm.token.title')}</h1>
      <ErrorNote error={list.error ?? error} />
      <form className="panel" onSubmit={create} noValidate>
        <Field id="token-name" label={t('adm.token.name')}>
          <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" className="primary">
          {t('adm.token.add')}
        </button>
        {created && (
          <div role="status">
            <p>{t('adm.token.created')}</p>
            <p className="token-secret" data-testid="token-secret">
              {created.token}
            </p>
          </div>
        )}
      </form>
      {list.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('adm.token.name')}</th>
              <th scope="col">{t('adm.token.createdBy')}</th>
              <th scope="col">{t('adm.token.createdAt')}</th>
              <th scope="col">{t('adm.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.name}</th>
                <td>{k.createdBy ?? t('adm.none')}</td>
                <td>{formatDateTime(k.createdAt)}</td>
                <td>
                  {k.revokedAt ? (
                    `${t('adm.token.revoked')} ${formatDateTime(k.revokedAt)}`
                  ) : (
                    <button type="button" className="danger" onClick={() => void act(async () => void (await api.post(adminPaths.revokeToken(k.id))))}>
                      {t('adm.token.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
