// The identification step of a case (Circular 73/2024 Art. 24.1): where it stands, the registered vehicle's
// description beside the plate crop, and, while the owner is unknown, registry search, owner entry and routing.
import { useState } from 'react';
import type { CaseIdentification } from '@phatnguoi/core/contracts/api/identification';
import { api } from '../api/client';
import { deskPaths } from '../api/desk-paths';
import { useApi } from '../api/useApi';
import { useI18n } from '../i18n';
import { ErrorNote } from './ErrorNote';
import { codeLabel } from './evidenceLabel';
import { OwnerEntryForm } from './identification/OwnerEntryForm';
import { RegistrySearchForm } from './identification/RegistrySearchForm';
import { RouteForm } from './identification/RouteForm';

type Mode = 'search' | 'manual' | 'route' | null;

export interface IdentificationProps {
  caseId: string;
  plate: string | null;
  vehicleType: string;
  /** Whether this user may change the identification now (holds the case, or supervises it). */
  editable: boolean;
  /** Bumped by the parent when the case changed (plate corrected): reloads the state. */
  version?: string;
  onChanged?: (ident: CaseIdentification) => void;
}

/** Where identification stands, loaded once per case (and per `version`). */
export function useIdentification(caseId: string, version = '') {
  return useApi((signal) => api.get<CaseIdentification>(deskPaths.identification(caseId), undefined, signal), `${caseId}|${version}`);
}

/** The registered vehicle's description (for the side-by-side with the plate crop). */
export function RegistryVehicleCard({ ident }: { ident: CaseIdentification | null }) {
  const { t } = useI18n();
  if (!ident?.vehicle) return null;
  const v = ident.vehicle;
  return (
    <div className="registry-card" data-testid="registry-vehicle">
      <h3>{t('ident.registryVehicle')}</h3>
      <dl className="facts compact">
        <dt>{t('case.plate')}</dt>
        <dd className="plate-text">{v.plate}</dd>
        <dt>{t('ident.vehicleType')}</dt>
        <dd>{codeLabel(t, 'vehicle', v.vehicleType)}</dd>
        <dt>{t('ident.brand')}</dt>
        <dd>{v.brand ?? '—'}</dd>
        <dt>{t('ident.colour')}</dt>
        <dd>{v.colour ?? '—'}</dd>
        <dt>{t('ident.plateColour')}</dt>
        <dd>{codeLabel(t, 'colour', v.plateColour)}</dd>
        <dt>{t('ident.source')}</dt>
        <dd>{codeLabel(t, 'ident.source', v.source)}</dd>
      </dl>
    </div>
  );
}

export function IdentificationPanel({ caseId, plate, vehicleType, editable, version, onChanged }: IdentificationProps) {
  const { t } = useI18n();
  const ident = useIdentification(caseId, version);
  const [mode, setMode] = useState<Mode>(null);
  const [message, setMessage] = useState<string | null>(null);
  const i = ident.data;
  const changed = (next: CaseIdentification, text: string) => {
    setMode(null);
    setMessage(text);
    ident.reload();
    onChanged?.(next);
  };
  if (ident.error) return <ErrorNote error={ident.error} />;
  if (!i) return null;
  const unknown = i.state !== 'identified';
  return (
    <section className={`identification ${unknown ? 'warn' : 'ok'}`} aria-labelledby={`ident-${caseId}`} data-testid="identification" data-state={i.state}>
      <h3 id={`ident-${caseId}`}>{t('ident.title')}</h3>
      <p role={unknown ? 'alert' : undefined} className={unknown ? 'badge warn block' : 'badge ok block'}>
        {t(`ident.${i.state}`)}
      </p>
      {i.resolvingAgency && (
        <p>
          {t('ident.resolving')}: <strong>{i.resolvingAgency.name}</strong>
          {i.routed && <> · {t('ident.routed')}</>}
        </p>
      )}
      <RegistryVehicleCard ident={i} />
      {message && (
        <p role="status" className="done">
          {message}
        </p>
      )}
      {editable && i.state !== 'plate_unread' && (
        <div className="actions" role="group" aria-label={t('ident.title')}>
          {unknown && (
            <>
              <button type="button" aria-expanded={mode === 'search'} onClick={() => setMode(mode === 'search' ? null : 'search')}>
                {t('ident.search')}
              </button>
              <button type="button" aria-expanded={mode === 'manual'} onClick={() => setMode(mode === 'manual' ? null : 'manual')}>
                {t('ident.manual')}
              </button>
            </>
          )}
          <button type="button" aria-expanded={mode === 'route'} onClick={() => setMode(mode === 'route' ? null : 'route')}>
            {t('ident.route')}
          </button>
        </div>
      )}
      {mode === 'search' && <RegistrySearchForm caseId={caseId} plate={plate} vehicleType={vehicleType} onDone={(n) => changed(n, t('ident.picked'))} />}
      {mode === 'manual' && <OwnerEntryForm caseId={caseId} onDone={(n) => changed(n, t('ident.picked'))} />}
      {mode === 'route' && <RouteForm caseId={caseId} onDone={(n) => changed(n, t('ident.routedDone', { unit: n.resolvingAgency?.name ?? '' }))} />}
    </section>
  );
}
