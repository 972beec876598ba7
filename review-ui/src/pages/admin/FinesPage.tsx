import { useState, type FormEvent } from 'react';
import type { NewFineVersionRequest } from '@phatnguoi/core/contracts/api/registry';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { hasMessage, useI18n } from '../../i18n';
import { AdminNav, Field, invalidProps, useFieldErrors } from './AdminKit';

type Draft = Omit<NewFineVersionRequest, 'fineMin' | 'fineMax' | 'points'> & { fineMin: string; fineMax: string; points: string };
const EMPTY: Draft = {
  offence: '',
  vehicleGroup: 'car',
  description: '',
  legalBasis: 'Nghị định 168/2024/NĐ-CP',
  article: '',
  fineMin: '',
  fineMax: '',
  points: '0',
  effectiveFrom: '',
};
/** Whole numbers typed with either language's group separators (1.000.000 or 1,000,000). */
const whole = (s: string) => Number(s.replace(/[.,\s]/g, ''));

/** The fine schedule as versions: each row's range, points, legal basis and dates; a new version closes the one in force. */
export default function FinesPage() {
  const { t, formatNumber, lang } = useI18n();
  const schedule = useApi((signal) => call('GET /api/admin/fines', { signal }), 'fines');
  const offences = useApi((signal) => call('GET /api/admin/fines/offences', { signal }), 'offences');
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const fields = useFieldErrors('adm.fineErr.');
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const offenceName = (o: string) => (hasMessage(`vtype.${o}`) ? t(`vtype.${o}` as 'vtype.red_light') : o);
  const date = (iso: string) =>
    new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'UTC' }).format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    fields.clear();
    try {
      await call('POST /api/admin/fines', { body: { ...draft, fineMin: whole(draft.fineMin), fineMax: whole(draft.fineMax), points: whole(draft.points) } });
      setDone(t('adm.fine.created', { date: date(draft.effectiveFrom) }));
      setDraft(EMPTY);
      schedule.reload();
    } catch (err) {
      fields.take(err);
      setError(err as Error);
    }
  };
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const err = fields.errorFor;
  return (
    <section>
      <AdminNav />
      <h1>{t('adm.fine.title')}</h1>
      <ErrorNote error={schedule.error ?? offences.error ?? error} />
      {done && (
        <p className="done" role="status">
          {done}
        </p>
      )}
      <form className="panel" onSubmit={(e) => void submit(e)} noValidate>
        <h2>{t('adm.fine.add')}</h2>
        <div className="admin-form">
          <Field id="fine-offence" label={t('adm.fine.offence')} error={err('offence')}>
            <select id="fine-offence" value={draft.offence} onChange={set('offence')} {...invalidProps('fine-offence', err('offence'))}>
              <option value="">{t('adm.none')}</option>
              {offences.data?.items.map((o) => (
                <option key={o} value={o}>
                  {offenceName(o)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="fine-group" label={t('adm.fine.vehicleGroup')}>
            <select id="fine-group" value={draft.vehicleGroup} onChange={(e) => setDraft({ ...draft, vehicleGroup: e.target.value as Draft['vehicleGroup'] })}>
              <option value="car">{t('adm.fine.group.car')}</option>
              <option value="motorbike">{t('adm.fine.group.motorbike')}</option>
            </select>
          </Field>
          <div className="wide">
            <Field id="fine-description" label={t('adm.fine.description')}>
              <input id="fine-description" value={draft.description} onChange={set('description')} />
            </Field>
          </div>
          <Field id="fine-basis" label={t('adm.fine.legalBasis')}>
            <input id="fine-basis" value={draft.legalBasis} onChange={set('legalBasis')} />
          </Field>
          <Field id="fine-article" label={t('adm.fine.article')}>
            <input id="fine-article" value={draft.article} onChange={set('article')} />
          </Field>
          <Field id="fine-min" label={t('adm.fine.min')}>
            <input id="fine-min" inputMode="numeric" value={draft.fineMin} onChange={set('fineMin')} />
          </Field>
          <Field id="fine-max" label={t('adm.fine.max')} error={err('fineMax')}>
            <input id="fine-max" inputMode="numeric" value={draft.fineMax} onChange={set('fineMax')} {...invalidProps('fine-max', err('fineMax'))} />
          </Field>
          <Field id="fine-points" label={t('adm.fine.points')}>
            <input id="fine-points" inputMode="numeric" value={draft.points} onChange={set('points')} />
          </Field>
          <Field id="fine-from" label={t('adm.fine.from')}>
            <input id="fine-from" type="date" value={draft.effectiveFrom} onChange={set('effectiveFrom')} />
          </Field>
        </div>
        <button type="submit" className="primary">
          {t('adm.fine.add')}
        </button>
      </form>
      {schedule.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('adm.fine.offence')}</th>
              <th scope="col">{t('adm.fine.vehicleGroup')}</th>
              <th scope="col">{t('adm.fine.range')}</th>
              <th scope="col">{t('adm.fine.points')}</th>
              <th scope="col">{t('adm.fine.legalBasis')}</th>
              <th scope="col">{t('adm.fine.from')}</th>
              <th scope="col">{t('adm.fine.to')}</th>
            </tr>
          </thead>
          <tbody>
            {schedule.data.items.map((f) => (
              <tr key={f.id}>
                <th scope="row">
                  {offenceName(f.offence)}
                  <div className="hint">{f.description}</div>
                </th>
                <td>{t(`adm.fine.group.${f.vehicleGroup as 'car' | 'motorbike'}`)}</td>
                <td>
                  {formatNumber(f.fineMin)} – {formatNumber(f.fineMax)} ₫
                </td>
                <td>{formatNumber(f.points)}</td>
                <td>
                  {f.article}, {f.legalBasis}
                </td>
                <td>{date(f.effectiveFrom)}</td>
                <td>{f.effectiveTo ? date(f.effectiveTo) : <span className="badge ok">{t('adm.fine.inForce')}</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
