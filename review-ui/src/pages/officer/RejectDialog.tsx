import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { RejectReason, RejectRequest } from '@phatnguoi/core/contracts/api/cases';
import { useI18n } from '../../i18n';
import { REJECT_REASONS } from '../../options';

/** Modal dialog: reason required (radio list, arrow keys), free text required for "other"; Escape cancels. */
export function RejectDialog({ busy, onCancel, onSubmit }: { busy: boolean; onCancel: () => void; onSubmit: (r: RejectRequest) => void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState<RejectReason | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    d?.querySelector<HTMLInputElement>('input[type=radio]')?.focus();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason) return setError(t('reject.needReason'));
    if (reason === 'other' && !text.trim()) return setError(t('reject.needText'));
    onSubmit({ reason, ...(text.trim() ? { text: text.trim() } : {}) });
  };
  return (
    <dialog
      ref={dialog}
      aria-labelledby="reject-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <form
        onSubmit={submit}
        onKeyDown={(e) => {
          // digits pick a reason; Enter on a reason submits (a radio button has no implicit submission)
          const target = e.target as HTMLElement;
          if (target.tagName === 'TEXTAREA') return;
          const n = Number(e.key);
          if (Number.isInteger(n) && n >= 1 && n <= REJECT_REASONS.length) {
            e.preventDefault();
            setReason(REJECT_REASONS[n - 1]!);
            e.currentTarget.querySelectorAll<HTMLInputElement>('input[type=radio]')[n - 1]?.focus();
          } else if (e.key === 'Enter' && target instanceof HTMLInputElement && target.type === 'radio') {
            e.preventDefault();
            e.currentTarget.requestSubmit();
          }
        }}
      >
        <h2 id="reject-title">{t('case.reject')}</h2>
        <fieldset>
          <legend>{t('reject.reason')}</legend>
          {REJECT_REASONS.map((r, i) => (
            <label key={r} className="radio">
              <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} /> <kbd>{i + 1}</kbd> {t(`reject.${r}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="reject-text">{t('reject.text')}</label>
          <textarea id="reject-text" value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={1000} />
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            {t('reject.submit')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
