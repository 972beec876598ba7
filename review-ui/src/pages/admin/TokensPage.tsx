import { useState, type FormEvent } from 'react';
import type { CreateApiTokenResponse } from '@phatnguoi/core/contracts/api/auth';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { AdminNav, Field } from './AdminKit';

/** Worker tokens (detectors posting events, scripts): create one (shown once), revoke one. */
export default function TokensPage() {
  const { t, formatDateTime } = useI18n();
  const list = useApi((signal) => call('GET /api/admin/tokens', { signal }), 'tokens');
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
      setCreated(await call('POST /api/admin/tokens', { body: { name, role: 'worker' } }));
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
                    <button
                      type="button"
                      className="danger"
                      onClick={() => void act(async () => void (await call('POST /api/admin/tokens/:id/revoke', { params: { id: k.id } })))}
                    >
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
