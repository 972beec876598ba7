// The identification step of a case (Circular 73/2024 Art. 24.1): where it stands, the registered vehicle's
// description beside the plate crop, and, while the owner is unknown, registry search, owner entry and routing.
import { useState, type FormEvent } from 'react';
import type { CaseVehicleType } from '@phatnguoi/core/contracts/api/common';
import type { CaseIdentification, IdentifyRequest, RegistrySearchResponse } from '@phatnguoi/core/contracts/api/identification';
import { call } from '../api/client';
import { useApi } from '../api/useApi';
import { useI18n } from '../i18n';
import { ErrorNote } from './ErrorNote';
import { codeLabel } from './evidenceLabel';

type Mode = 'search' | 'manual' | 'route' | null;
const VEHICLE_TYPES: CaseVehicleType[] = ['car', 'motorbike', 'bus', 'truck'];
const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red'] as const;

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
  return useApi((signal) => call('GET /api/cases/:id/identification', { params: { id: caseId }, signal }), `${caseId}|${version}`);
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
      {mode === 'search' && <SearchForm caseId={caseId} plate={plate} vehicleType={vehicleType} onDone={(n) => changed(n, t('ident.picked'))} />}
      {mode === 'manual' && <ManualForm caseId={caseId} onDone={(n) => changed(n, t('ident.picked'))} />}
      {mode === 'route' && <RouteForm caseId={caseId} onDone={(n) => changed(n, t('ident.routedDone', { unit: n.resolvingAgency?.name ?? '' }))} />}
    </section>
  );
}

function SearchForm({
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
  const [type, setType] = useState<CaseVehicleType | ''>(VEHICLE_TYPES.find((v) => v === vehicleType) ?? '');
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
        await call('GET /api/registry/search', {
          query: {
            plate: q.trim() || undefined,
            vehicleType: type || undefined,
            colour: colour.trim() || undefined,
            caseId,
          },
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
      onDone((await call('POST /api/cases/:id/identify', { params: { id: caseId }, body })).identification);
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
          <select name="vehicleType" value={type} onChange={(e) => setType(VEHICLE_TYPES.find((v) => v === e.target.value) ?? '')}>
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

function ManualForm({ caseId, onDone }: { caseId: string; onDone: (i: CaseIdentification) => void }) {
  const { t } = useI18n();
  const [f, setF] = useState({ fullName: '', idNumber: '', address: '', provinceCode: '', commune: '', phone: '', email: '', brand: '', colour: '', note: '' });
  const [plateColour, setPlateColour] = useState<(typeof PLATE_COLOURS)[number]>('white');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (k: keyof typeof f, label: string, opts: { required?: boolean; pattern?: string; type?: string; size?: number } = {}) => (
    <div className="field">
      <label htmlFor={`own-${k}`}>
        {label}
        {opts.required ? ' *' : ''}
      </label>
      <input
        id={`own-${k}`}
        name={k}
        value={f[k]}
        onChange={(e) => setF({ ...f, [k]: e.target.value })}
        required={opts.required}
        pattern={opts.pattern}
        type={opts.type ?? 'text'}
        size={opts.size}
      />
    </div>
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    const body: IdentifyRequest = {
      method: 'manual',
      plateColour,
      brand: opt(f.brand),
      colour: opt(f.colour),
      note: f.note.trim(),
      owner: {
        fullName: f.fullName.trim(),
        idNumber: f.idNumber.trim(),
        address: f.address.trim(),
        provinceCode: f.provinceCode.trim(),
        commune: opt(f.commune),
        phone: opt(f.phone),
        email: opt(f.email),
      },
    };
    try {
      onDone((await call('POST /api/cases/:id/identify', { params: { id: caseId }, body })).identification);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="ident-form grid-form" onSubmit={(e) => void submit(e)} aria-label={t('ident.manual')}>
      {field('fullName', t('ident.fullName'), { required: true })}
      {field('idNumber', t('ident.idNumber'), { required: true, pattern: '[0-9]{9}|[0-9]{12}', size: 14 })}
      {field('address', t('ident.ownerAddress'), { required: true })}
      {field('provinceCode', t('ident.province'), { required: true, pattern: '[1-9][0-9]', size: 3 })}
      {field('commune', t('ident.commune'))}
      {field('phone', t('ident.phone'), { type: 'tel' })}
      {field('email', t('ident.email'), { type: 'email' })}
      <div className="field">
        <label htmlFor="own-plateColour">{t('ident.plateColour')} *</label>
        <select id="own-plateColour" value={plateColour} onChange={(e) => setPlateColour(e.target.value as (typeof PLATE_COLOURS)[number])}>
          {PLATE_COLOURS.map((c) => (
            <option key={c} value={c}>
              {codeLabel(t, 'colour', c)}
            </option>
          ))}
        </select>
      </div>
      {field('brand', t('ident.brand'))}
      {field('colour', t('ident.colour'))}
      {field('note', t('ident.note'), { required: true })}
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('ident.saveOwner')}
      </button>
    </form>
  );
}

function RouteForm({ caseId, onDone }: { caseId: string; onDone: (i: CaseIdentification) => void }) {
  const { t } = useI18n();
  const units = useApi((signal) => call('GET /api/police-units', { signal }), 'units');
  const [agencyId, setAgencyId] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone((await call('POST /api/cases/:id/route', { params: { id: caseId }, body: { agencyId, reason: reason.trim() } })).identification);
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
