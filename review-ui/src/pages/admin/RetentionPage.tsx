import { useEffect, useState, type FormEvent } from 'react';
import { RETENTION_FIELDS, RETENTION_LIMITS, type RetentionField } from '@phatnguoi/core/contracts/values';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n, type MessageKey } from '../../i18n';
import { AdminNav, Field, useFieldErrors } from './AdminKit';

const LABEL: Record<RetentionField, MessageKey> = {
  evidenceDays: 'adm.ret.evidenceDays',
  clipDays: 'adm.ret.clipDays',
  rejectedDays: 'adm.ret.rejectedDays',
  logDays: 'adm.ret.logDays',
  publicDays: 'adm.ret.publicDays',
};
const RUN_COUNTS = ['evidenceObjects', 'clipObjects', 'rejectedObjects', 'rejectedCasesScrubbed', 'logRows', 'unpublished', 'heldCases'] as const;

/** How long evidence, clips, rejected cases, logs and public entries are kept; the nightly purge's last run. */
export default function RetentionPage() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const current = useApi((signal) => call('GET /api/admin/retention', { signal }), 'retention');
  const [form, setForm] = useState<Record<RetentionField, string> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  const fields = useFieldErrors('adm.ret.err.');
  useEffect(() => {
    if (current.data) setForm(Object.fromEntries(RETENTION_FIELDS.map((f) => [f, String(current.data![f])])) as Record<RetentionField, string>);
  }, [current.data]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setError(null);
    setSaved(false);
    fields.clear();
    try {
      // a field left as text is sent as text: the server names it (never a silent NaN)
      const body = Object.fromEntries(RETENTION_FIELDS.map((f) => [f, /^\s*-?\d+(\.\d+)?\s*$/.test(form[f]) ? Number(form[f]) : form[f]]));
      await call('PUT /api/admin/retention', { body });
      setSaved(true);
      current.reload();
    } catch (err) {
      fields.take(err);
      setError(err as Error);
    }
  };
  const run = current.data?.lastRun;
  return (
    <section>
      <AdminNav />
      <h1>{t('adm.ret.title')}</h1>
      <p>{t('adm.ret.intro')}</p>
      <ErrorNote error={current.error ?? error} />
      {form && (
        <form className="panel" onSubmit={(e) => void save(e)} noValidate data-testid="retention-form">
          {RETENTION_FIELDS.map((f) => {
            const id = `ret-${f}`;
            const err = fields.errorFor(`/${f}`);
            return (
              <Field
                key={f}
                id={id}
                label={t(LABEL[f])}
                error={err}
                hint={t('adm.ret.range', { min: RETENTION_LIMITS[f].min, max: formatNumber(RETENTION_LIMITS[f].max) })}
              >
                <input
                  id={id}
                  inputMode="numeric"
                  value={form[f]}
                  onChange={(e) => setForm({ ...form, [f]: e.target.value })}
                  aria-describedby={`${id}-hint${err ? ` ${id}-error` : ''}`}
                  {...(err ? { 'aria-invalid': true } : {})}
                />
              </Field>
            );
          })}
          <button type="submit" className="primary">
            {t('adm.save')}
          </button>
          {saved && <p role="status">{t('adm.saved')}</p>}
        </form>
      )}
      <h2>{t('adm.ret.lastRun')}</h2>
      {run ? (
        <dl className="retention-run" data-testid="retention-run">
          <dt>{t('adm.ret.runAt')}</dt>
          <dd>{formatDateTime(run.at)}</dd>
          {RUN_COUNTS.map((k) => (
            <div key={k}>
              <dt>{t(`adm.ret.run.${k}`)}</dt>
              <dd>{formatNumber(run[k])}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p>{t('adm.ret.noRun')}</p>
      )}
    </section>
  );
}
