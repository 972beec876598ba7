import { useState, type FormEvent } from 'react';
import type { AgencyOptions, CaseIdentification, IdentifyResponse } from '@phatnguoi/core/contracts/api/identification';
import { api } from '../../api/client';
import { deskPaths } from '../../api/desk-paths';
import { useApi } from '../../api/useApi';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../ErrorNote';

/** Routes the case to another police unit, with the reason. */
export function RouteForm({ caseId, onDone }: { caseId: string; onDone: (i: CaseIdentification) => void }) {
  const { t } = useI18n();
  const units = useApi((signal) => api.get<AgencyOptions>(deskPaths.policeUnits, undefined, signal), 'units');
  const [agencyId, setAgencyId] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone((await api.post<IdentifyResponse>(deskPaths.route(caseId), { agencyId, reason: reason.trim() })).identification);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="ident-form" onSubmit={(e) => void submit(e)} aria-label={t('ident.route')}>
      <div className="field">
        <label htmlFor={`route-${caseId}`}>{t('ident.routeTo')} *</label>
        <select id={`route-${caseId}`} value={agencyId} onChange={(e) => setAgencyId(e.target.value)} required>
          <option value="">{t('ident.choose')}</option>
          {(units.data?.items ?? []).map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.code})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`route-reason-${caseId}`}>{t('ident.routeReason')} *</label>
        <input id={`route-reason-${caseId}`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1000} />
      </div>
      <ErrorNote error={error ?? units.error} />
      <button type="submit" className="primary" disabled={busy || !agencyId || !reason.trim()}>
        {t('ident.routeSubmit')}
      </button>
    </form>
  );
}
