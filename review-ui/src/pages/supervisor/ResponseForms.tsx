import { useState } from 'react';
import type { OwnerResponseRequest, ResolveRequest } from '@phatnguoi/core/contracts/api/cases';
import { api } from '../../api/client';
import { paths } from '../../api/paths';
import { useI18n } from '../../i18n';

/** On a notified or escalated case: record the owner's response or complaint, or resolve the case. */
export function ResponseForms({ id, busy, act }: { id: string; busy: boolean; act: (fn: () => Promise<string>) => Promise<void> }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<OwnerResponseRequest['kind']>('response');
  const [driverName, setDriverName] = useState('');
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<ResolveRequest['outcome']>('fine_paid');
  const [resolveText, setResolveText] = useState('');
  return (
    <div className="response-forms">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body: OwnerResponseRequest = { kind, text: text.trim(), ...(driverName.trim() ? { driverName: driverName.trim() } : {}) };
          void act(async () => (await api.post(paths.ownerResponse(id), body), setText(''), t('sup.responseSaved')));
        }}
      >
        <h3>{t('sup.recordResponse')}</h3>
        <div className="field">
          <label htmlFor="resp-kind">{t('sup.responseKind')}</label>
          <select id="resp-kind" value={kind} onChange={(e) => setKind(e.target.value as OwnerResponseRequest['kind'])}>
            <option value="response">{t('sup.kind.response')}</option>
            <option value="complaint">{t('sup.kind.complaint')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="resp-driver">{t('sup.driverName')}</label>
          <input id="resp-driver" value={driverName} onChange={(e) => setDriverName(e.target.value)} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="resp-text">{t('sup.responseText')}</label>
          <textarea id="resp-text" value={text} onChange={(e) => setText(e.target.value)} rows={2} maxLength={4000} required />
        </div>
        <button type="submit" disabled={busy || !text.trim()}>
          {t('sup.recordResponse')}
        </button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body: ResolveRequest = { outcome, text: resolveText.trim() };
          void act(async () => (await api.post(paths.resolve(id), body), t('sup.resolved')));
        }}
      >
        <h3>{t('sup.resolve')}</h3>
        <div className="field">
          <label htmlFor="res-outcome">{t('sup.outcome')}</label>
          <select id="res-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as ResolveRequest['outcome'])}>
            {(['fine_paid', 'decision_issued', 'dismissed'] as const).map((o) => (
              <option key={o} value={o}>
                {t(`sup.outcome.${o}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="res-text">{t('sup.responseText')}</label>
          <textarea id="res-text" value={resolveText} onChange={(e) => setResolveText(e.target.value)} rows={2} maxLength={4000} required />
        </div>
        <button type="submit" className="primary" disabled={busy || !resolveText.trim()}>
          {t('sup.resolve')}
        </button>
      </form>
    </div>
  );
}
