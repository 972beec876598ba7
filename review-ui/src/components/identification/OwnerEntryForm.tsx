import { useState, type FormEvent } from 'react';
import type { CaseIdentification, IdentifyRequest, IdentifyResponse } from '@phatnguoi/core/contracts/api/identification';
import { api } from '../../api/client';
import { deskPaths } from '../../api/desk-paths';
import { useI18n } from '../../i18n';
import { ErrorNote } from '../ErrorNote';
import { codeLabel } from '../evidenceLabel';

const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red'] as const;

/** The owner and vehicle typed in by hand when the registry does not know the plate, with a note saying why. */
export function OwnerEntryForm({ caseId, onDone }: { caseId: string; onDone: (i: CaseIdentification) => void }) {
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
      onDone((await api.post<IdentifyResponse>(deskPaths.identify(caseId), body)).identification);
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
