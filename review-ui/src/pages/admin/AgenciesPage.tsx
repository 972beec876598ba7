import { useState, type FormEvent } from 'react';
import type { Agency } from '@phatnguoi/core/contracts/api/auth';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { AdminNav, Field } from './AdminKit';

const KINDS: Agency['kind'][] = ['traffic_police', 'commune_police', 'inspection', 'registration'];
type Draft = { code: string; name: string; kind: Agency['kind']; provinceCode: string; commune: string; phone: string; address: string };
const EMPTY: Draft = { code: '', name: '', kind: 'traffic_police', provinceCode: '', commune: '', phone: '', address: '' };
const draftOf = (a: Agency): Draft => ({
  code: a.code,
  name: a.name,
  kind: a.kind,
  provinceCode: a.provinceCode,
  commune: a.commune ?? '',
  phone: a.phone ?? '',
  address: a.address ?? '',
});

/** Agencies with their jurisdiction (province, commune) and contact: add one, change one. */
export default function AgenciesPage() {
  const { t } = useI18n();
  const list = useApi((signal) => call('GET /api/admin/agencies', { signal }), 'agencies');
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editId, setEditId] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    const { code, ...rest } = draft;
    const optional = { commune: draft.commune || null, phone: draft.phone || null, address: draft.address || null };
    try {
      if (editId) await call('PATCH /api/admin/agencies/:id', { params: { id: editId }, body: { ...rest, ...optional } });
      else
        await call('POST /api/admin/agencies', {
          body: {
            code,
            ...rest,
            commune: draft.commune || undefined,
            phone: draft.phone || undefined,
            address: draft.address || undefined,
          },
        });
      setDone(t(editId ? 'adm.agency.updated' : 'adm.agency.created', { name: draft.name }));
      setDraft(EMPTY);
      setEditId(null);
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const text = (k: keyof Draft, label: string, hint?: string) => (
    <Field id={`agency-${k}`} label={label} hint={hint}>
      <input id={`agency-${k}`} value={draft[k]} disabled={k === 'code' && editId !== null} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />
    </Field>
  );
  return (
    <section>
      <AdminNav />
      <h1>{t('adm.agency.title')}</h1>
      <ErrorNote error={list.error ?? error} />
      {done && (
        <p className="done" role="status">
          {done}
        </p>
      )}
      <form className="panel" onSubmit={(e) => void submit(e)} noValidate>
        <h2>{editId ? t('adm.agency.edit') : t('adm.agency.add')}</h2>
        <div className="admin-form">
          {text('code', t('adm.agency.code'), t('adm.agency.codeHint'))}
          {text('name', t('adm.agency.name'))}
          <Field id="agency-kind" label={t('adm.agency.kind')}>
            <select id="agency-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as Agency['kind'] })}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`adm.agency.kind.${k}`)}
                </option>
              ))}
            </select>
          </Field>
          {text('provinceCode', t('adm.agency.province'))}
          {text('commune', t('adm.agency.commune'))}
          {text('phone', t('adm.agency.phone'))}
          <div className="wide">{text('address', t('adm.agency.address'))}</div>
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            {editId ? t('adm.save') : t('adm.agency.add')}
          </button>
          {editId && (
            <button type="button" onClick={() => (setEditId(null), setDraft(EMPTY))}>
              {t('adm.cancel')}
            </button>
          )}
        </div>
      </form>
      {list.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('adm.agency.code')}</th>
              <th scope="col">{t('adm.agency.name')}</th>
              <th scope="col">{t('adm.agency.kind')}</th>
              <th scope="col">{t('adm.agency.jurisdiction')}</th>
              <th scope="col">{t('adm.agency.phone')}</th>
              <th scope="col">{t('adm.agency.address')}</th>
              <th scope="col">{t('adm.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((a) => (
              <tr key={a.id} data-agency={a.code}>
                <th scope="row">{a.code}</th>
                <td>{a.name}</td>
                <td>{t(`adm.agency.kind.${a.kind}`)}</td>
                <td>{[a.commune, a.provinceCode].filter(Boolean).join(', ')}</td>
                <td>{a.phone ?? t('adm.none')}</td>
                <td>{a.address ?? t('adm.none')}</td>
                <td>
                  <button type="button" onClick={() => (setEditId(a.id), setDraft(draftOf(a)))}>
                    {t('adm.agency.edit')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
