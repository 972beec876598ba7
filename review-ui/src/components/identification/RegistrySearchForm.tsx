import { useState, type FormEvent } from 'react';
import type { CaseVehicleType } from '@phatnguoi/core/contracts/api/common';
import type { CaseIdentification, IdentifyRequest, IdentifyResponse, RegistrySearchResponse } from '@phatnguoi/core/contracts/api/identification';
import { api } from '../../api/client';
import { deskPaths } from '../../api/desk-paths';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../ErrorNote';
import { codeLabel } from '../evidenceLabel';

const VEHICLE_TYPES: CaseVehicleType[] = ['car', 'motorbike', 'bus', 'truck'];

/** Registry search by partial plate, vehicle type and colour; picking a result identifies the case's vehicle. */
export function RegistrySearchForm({
  caseId,
  plate,
  vehicleType,
  onDone,
}: {
  caseId: string;
  plate: string | null;
  vehicleType: string;
  onDone: (i: CaseIdentification) => void;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState(plate ? plate.slice(0, Math.max(2, plate.length - 2)) : '');
  const [type, setType] = useState<string>(VEHICLE_TYPES.includes(vehicleType as CaseVehicleType) ? vehicleType : '');
  const [colour, setColour] = useState('');
  const [result, setResult] = useState<RegistrySearchResponse | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(
        await api.get<RegistrySearchResponse>(deskPaths.registrySearch, {
          plate: q.trim() || undefined,
          vehicleType: type || undefined,
          colour: colour.trim() || undefined,
          caseId,
        }),
      );
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const pick = async (p: string) => {
    setBusy(true);
    setError(null);
    try {
      const body: IdentifyRequest = { method: 'registry', plate: p };
      onDone((await api.post<IdentifyResponse>(deskPaths.identify(caseId), body)).identification);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="ident-form">
      <form className="filters" role="search" aria-label={t('ident.search')} onSubmit={(e) => void search(e)}>
        <label>
          {t('ident.searchPlate')} <input name="plate" value={q} onChange={(e) => setQ(e.target.value)} size={12} autoComplete="off" />
        </label>
        <label>
          {t('ident.vehicleType')}{' '}
          <select name="vehicleType" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">{t('ident.any')}</option>
            {VEHICLE_TYPES.map((v) => (
              <option key={v} value={v}>
                {codeLabel(t, 'vehicle', v)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ident.searchColour')} <input name="colour" value={colour} onChange={(e) => setColour(e.target.value)} size={8} />
        </label>
        <button type="submit" disabled={busy}>
          {t('ident.searchSubmit')}
        </button>
      </form>
      <ErrorNote error={error} />
      {result &&
        (result.items.length === 0 ? (
          <p>{t('ident.noResults')}</p>
        ) : (
          <div className="table-wrap">
            <table className="queue" data-testid="registry-results">
              <caption>
                {t('ident.results', { n: result.items.length })}
                {result.truncated ? ` · ${t('ident.truncated')}` : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('case.plate')}</th>
                  <th scope="col">{t('ident.vehicleType')}</th>
                  <th scope="col">
                    {t('ident.brand')} · {t('ident.colour')}
                  </th>
                  <th scope="col">{t('ident.owner')}</th>
                  <th scope="col">{t('ident.address')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('ident.pick')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((h) => (
                  <tr key={h.vehicle.plate}>
                    <td className="plate-text">{h.vehicle.plate}</td>
                    <td>{codeLabel(t, 'vehicle', h.vehicle.vehicleType)}</td>
                    <td>
                      {h.vehicle.brand ?? '—'} · {h.vehicle.colour ?? '—'}
                    </td>
                    <td>{h.owner.fullName}</td>
                    <td>{h.owner.address}</td>
                    <td>
                      <button type="button" className="primary" disabled={busy} onClick={() => void pick(h.vehicle.plate)}>
                        {t('ident.pick')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </div>
  );
}
