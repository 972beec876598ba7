import { useState, type FormEvent } from 'react';
import type { CitizenCase, CitizenResponseRequest } from '@phatnguoi/core/contracts/api/sign-in';
import { ApiError, call } from '../../api/client';
import { signInStart } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { signInErrorKey, useSignInOptions } from '../../components/useSignInOptions';
import { useI18n } from '../../i18n';
import { useRouter } from '../../router';
import { ViolationCard } from './LookupPage';
import { EvidenceList } from './PublicCasePage';

/** The signed-in citizen's vehicles and every published case against them; without a session, the VNeID sign-in. */
export default function MyCasesPage() {
  const { t } = useI18n();
  const { search } = useRouter();
  const res = useApi((signal) => call('GET /api/citizen/me', { signal }), 'me');
  const refused = search.get('error');
  if (res.error instanceof ApiError && res.error.status === 401) return <SignIn refused={refused} />;
  if (res.error) return <ErrorNote error={res.error} />;
  if (!res.data) return <p aria-busy="true">{t('app.loading')}</p>;
  const me = res.data;
  const logout = async () => {
    const out = await call('POST /api/citizen/logout');
    if (out.endSessionUrl) window.location.assign(out.endSessionUrl);
    else res.reload();
  };
  return (
    <section className="citizen">
      <h1>{t('me.title')}</h1>
      <p data-testid="citizen-who">
        {t('me.greeting', { name: me.name, id: me.idNumberMasked })}{' '}
        <button type="button" onClick={() => void logout()}>
          {t('me.logout')}
        </button>
      </p>
      <h2>{t('me.vehicles')}</h2>
      {me.vehicles.length === 0 ? (
        <p>{t('me.noVehicles')}</p>
      ) : (
        <ul data-testid="my-vehicles">
          {me.vehicles.map((v) => (
            <li key={v.plate}>
              <span className="plate-text">{v.plate}</span> · {t(`vehicle.${v.vehicleType}`)}
              {v.brand && ` · ${v.brand}`}
              {v.colour && ` · ${v.colour}`}
            </li>
          ))}
        </ul>
      )}
      <h2>{t('me.cases', { n: me.cases.length })}</h2>
      {me.cases.length === 0 ? (
        <p>{t('me.noCases')}</p>
      ) : (
        <ol className="violation-list">
          {me.cases.map((c) => (
            <li key={c.id}>
              <MyCase c={c} linkMinutes={Math.max(1, Math.floor(me.expiresInSeconds / 60))} onSent={res.reload} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function SignIn({ refused }: { refused: string | null }) {
  const { t } = useI18n();
  const options = useSignInOptions();
  return (
    <section className="citizen">
      <h1>{t('me.title')}</h1>
      {refused && (
        <p role="alert" className="error" data-testid="sign-in-refused">
          {t('oidc.refused', { reason: t(signInErrorKey(refused)) })}
        </p>
      )}
      {options && !options.citizenProvider ? (
        <p>{t('me.unavailable')}</p>
      ) : (
        <>
          <p>{t('me.signInIntro')}</p>
          <a className="button primary" href={signInStart.citizen}>
            {t('me.signIn')}
          </a>
        </>
      )}
    </section>
  );
}

function MyCase({ c, linkMinutes, onSent }: { c: CitizenCase; linkMinutes: number; onSent: () => void }) {
  const { t, formatDateTime } = useI18n();
  return (
    <article className="my-case" data-case={c.id}>
      <ViolationCard v={c.violation} />
      <p>{c.noticeNumber && c.noticeIssuedAt ? t('me.notice', { number: c.noticeNumber, date: formatDateTime(c.noticeIssuedAt) }) : t('me.noNotice')}</p>
      {c.deadlines.length > 0 && (
        <>
          <h4>{t('me.deadlines')}</h4>
          <dl>
            {c.deadlines.map((d) => (
              <div key={d.kind}>
                <dt>{t(`me.deadline.${d.kind}`)}</dt>
                <dd>
                  <time dateTime={d.dueAt}>{formatDateTime(d.dueAt)}</time>
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
      <h4>{t('citizen.evidence')}</h4>
      <p className="hint">{t('citizen.linkExpires', { min: linkMinutes })}</p>
      <EvidenceList evidence={c.evidence} />
      {c.responses.length > 0 && (
        <>
          <h4>{t('me.yourResponses')}</h4>
          <ul data-testid="my-responses">
            {c.responses.map((r) => (
              <li key={r.recordedAt}>
                {t(`me.kind.${r.kind}`)}
                {r.driverName && `: ${r.driverName}`} — {r.text} <small>({t('me.recordedAt', { time: formatDateTime(r.recordedAt) })})</small>
              </li>
            ))}
          </ul>
        </>
      )}
      {c.canRespond ? <ResponseForm caseId={c.id} onSent={onSent} /> : <p className="hint">{t('me.cannotRespond')}</p>}
    </article>
  );
}

function ResponseForm({ caseId, onSent }: { caseId: string; onSent: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<CitizenResponseRequest['kind']>('driver');
  const [driverName, setDriverName] = useState('');
  const [driverId, setDriverId] = useState('');
  const [text, setText] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<'driverName' | 'driverIdNumber' | 'text', string>>>({});
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const id = (name: string) => `${name}-${caseId}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errors: typeof fieldErrors = {};
    if (kind === 'driver' && !driverName.trim()) errors.driverName = t('me.driverNameRequired');
    if (kind === 'driver' && driverId && !/^\d{12}$/.test(driverId)) errors.driverIdNumber = t('me.driverIdHelp');
    if (!text.trim()) errors.text = t('me.textRequired');
    setFieldErrors(errors);
    setError(null);
    if (Object.keys(errors).length > 0) return;
    const body: CitizenResponseRequest = {
      kind,
      text: text.trim(),
      ...(kind === 'driver' ? { driverName: driverName.trim(), ...(driverId ? { driverIdNumber: driverId } : {}) } : {}),
    };
    setBusy(true);
    try {
      await call('POST /api/citizen/cases/:id/responses', { params: { id: caseId }, body });
      setSent(true);
      setText('');
      onSent();
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="response-form" aria-label={t('me.respond')}>
      <h4>{t('me.respond')}</h4>
      <fieldset className="field">
        <legend>{t('me.kind')}</legend>
        {(['driver', 'complaint'] as const).map((k) => (
          <label key={k} className="radio">
            <input type="radio" name={id('kind')} value={k} checked={kind === k} onChange={() => setKind(k)} /> {t(`me.kind.${k}`)}
          </label>
        ))}
      </fieldset>
      {kind === 'driver' && (
        <>
          <div className={fieldErrors.driverName ? 'field invalid' : 'field'}>
            <label htmlFor={id('driver')}>{t('me.driverName')}</label>
            <input
              id={id('driver')}
              value={driverName}
              onChange={(e) => setDriverName(e.target.value)}
              aria-invalid={!!fieldErrors.driverName}
              aria-describedby={id('driver-err')}
            />
            {fieldErrors.driverName && (
              <small id={id('driver-err')} className="field-error">
                {fieldErrors.driverName}
              </small>
            )}
          </div>
          <div className={fieldErrors.driverIdNumber ? 'field invalid' : 'field'}>
            <label htmlFor={id('driver-id')}>{t('me.driverId')}</label>
            <input
              id={id('driver-id')}
              value={driverId}
              inputMode="numeric"
              onChange={(e) => setDriverId(e.target.value.trim())}
              aria-invalid={!!fieldErrors.driverIdNumber}
              aria-describedby={id('driver-id-help')}
            />
            <small id={id('driver-id-help')} className={fieldErrors.driverIdNumber ? 'field-error' : undefined}>
              {fieldErrors.driverIdNumber ?? t('me.driverIdHelp')}
            </small>
          </div>
        </>
      )}
      <div className={fieldErrors.text ? 'field invalid' : 'field'}>
        <label htmlFor={id('text')}>{t('me.text')}</label>
        <textarea
          id={id('text')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={3}
          maxLength={4000}
          aria-invalid={!!fieldErrors.text}
          aria-describedby={id('text-err')}
        />
        {fieldErrors.text && (
          <small id={id('text-err')} className="field-error">
            {fieldErrors.text}
          </small>
        )}
      </div>
      <ErrorNote error={error} />
      {sent && <p role="status">{t('me.sent')}</p>}
      <button type="submit" className="primary" disabled={busy}>
        {t('me.submit')}
      </button>
    </form>
  );
}
