import { useState, type FormEvent } from 'react';
import type { AdminUserList } from '@phatnguoi/core/contracts/api/auth';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { AdminNav, Field, invalidProps, useFieldErrors } from './AdminKit';

type User = AdminUserList['items'][number];
const ROLES: Role[] = ['officer', 'supervisor', 'operator', 'admin'];
const EMPTY = { username: '', displayName: '', password: '', role: 'officer' as Role, agencyId: '' };

/** Users: create; per user change role/agency, reset the password, end sessions, deactivate or reactivate. */
export default function UsersPage() {
  const { t } = useI18n();
  const users = useApi((signal) => call('GET /api/admin/users', { signal }), 'users');
  const agencies = useApi((signal) => call('GET /api/admin/agencies', { signal }), 'agencies');
  const [form, setForm] = useState(EMPTY);
  const fields = useFieldErrors('adm.userErr.');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: string; role: Role; agencyId: string; password: string } | null>(null);

  const run = async (fn: () => Promise<string>) => {
    setError(null);
    setDone(null);
    fields.clear();
    try {
      setDone(await fn());
      users.reload();
    } catch (e) {
      fields.take(e);
      setError(e as Error);
    }
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await call('POST /api/admin/users', { body: { ...form, agencyId: form.agencyId || null } });
      setForm(EMPTY);
      return t('adm.user.created', { name: form.username });
    });
  };
  const setActive = (u: User, active: boolean) => {
    if (!active && !window.confirm(t('adm.user.confirmDeactivate', { name: u.displayName }))) return;
    void run(async () => {
      const r = await call(active ? 'POST /api/admin/users/:id/activate' : 'POST /api/admin/users/:id/deactivate', { params: { id: u.id } });
      return active ? t('adm.user.activated', { name: u.username }) : t('adm.user.deactivated', { name: u.username, n: r.sessionsRevoked });
    });
  };
  const revoke = (u: User) =>
    void run(async () =>
      t('adm.user.revoked', { name: u.username, n: (await call('POST /api/admin/users/:id/sessions/revoke', { params: { id: u.id } })).sessionsRevoked }),
    );
  const saveEdit = (u: User) => {
    if (!editing) return;
    void run(async () => {
      if (editing.role !== u.role || editing.agencyId !== (u.agencyId ?? ''))
        await call('PATCH /api/admin/users/:id', { params: { id: u.id }, body: { role: editing.role, agencyId: editing.agencyId || null } });
      let message = t('adm.user.updated', { name: u.username });
      if (editing.password) {
        const r = await call('POST /api/admin/users/:id/password', { params: { id: u.id }, body: { password: editing.password } });
        message = t('adm.user.passwordReset', { name: u.username, n: r.sessionsRevoked });
      }
      setEditing(null);
      return message;
    });
  };

  const agencyOptions = (
    <>
      <option value="">{t('adm.user.noAgency')}</option>
      {agencies.data?.items.map((a) => (
        <option key={a.id} value={a.id}>
          {a.name}
        </option>
      ))}
    </>
  );
  const err = fields.errorFor;
  return (
    <section>
      <AdminNav />
      <h1>{t('adm.user.title')}</h1>
      <ErrorNote error={users.error ?? agencies.error ?? error} />
      {done && (
        <p className="done" role="status">
          {done}
        </p>
      )}
      <form className="panel" onSubmit={create} noValidate aria-label={t('adm.user.add')}>
        <h2>{t('adm.user.add')}</h2>
        <div className="admin-form">
          <Field id="user-name" label={t('adm.user.username')} hint={t('adm.user.usernameHint')} error={err('username')}>
            <input
              id="user-name"
              value={form.username}
              autoComplete="off"
              onChange={(e) => setForm({ ...form, username: e.target.value })}
              {...invalidProps('user-name', err('username'))}
            />
          </Field>
          <Field id="user-display" label={t('adm.user.displayName')}>
            <input id="user-display" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
          </Field>
          <Field id="user-password" label={t('adm.user.password')}>
            <input
              id="user-password"
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
            />
          </Field>
          <Field id="user-role" label={t('adm.user.role')}>
            <select id="user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="user-agency" label={t('adm.user.agency')} error={err('agencyId')}>
            <select
              id="user-agency"
              value={form.agencyId}
              onChange={(e) => setForm({ ...form, agencyId: e.target.value })}
              {...invalidProps('user-agency', err('agencyId'))}
            >
              {agencyOptions}
            </select>
          </Field>
        </div>
        <button type="submit" className="primary">
          {t('adm.user.add')}
        </button>
      </form>
      {users.data && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('adm.user.username')}</th>
                <th scope="col">{t('adm.user.displayName')}</th>
                <th scope="col">{t('adm.user.role')}</th>
                <th scope="col">{t('adm.user.agency')}</th>
                <th scope="col">{t('adm.user.status')}</th>
                <th scope="col">{t('adm.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id} data-user={u.username}>
                  <th scope="row">{u.username}</th>
                  <td>{u.displayName}</td>
                  <td>
                    {editing?.id === u.id ? (
                      <select aria-label={t('adm.user.role')} value={editing.role} onChange={(e) => setEditing({ ...editing, role: e.target.value as Role })}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {t(`role.${r}`)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      t(`role.${u.role}`)
                    )}
                  </td>
                  <td>
                    {editing?.id === u.id ? (
                      <select aria-label={t('adm.user.agency')} value={editing.agencyId} onChange={(e) => setEditing({ ...editing, agencyId: e.target.value })}>
                        {agencyOptions}
                      </select>
                    ) : (
                      (u.agencyName ?? t('adm.none'))
                    )}
                  </td>
                  <td>
                    <span className={`badge ${u.active ? 'ok' : 'bad'}`}>{u.active ? t('adm.user.active') : t('adm.user.inactive')}</span>
                  </td>
                  <td>
                    {editing?.id === u.id ? (
                      <div className="row">
                        <label className="field">
                          {t('adm.user.newPassword', { name: u.username })}
                          <input
                            type="password"
                            autoComplete="new-password"
                            value={editing.password}
                            onChange={(e) => setEditing({ ...editing, password: e.target.value })}
                          />
                        </label>
                        <button type="button" className="primary" onClick={() => saveEdit(u)}>
                          {t('adm.save')}
                        </button>
                        <button type="button" onClick={() => setEditing(null)}>
                          {t('adm.cancel')}
                        </button>
                      </div>
                    ) : (
                      <div className="row">
                        <button type="button" onClick={() => setEditing({ id: u.id, role: u.role, agencyId: u.agencyId ?? '', password: '' })}>
                          {t('adm.user.change')} · {t('adm.user.reset')}
                        </button>
                        <button type="button" onClick={() => revoke(u)}>
                          {t('adm.user.revoke')}
                        </button>
                        {u.active ? (
                          <button type="button" className="danger" onClick={() => setActive(u, false)}>
                            {t('adm.user.deactivate')}
                          </button>
                        ) : (
                          <button type="button" onClick={() => setActive(u, true)}>
                            {t('adm.user.activate')}
                          </button>
                        )}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
