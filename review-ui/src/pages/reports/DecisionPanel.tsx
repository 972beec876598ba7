// The penalty decision of a case whose owner came forward: recorded here (amount within the fine schedule's range,
// points, number, date, who signs), then printed as a PDF; shows whether it was paid.
import { useState, type FormEvent } from 'react';
import type { RecordDecisionRequest } from '@phatnguoi/core/contracts/api/reports';
import { ApiError, apiUrl, call } from '../../api/client';
import { reportPaths } from '../../api/reports-paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { formatDay as day, formatVnd as money } from './format';

export function DecisionPanel({ caseId, editable, onChanged }: { caseId: string; editable: boolean; onChanged?: () => void }) {
  const { t, lang, formatNumber, formatDateTime } = useI18n();
  const current = useApi((signal) => call('GET /api/cases/:id/decision', { params: { id: caseId }, signal }), caseId);
  const [form, setForm] = useState({ amount: '', points: '', number: '', decidedOn: '', officerName: '', officerTitle: '' });
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fieldError = (name: string) => (error instanceof ApiError ? error.fieldErrors.find((f) => f.path === `/${name}`)?.message : undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body: RecordDecisionRequest = {
      amount: Number(form.amount),
      ...(form.points !== '' ? { points: Number(form.points) } : {}),
      ...(form.number.trim() ? { number: form.number.trim() } : {}),
      ...(form.decidedOn ? { decidedOn: form.decidedOn } : {}),
      ...(form.officerName.trim() ? { officerName: form.officerName.trim() } : {}),
      ...(form.officerTitle.trim() ? { officerTitle: form.officerTitle.trim() } : {}),
    };
    try {
      const d = await call('POST /api/cases/:id/decision', { params: { id: caseId }, body });
      setMessage(t('decision.recorded', { number: d.number }));
      current.reload();
      onChanged?.();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const d = current.data?.decision;
  const input = (name: keyof typeof form, label: string, type: string, hint?: string) => (
    <div className={`field${fieldError(name) ? ' invalid' : ''}`}>
      <label htmlFor={`decision-${name}`}>{label}</label>
      <input
        id={`decision-${name}`}
        type={type}
        value={form[name]}
        placeholder={hint}
        required={name === 'amount'}
        aria-invalid={fieldError(name) ? true : undefined}
        onChange={(e) => setForm((f) => ({ ...f, [name]: e.target.value }))}
      />
      {fieldError(name) && <span className="field-error">{fieldError(name)}</span>}
    </div>
  );
  return (
    <section aria-label={t('decision.title')} className="panel" data-testid="decision-panel">
      <h3>{t('decision.title')}</h3>
      <ErrorNote error={current.error ?? error} />
      {message && <p role="status">{message}</p>}
      {d ? (
        <>
          <p>
            {t('decision.number')}: <strong>{d.number}</strong> · {t('decision.date')}: {day(lang, d.decidedOn)}
          </p>
          <p>
            {t('decision.amount')}: {money(lang, d.amount)} ({t('decision.range', { min: money(lang, d.fineMin), max: money(lang, d.fineMax) })}) ·{' '}
            {t('decision.points')}: {formatNumber(d.points)}
          </p>
          <p>
            {t('decision.officer')}: {d.officerName}, {d.officerTitle} · {t('decision.payBy')}: {day(lang, d.payBy)} ·{' '}
            <strong>{t(`decision.status.${d.status}`)}</strong>
            {d.paidAt ? ` (${formatDateTime(d.paidAt)})` : ''}
          </p>
          <p>
            <a href={apiUrl(reportPaths.decisionPdf(d.id))} target="_blank" rel="noopener">
              {t('decision.print')}
            </a>
          </p>
        </>
      ) : current.data && !editable ? (
        <p>{t('decision.none')}</p>
      ) : (
        current.data && (
          <form onSubmit={(e) => void submit(e)}>
            {input('amount', t('decision.amount'), 'number')}
            {input('points', t('decision.points'), 'number')}
            {input('number', t('decision.number'), 'text', t('decision.numberHint'))}
            {input('decidedOn', t('decision.date'), 'date')}
            {input('officerName', t('decision.officer'), 'text')}
            {input('officerTitle', t('decision.officerTitle'), 'text')}
            <button type="submit" className="primary">
              {t('decision.record')}
            </button>
          </form>
        )
      )}
    </section>
  );
}
