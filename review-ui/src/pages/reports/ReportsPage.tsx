// Reports for supervisors and the operations centre: choose a report and its period, see it as a table (numbers,
// dates and shares in the reader's language), download it as CSV, XLSX or PDF, and schedule it by e-mail.
import { useState, type FormEvent } from 'react';
import type { ReportTable } from '@phatnguoi/core/contracts/api/reports';
import { REPORT_KINDS, VIOLATION_TYPES, type ReportKind, type ViolationType } from '@phatnguoi/core/contracts/values';
import { apiUrl, call } from '../../api/client';
import { reportPaths } from '../../api/reports-paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { hasMessage, useI18n, type MessageKey } from '../../i18n';
import { formatDay, formatShare } from './format';

const todayVn = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

interface Form {
  kind: ReportKind;
  from: string;
  to: string;
  split: string;
  type: ViolationType | '';
  period: 'day' | 'month' | 'year';
  /** '' : every agency the user may see (a supervisor: their own). */
  agencyId: string;
}

export default function ReportsPage() {
  const { t, lang, formatNumber, formatDateTime } = useI18n();
  const [form, setForm] = useState<Form>(() => {
    const today = todayVn();
    return { kind: 'camera-daily', from: `${today.slice(0, 8)}01`, to: today, split: today, type: '', period: 'month', agencyId: '' };
  });
  const [shown, setShown] = useState<Form | null>(null);
  const query = (f: Form) => ({
    from: f.from,
    to: f.to,
    ...(f.kind === 'before-after' ? { split: f.split, ...(f.type ? { type: f.type } : {}) } : {}),
    ...(f.kind === 'outcomes' || f.kind === 'deadlines' ? { period: f.period } : {}),
    ...(f.agencyId ? { agencyId: f.agencyId } : {}),
  });
  // The agencies the api lets this user report on: several (admin, operator: "all" or one), or a supervisor's own.
  const agencies = useApi((signal) => call('GET /api/report-agencies', { signal }), 'report-agencies');
  const report = useApi<ReportTable | null>(
    (signal) => (shown ? call('GET /api/reports/:kind', { params: { kind: shown.kind }, query: query(shown), signal }) : Promise.resolve(null)),
    JSON.stringify(shown),
  );
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setShown({ ...form });
  };
  const colLabel = (key: string) => (hasMessage(`reports.col.${key}`) ? t(`reports.col.${key}` as MessageKey) : key);
  const cell = (key: string, kind: string, v: string | number | null, first: boolean) => {
    if (v === null) return '';
    if (first && v === 'total') return t('reports.total');
    if (typeof v === 'number') return kind === 'share' ? formatShare(lang, v) : formatNumber(v);
    if (key === 'vehicleType' && hasMessage(`vehicle.${v}`)) return t(`vehicle.${v}` as MessageKey);
    if (kind === 'date') return formatDay(lang, v);
    return v;
  };
  const table = report.data;
  const shownAgency = shown?.agencyId
    ? (agencies.data?.items.find((a) => a.id === shown.agencyId)?.name ?? shown.agencyId)
    : agencies.data && !agencies.data.all
      ? agencies.data.items.map((a) => a.name).join(', ')
      : t('reports.agency.all');
  const download = (format: 'csv' | 'xlsx' | 'pdf') => (shown ? apiUrl(reportPaths.report(shown.kind), { ...query(shown), format, lang }) : '#');

  return (
    <section className="reports">
      <h1>{t('reports.title')}</h1>
      <p>{t('reports.intro')}</p>
      <form className="panel" onSubmit={submit} data-testid="report-form">
        <div className="field">
          <label htmlFor="report-kind">{t('reports.kind')}</label>
          <select id="report-kind" value={form.kind} onChange={(e) => set('kind', e.target.value as ReportKind)}>
            {REPORT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`reports.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        {agencies.data && (
          <div className="field">
            <label htmlFor="report-agency">{t('reports.agency')}</label>
            <select id="report-agency" value={form.agencyId} disabled={!agencies.data.all} onChange={(e) => set('agencyId', e.target.value)}>
              {agencies.data.all && <option value="">{t('reports.agency.all')}</option>}
              {agencies.data.items.map((a) => (
                // a supervisor's one agency is what the api reports on anyway: it needs no parameter
                <option key={a.id} value={agencies.data!.all ? a.id : ''}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="report-from">{t('reports.from')}</label>
          <input id="report-from" type="date" required value={form.from} onChange={(e) => set('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="report-to">{t('reports.to')}</label>
          <input id="report-to" type="date" required value={form.to} onChange={(e) => set('to', e.target.value)} />
        </div>
        {form.kind === 'before-after' && (
          <>
            <div className="field">
              <label htmlFor="report-split">{t('reports.split')}</label>
              <input id="report-split" type="date" required value={form.split} onChange={(e) => set('split', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="report-type">{t('reports.type')}</label>
              <select id="report-type" value={form.type} onChange={(e) => set('type', VIOLATION_TYPES.find((v) => v === e.target.value) ?? '')}>
                <option value="">{t('reports.type.all')}</option>
                {VIOLATION_TYPES.map((v) => (
                  <option key={v} value={v}>
                    {t(`vtype.${v}`)}
                  </option>
                ))}
              </select>
            </div>
          </>
        )}
        {(form.kind === 'outcomes' || form.kind === 'deadlines') && (
          <div className="field">
            <label htmlFor="report-period">{t('reports.period')}</label>
            <select id="report-period" value={form.period} onChange={(e) => set('period', e.target.value as Form['period'])}>
              {(['day', 'month', 'year'] as const).map((p) => (
                <option key={p} value={p}>
                  {t(`reports.period.${p}`)}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit">{t('reports.show')}</button>
      </form>
      <ErrorNote error={report.error} />
      {table && shown && (
        <div className="panel" data-testid="report-result">
          <h2>{t(`reports.kind.${table.kind}`)}</h2>
          <p data-testid="report-agency">
            {t('reports.agency')}: {shownAgency}
          </p>
          <p>
            {t('reports.download')}:{' '}
            <a href={download('csv')} download data-testid="download-csv">
              {t('reports.csv')}
            </a>{' '}
            ·{' '}
            <a href={download('xlsx')} download data-testid="download-xlsx">
              {t('reports.xlsx')}
            </a>{' '}
            ·{' '}
            <a href={download('pdf')} target="_blank" rel="noopener" data-testid="download-pdf">
              {t('reports.pdf')}
            </a>
          </p>
          {table.rows.length === 0 ? (
            <p>{t('reports.empty')}</p>
          ) : (
            <div className="table-scroll">
              <table data-testid="report-table">
                <thead>
                  <tr>
                    {table.columns.map((c) => (
                      <th key={c.key} scope="col">
                        {colLabel(c.key)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {table.rows.map((r, i) => (
                    <tr key={i}>
                      {r.map((v, j) => (
                        <td key={j} className={typeof v === 'number' ? 'num' : undefined}>
                          {cell(table.columns[j]!.key, table.columns[j]!.kind, v, j === 0)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    {table.totals.map((v, j) => (
                      <th key={j} scope={j === 0 ? 'row' : undefined} className={typeof v === 'number' ? 'num' : undefined}>
                        {cell(table.columns[j]!.key, table.columns[j]!.kind, v, j === 0)}
                      </th>
                    ))}
                  </tr>
                </tfoot>
              </table>
            </div>
          )}
          <p>{t('reports.rows', { n: formatNumber(table.rows.length) })}</p>
        </div>
      )}
      <Schedules kind={form.kind} split={form.split} period={form.period} formatDateTime={formatDateTime} />
    </section>
  );
}

function Schedules({
  kind,
  split,
  period,
  formatDateTime,
}: {
  kind: ReportKind;
  split: string;
  period: Form['period'];
  formatDateTime: (d: string) => string;
}) {
  const { t } = useI18n();
  const list = useApi((signal) => call('GET /api/report-schedules', { signal }), 'schedules');
  const [format, setFormat] = useState<'csv' | 'xlsx' | 'pdf'>('xlsx');
  const [every, setEvery] = useState<'day' | 'week' | 'month'>('month');
  const [recipients, setRecipients] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    try {
      await call('POST /api/report-schedules', {
        body: {
          report: kind,
          format,
          every,
          recipients: recipients
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
          ...(kind === 'before-after' ? { split } : {}),
          ...(kind === 'outcomes' || kind === 'deadlines' ? { period } : {}),
        },
      });
      setMessage(t('schedules.added'));
      setRecipients('');
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const stop = async (id: string) => {
    setError(null);
    try {
      await call('POST /api/report-schedules/:id/stop', { params: { id } });
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return (
    <div className="panel">
      <h2>{t('schedules.title')}</h2>
      <ErrorNote error={list.error ?? error} />
      {message && <p role="status">{message}</p>}
      {list.data && list.data.items.length === 0 && <p>{t('schedules.none')}</p>}
      {list.data && list.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('reports.kind')}</th>
              <th scope="col">{t('schedules.every')}</th>
              <th scope="col">{t('schedules.format')}</th>
              <th scope="col">{t('schedules.recipients')}</th>
              <th scope="col">{t('schedules.next')}</th>
              <th scope="col">{t('schedules.last')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((s) => (
              <tr key={s.id}>
                <td>{t(`reports.kind.${s.report}`)}</td>
                <td>{t(`schedules.every.${s.every as 'day'}`)}</td>
                <td>{s.format.toUpperCase()}</td>
                <td>{s.recipients.join(', ')}</td>
                <td>{formatDateTime(s.nextRunAt)}</td>
                <td>
                  {s.lastRunAt ? formatDateTime(s.lastRunAt) : t('schedules.never')}
                  {s.lastError ? ` · ${t('schedules.lastError')}: ${s.lastError}` : ''}
                </td>
                <td>
                  <button type="button" onClick={() => void stop(s.id)}>
                    {t('schedules.stop')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={(e) => void add(e)}>
        <p>
          {t('reports.kind')}: {t(`reports.kind.${kind}`)}
        </p>
        <div className="field">
          <label htmlFor="schedule-every">{t('schedules.every')}</label>
          <select id="schedule-every" value={every} onChange={(e) => setEvery(e.target.value as typeof every)}>
            {(['day', 'week', 'month'] as const).map((v) => (
              <option key={v} value={v}>
                {t(`schedules.every.${v}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="schedule-format">{t('schedules.format')}</label>
          <select id="schedule-format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="xlsx">{t('reports.xlsx')}</option>
            <option value="csv">{t('reports.csv')}</option>
            <option value="pdf">{t('reports.pdf')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="schedule-recipients">{t('schedules.recipients')}</label>
          <input id="schedule-recipients" type="text" required value={recipients} onChange={(e) => setRecipients(e.target.value)} />
        </div>
        <button type="submit">{t('schedules.add')}</button>
      </form>
    </div>
  );
}
