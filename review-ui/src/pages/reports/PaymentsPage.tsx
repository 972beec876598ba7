// Payment reconciliation: import a file of payment results (the job reconciles it in the background; its progress is
// shown here), and resolve each payment that did not match: accept it (it settles the decision) or not (refund).
import { useEffect, useState, type FormEvent } from 'react';
import type { Mismatch } from '@phatnguoi/core/contracts/api/reports';
import { PAYMENT_SOURCES, type PaymentSource } from '@phatnguoi/core/contracts/values';
import { ApiError, call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { hasMessage, useI18n } from '../../i18n';
import { formatVnd } from './format';

/** Field names of the documented JSON and of each source's adapter (docs/payments.md), mapped to the rule they broke. */
const FIELD_OF: Record<string, string> = {
  decisionNumber: 'decision_number',
  paidAt: 'paid_at',
  SoQuyetDinh: 'decision_number',
  SoTien: 'amount',
  MaGiaoDich: 'reference',
  vnp_TransactionNo: 'reference',
  'Số tham chiếu': 'reference',
  vnp_OrderInfo: 'description',
  'Nội dung': 'description',
  vnp_Amount: 'amount100',
  'Ghi có': 'credit',
  vnp_PayDate: 'payDate',
  NgayThanhToan: 'vnTime',
  'Ngày giao dịch': 'vnTime',
  vnp_ResponseCode: 'status',
  vnp_TransactionStatus: 'status',
  TrangThaiThanhToan: 'status',
};

/** A bad line in the reader's language: which line and field, and the rule it broke. */
function useLineText(): (line: string | number, field: string, serverMessage: string) => string {
  const { t } = useI18n();
  return (line, field, serverMessage) => {
    const key = `payments.rule.${FIELD_OF[field] ?? field}`;
    return t('payments.line', { line, field, message: hasMessage(key) ? t(key) : serverMessage });
  };
}

export default function PaymentsPage() {
  const { t, formatNumber, formatDateTime } = useI18n();
  const lineText = useLineText();
  const imports = useApi((signal) => call('GET /api/payments/imports', { signal }), 'imports');
  const mismatches = useApi((signal) => call('GET /api/payments/mismatches', { signal }), 'mismatches');
  const [file, setFile] = useState<File | null>(null);
  // '': detected by the api from the file
  const [source, setSource] = useState<PaymentSource | ''>('');
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const running = imports.data?.items.some((i) => i.status === 'queued' || i.status === 'running') ?? false;
  const reloadImports = imports.reload;
  const reloadMismatches = mismatches.reload;
  // while an import runs, follow its progress
  useEffect(() => {
    if (!running) return undefined;
    const timer = window.setInterval(() => {
      reloadImports();
      reloadMismatches();
    }, 1500);
    return () => window.clearInterval(timer);
  }, [running, reloadImports, reloadMismatches]);

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setMessage(null);
    const json = file.name.toLowerCase().endsWith('.json') || file.type === 'application/json';
    const filename = file.name.replace(/[^\p{L}\p{N} ._()-]+/gu, '_').slice(0, 120);
    try {
      await call('POST /api/payments/imports', {
        query: { filename, ...(source ? { source } : {}) },
        file: { body: file, contentType: json ? 'application/json' : 'text/csv' },
      });
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    setMessage(t('payments.uploaded'));
    reloadImports();
  };
  const lineErrors = error instanceof ApiError && error.code === 'bad_records' ? error.fieldErrors : [];

  return (
    <section className="payments">
      <h1>{t('payments.title')}</h1>
      <p>{t('payments.intro')}</p>
      <form className="panel" onSubmit={(e) => void upload(e)}>
        <div className="field">
          <label htmlFor="payments-file">{t('payments.file')}</label>
          <input id="payments-file" type="file" accept=".csv,.json,text/csv,application/json" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="field">
          <label htmlFor="payments-source">{t('payments.source')}</label>
          <select id="payments-source" value={source} onChange={(e) => setSource(e.target.value as PaymentSource | '')}>
            <option value="">{t('payments.source.auto')}</option>
            {PAYMENT_SOURCES.map((v) => (
              <option key={v} value={v}>
                {t(`payments.source.${v}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={!file}>
          {t('payments.upload')}
        </button>
        {message && <p role="status">{message}</p>}
        <ErrorNote error={error} />
        {lineErrors.length > 0 && (
          <ul className="error" data-testid="payment-line-errors">
            {lineErrors.map((f) => {
              const [, , line, field] = f.path.split('/');
              return <li key={f.path}>{lineText(line ?? '', field ?? '', f.message)}</li>;
            })}
          </ul>
        )}
      </form>

      <h2>{t('payments.imports')}</h2>
      <ErrorNote error={imports.error} />
      {imports.data && imports.data.items.length === 0 && <p>{t('payments.noImports')}</p>}
      {imports.data && imports.data.items.length > 0 && (
        <table data-testid="payment-imports">
          <tbody>
            {imports.data.items.map((i) => (
              <tr key={i.id}>
                <td>{i.filename}</td>
                <td>{t(`payments.source.${i.source}`)}</td>
                <td>{formatDateTime(i.createdAt)}</td>
                <td>{t(`payments.status.${i.status}`)}</td>
                <td>
                  {i.total !== null && (
                    <progress
                      max={i.total || 1}
                      value={i.processed}
                      aria-label={t('payments.progress', { processed: formatNumber(i.processed), total: formatNumber(i.total) })}
                    />
                  )}{' '}
                  {i.total !== null && t('payments.progress', { processed: formatNumber(i.processed), total: formatNumber(i.total) })}
                </td>
                <td>
                  {i.status === 'done' &&
                    t('payments.summary', { matched: formatNumber(i.matched), mismatched: formatNumber(i.mismatched), duplicates: formatNumber(i.duplicates) })}
                  {i.status === 'failed' &&
                    i.errors.map((e) => (
                      <div key={`${e.line}-${e.field}`} className="error">
                        {lineText(e.line, e.field, e.message)}
                      </div>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{t('payments.mismatches')}</h2>
      <ErrorNote error={mismatches.error} />
      {mismatches.data && mismatches.data.items.length === 0 && <p>{t('payments.noMismatches')}</p>}
      <ul className="case-list" data-testid="payment-mismatches">
        {mismatches.data?.items.map((m) => (
          <MismatchItem
            key={m.id}
            m={m}
            onDone={() => {
              reloadMismatches();
              reloadImports();
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function MismatchItem({ m, onDone }: { m: Mismatch; onDone: () => void }) {
  const { t, lang, formatDateTime } = useI18n();
  const [note, setNote] = useState('');
  const [number, setNumber] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const money = (n: number) => formatVnd(lang, n);
  const resolve = async (action: 'accept' | 'dismiss') => {
    setError(null);
    try {
      await call('POST /api/payments/mismatches/:id/resolve', {
        params: { id: m.id },
        body: {
          action,
          note: note.trim(),
          ...(action === 'accept' && m.kind === 'unknown_decision' ? { decisionNumber: number.trim() } : {}),
        },
      });
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return (
    <li className="panel">
      <p>
        <strong>{t(`payments.kind.${m.kind}`)}</strong> · {t('payments.decision')}: {m.decisionNumber} · {t('payments.amount')}: {money(m.amount)}
        {m.expectedAmount !== null && (
          <>
            {' '}
            · {t('payments.expected')}: {money(m.expectedAmount)}
          </>
        )}
      </p>
      <p>
        {t('payments.paidAt')}: {formatDateTime(m.paidAt)} · {t('payments.channel')}: {t(`payments.channel.${m.channel as 'bank'}`)} · {t('payments.reference')}
        : {m.reference}
      </p>
      <div className="field">
        <label htmlFor={`note-${m.id}`}>{t('payments.note')}</label>
        <input id={`note-${m.id}`} type="text" value={note} minLength={3} maxLength={500} onChange={(e) => setNote(e.target.value)} />
      </div>
      {m.kind === 'unknown_decision' && (
        <div className="field">
          <label htmlFor={`number-${m.id}`}>{t('payments.correctNumber')}</label>
          <input id={`number-${m.id}`} type="text" value={number} onChange={(e) => setNumber(e.target.value)} />
        </div>
      )}
      <ErrorNote error={error} />
      {m.kind !== 'paid_twice' && (
        <button type="button" className="primary" disabled={note.trim().length < 3} onClick={() => void resolve('accept')}>
          {t('payments.accept')}
        </button>
      )}{' '}
      <button type="button" disabled={note.trim().length < 3} onClick={() => void resolve('dismiss')}>
        {t('payments.dismiss')}
      </button>
    </li>
  );
}
