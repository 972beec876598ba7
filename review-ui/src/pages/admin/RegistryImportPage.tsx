import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { RegistryImport } from '@phatnguoi/core/contracts/api/admin';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n, type MessageKey, type Translate } from '../../i18n';
import { AdminNav } from './AdminKit';

/** The server's reasons for a refused line (services/registry.ts checkRegistryRow), in the reader's language. */
const REASONS: [RegExp, MessageKey, (m: RegExpExecArray) => Record<string, string>][] = [
  [/^expected (\d+) fields, got (\d+)$/, 'adm.import.why.fields', (m) => ({ expected: m[1]!, got: m[2]! })],
  [/^unknown vehicle_type (.*)$/, 'adm.import.why.vehicle_type', (m) => ({ value: m[1]! })],
  [/^invalid plate (.*)$/, 'adm.import.why.plate', (m) => ({ value: m[1]! })],
  [/^unknown plate_colour (.*)$/, 'adm.import.why.plate_colour', (m) => ({ value: m[1]! })],
  [/^owner_name, owner_id_number and address are required$/, 'adm.import.why.owner', () => ({})],
  [/^province_code must be two digits, got (.*)$/, 'adm.import.why.province', (m) => ({ value: m[1]! })],
  [/^invalid email (.*)$/, 'adm.import.why.email', (m) => ({ value: m[1]! })],
  [/^contains a NUL character$/, 'adm.import.why.nul', () => ({})],
];

function reasonText(reason: string, t: Translate): string {
  for (const [re, key, vars] of REASONS) {
    const m = re.exec(reason);
    if (m) return t(key, vars(m));
  }
  return reason;
}

const COLUMNS = 'plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone';
const POLL_MS = 700;

/** Upload a registry CSV; a background job imports it while this page shows its progress, then its report. */
export default function RegistryImportPage() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const history = useApi((signal) => call('GET /api/admin/registry/imports', { signal }), 'imports');
  const file = useRef<HTMLInputElement>(null);
  const [current, setCurrent] = useState<RegistryImport | null>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [missing, setMissing] = useState(false);

  // Follows the running import until it is done or failed.
  const id = current?.id;
  const finished = current?.status === 'done' || current?.status === 'failed';
  const reloadHistory = history.reload;
  useEffect(() => {
    if (!id || finished) {
      if (finished) reloadHistory();
      return;
    }
    const timer = setTimeout(() => {
      call('GET /api/admin/registry/imports/:id', { params: { id } }).then(setCurrent, (e: unknown) => setError(e as Error));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [id, finished, current, reloadHistory]);

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    const f = file.current?.files?.[0];
    setMissing(!f);
    if (!f) return;
    setUploading(true);
    setError(null);
    setCurrent(null);
    try {
      // the file goes as the request body (text/csv): the server streams it to storage, never whole in memory
      setCurrent(await call('POST /api/admin/registry/imports', { file: { body: f, contentType: 'text/csv' }, query: { name: f.name } }));
    } catch (err) {
      setError(err as Error);
    } finally {
      setUploading(false);
    }
  };

  const pct = current && current.bytesTotal > 0 ? Math.round((100 * current.bytesRead) / current.bytesTotal) : 0;
  return (
    <section>
      <AdminNav />
      <h1>{t('adm.import.title')}</h1>
      <form className="panel" onSubmit={(e) => void upload(e)} noValidate>
        <div className={`field${missing ? ' invalid' : ''}`}>
          <label htmlFor="import-file">{t('adm.import.file')}</label>
          <input id="import-file" ref={file} type="file" accept=".csv,text/csv" aria-invalid={missing || undefined} />
          <span className="hint">{t('adm.import.columns', { columns: COLUMNS })}</span>
          {missing && <span className="field-error">{t('adm.import.chooseFile')}</span>}
        </div>
        <button type="submit" className="primary" disabled={uploading}>
          {uploading ? t('adm.import.uploading') : t('adm.import.start')}
        </button>
      </form>
      <ErrorNote error={error} />
      {current && (
        <div className="panel" data-testid="import-current" aria-live="polite">
          <h2>
            {current.fileName} · <span data-testid="import-status">{t(`adm.import.status.${current.status}`)}</span>
          </h2>
          <progress max={100} value={current.status === 'done' ? 100 : pct} aria-label={t('adm.import.title')} />
          <p>
            {t('adm.import.progress', { read: formatNumber(current.bytesRead), total: formatNumber(current.bytesTotal), rows: formatNumber(current.rowsRead) })}
          </p>
          {current.status === 'failed' && current.error && (
            // the job's reason in words (its English text only as a tooltip, for the support desk)
            <p className="error" title={current.error}>
              {current.error.startsWith('the first line must be')
                ? t('apiError.bad_csv_header')
                : current.error.startsWith('the job queue is not reachable')
                  ? t('adm.import.queueDown')
                  : t('adm.import.failedOther')}
            </p>
          )}
          {current.status === 'done' && (
            <p className="done" data-testid="import-report">
              {t('adm.import.report', { accepted: formatNumber(current.accepted), rejected: formatNumber(current.rejectedCount) })}
            </p>
          )}
          {current.rejected.length > 0 && (
            <>
              <h3>{t('adm.import.rejectedTitle')}</h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('adm.import.line')}</th>
                    <th scope="col">{t('adm.import.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {current.rejected.map((r) => (
                    <tr key={r.line}>
                      <td>{formatNumber(r.line)}</td>
                      <td>{reasonText(r.reason, t)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
      {history.data && history.data.items.length > 0 && (
        <>
          <h2>{t('adm.import.history')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('adm.import.when')}</th>
                <th scope="col">{t('adm.import.file')}</th>
                <th scope="col">{t('adm.import.by')}</th>
                <th scope="col">{t('cam.status')}</th>
              </tr>
            </thead>
            <tbody>
              {history.data.items.map((i) => (
                <tr key={i.id}>
                  <td>{formatDateTime(i.createdAt)}</td>
                  <td>{i.fileName}</td>
                  <td>{i.createdBy ?? t('adm.none')}</td>
                  <td>
                    {t(`adm.import.status.${i.status}`)}
                    {i.status === 'done' && ` · ${t('adm.import.report', { accepted: formatNumber(i.accepted), rejected: formatNumber(i.rejectedCount) })}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
