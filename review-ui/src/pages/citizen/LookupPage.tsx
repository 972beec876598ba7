import { useState, type FormEvent } from 'react';
import type { LookupRequest, LookupResponse, PublicViolation } from '@phatnguoi/core/contracts/api/lookup';
import { ApiError, call } from '../../api/client';
import { apiErrorText, ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { solvePow } from './pow';
import { useSignInOptions } from '../../components/useSignInOptions';
import { Link } from '../../router';

type VehicleType = LookupRequest['vehicleType'];

export default function LookupPage() {
  const { t } = useI18n();
  const [plate, setPlate] = useState('');
  const [vehicleType, setVehicleType] = useState<VehicleType>('motorbike');
  const [phase, setPhase] = useState<'idle' | 'pow' | 'search'>('idle');
  const [result, setResult] = useState<LookupResponse | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [plateError, setPlateError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setPlateError(null);
    const p = plate.trim().toUpperCase();
    if (p.length < 4) {
      setPlateError(t('citizen.plateHelp'));
      return;
    }
    try {
      setPhase('pow');
      const ch = await call('GET /api/public/challenge');
      const nonce = await solvePow(ch.challenge, ch.difficulty);
      setPhase('search');
      const body: LookupRequest = { plate: p, vehicleType, challenge: ch.challenge, nonce };
      setResult(await call('POST /api/public/lookup', { body }));
    } catch (err) {
      // Citizen-facing: the api's codes get Vietnamese (or English) text, not the server's message.
      if (err instanceof ApiError && err.status === 400)
        setPlateError(err.code === 'invalid_plate' ? t('citizen.invalidPlate', { plate: p }) : apiErrorText(t, err));
      else if (err instanceof ApiError && err.status === 403 && err.code === 'anti_bot_failed') setError(new Error(t('citizen.antibotFailed')));
      else if (err instanceof ApiError && err.status === 429) setError(new Error(t('citizen.tooMany')));
      else setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setPhase('idle');
    }
  };

  return (
    <section className="citizen">
      <h1>{t('citizen.title')}</h1>
      <p>{t('citizen.intro')}</p>
      <MyCasesHint />
      <form onSubmit={submit} className="lookup-form" noValidate>
        <div className={plateError ? 'field invalid' : 'field'}>
          <label htmlFor="lookup-plate">{t('citizen.plate')}</label>
          <input
            id="lookup-plate"
            value={plate}
            onChange={(e) => setPlate(e.target.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            inputMode="text"
            required
            aria-invalid={!!plateError}
            aria-describedby="lookup-plate-help"
          />
          <small id="lookup-plate-help" className={plateError ? 'field-error' : undefined}>
            {plateError ?? t('citizen.plateHelp')}
          </small>
        </div>
        <fieldset className="field">
          <legend>{t('citizen.vehicleType')}</legend>
          {(['motorbike', 'car'] as const).map((v) => (
            <label key={v} className="radio">
              <input type="radio" name="vehicleType" value={v} checked={vehicleType === v} onChange={() => setVehicleType(v)} /> {t(`vehicle.${v}`)}
            </label>
          ))}
        </fieldset>
        <p className="hint" id="antibot-help">
          {t('citizen.antibot')}: {t('citizen.antibotHelp')}
        </p>
        <button type="submit" className="primary" disabled={phase !== 'idle'} aria-describedby="antibot-help">
          {phase === 'pow' ? t('citizen.antibotWorking') : phase === 'search' ? t('app.loading') : t('citizen.search')}
        </button>
      </form>
      <ErrorNote error={error} />
      {result && <Results result={result} />}
    </section>
  );
}

/** Owners may sign in (VNeID) to see every case of their vehicles; shown where the deployment offers it. */
function MyCasesHint() {
  const { t } = useI18n();
  const options = useSignInOptions();
  if (!options?.citizenProvider) return null;
  return (
    <p className="hint">
      {t('me.lookupHint')} <Link to="/cong-dan">{t('me.signIn')}</Link>
    </p>
  );
}

function Results({ result }: { result: LookupResponse }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="results-title" aria-live="polite" className="results">
      <h2 id="results-title">{t('citizen.results', { plate: result.plate })}</h2>
      {result.items.length === 0 ? (
        <p data-testid="lookup-none">{t('citizen.none', { plate: result.plate })}</p>
      ) : (
        <>
          <p>{t('citizen.count', { n: result.items.length })}</p>
          <ol className="violation-list">
            {result.items.map((v, i) => (
              <li key={i}>
                <ViolationCard v={v} />
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

export function ViolationCard({ v }: { v: PublicViolation }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  return (
    <article className="violation-card" data-plate={v.plate}>
      <h3>{v.offence}</h3>
      <dl>
        <dt>{t('citizen.plate')}</dt>
        <dd className="plate-text">
          {v.plate}
          {v.plateColour && ` · ${t('citizen.plateColour')}: ${t(`colour.${v.plateColour}`)}`}
        </dd>
        <dt>{t('citizen.vehicleType')}</dt>
        <dd>{t(`vehicle.${v.vehicleType}`)}</dd>
        <dt>{t('citizen.time')}</dt>
        <dd>
          <time dateTime={v.occurredAt}>{formatDateTime(v.occurredAt)}</time>
        </dd>
        <dt>{t('citizen.place')}</dt>
        <dd>{v.place}</dd>
        {v.speed && (
          <>
            <dt>{t('citizen.speed')}</dt>
            <dd className="speed">
              {t('citizen.speedMeasured', {
                measured: formatNumber(v.speed.measuredKmh, 1),
                sigma: formatNumber(v.speed.uncertaintyKmh, 1),
                tolerance: formatNumber(v.speed.toleranceKmh, 1),
                reduced: formatNumber(v.speed.reducedKmh, 1),
                limit: v.speed.limitKmh,
              })}
            </dd>
          </>
        )}
        <dt>{t('citizen.status')}</dt>
        <dd>
          <span className={`badge pstatus-${v.status}`}>{t(`pstatus.${v.status}`)}</span>
        </dd>
        <dt>{t('citizen.detectingUnit')}</dt>
        <dd>{v.detectingUnit}</dd>
        <dt>{t('citizen.resolvingUnit')}</dt>
        <dd>
          {v.resolvingUnit}
          <br />
          {v.resolvingAddress}
        </dd>
        <dt>{t('citizen.phone')}</dt>
        <dd>
          <a href={`tel:${v.resolvingPhone.replace(/[^\d+]/g, '')}`}>{v.resolvingPhone}</a>
        </dd>
      </dl>
    </article>
  );
}
