import { useEffect, useState, type FormEvent } from 'react';
import type { AdminCamera, StreamTestResult } from '@phatnguoi/core/contracts/api/admin';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { CameraMap, type MapCamera } from '../../components/CameraMap';
import { ErrorNote } from '../../components/ErrorNote';
import { hasMessage, useI18n } from '../../i18n';
import { Link, useRouter } from '../../router';
import { tileState } from '../ops/wall-model';
import { AdminNav, Field, invalidProps, useFieldErrors } from './AdminKit';

interface Form {
  name: string;
  address: string;
  agencyId: string;
  streamUrl: string;
  username: string;
  password: string;
  clearCredentials: boolean;
  sampleFps: string;
  lat: string;
  lng: string;
  enabled: boolean;
}

const EMPTY: Form = {
  name: '',
  address: '',
  agencyId: '',
  streamUrl: '',
  username: '',
  password: '',
  clearCredentials: false,
  sampleFps: '5',
  lat: '',
  lng: '',
  enabled: true,
};

/** A number as typed in either language (decimal comma or point); '' is null; anything else NaN (the server names the field). */
function parseNumber(s: string): number | null {
  const v = s.trim().replace(',', '.');
  return v === '' ? null : Number(v);
}

/**
 * The typed place among the other cameras (no map tiles: nothing outside is fetched), so a slip of a digit shows as a
 * dot far from the rest before it is saved. Nothing when the coordinates are not a place on Earth yet.
 */
function PlacePreview({ id, name, lat, lng, others }: { id: string | null; name: string; lat: number | null; lng: number | null; others: AdminCamera[] }) {
  if (lat === null || lng === null || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  const self = others.find((c) => c.id === id);
  const cameras: MapCamera[] = [
    ...others
      .filter((c) => c.id !== id)
      .map((c) => ({
        id: c.id,
        name: c.name,
        lat: c.lat,
        lng: c.lng,
        state: tileState({ online: c.enabled && c.online, state: c.enabled ? c.state : 'stopped', detectionFault: null }),
      })),
    { id: id ?? 'new', name, lat, lng, state: self ? tileState({ online: self.enabled && self.online, state: self.state, detectionFault: null }) : 'unknown' },
  ];
  return <CameraMap cameras={cameras} onOpen={() => undefined} width={760} height={260} />;
}

/** Add (no id) or edit a camera: stream with secret credentials, tested with a picture before saving. */
export default function CameraFormPage({ params }: { params: Record<string, string> }) {
  const id = params.id ?? null;
  const { t, formatNumber } = useI18n();
  const { navigate } = useRouter();
  const agencies = useApi((signal) => call('GET /api/admin/agencies', { signal }), 'agencies');
  const existing = useApi((signal) => (id ? call('GET /api/admin/cameras/:id', { params: { id }, signal }) : Promise.resolve(null)), id ?? 'new');
  const all = useApi((signal) => call('GET /api/admin/cameras', { signal }), 'cameras');
  const [form, setForm] = useState<Form>(EMPTY);
  const fields = useFieldErrors('adm.camErr.');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [test, setTest] = useState<StreamTestResult | null>(null);
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    const c = existing.data;
    if (c) {
      setForm({
        ...EMPTY,
        name: c.name,
        address: c.address,
        agencyId: c.agencyId,
        streamUrl: c.streamUrl,
        sampleFps: String(c.sampleFps),
        lat: c.lat === null ? '' : String(c.lat),
        lng: c.lng === null ? '' : String(c.lng),
        enabled: c.enabled,
      });
    }
  }, [existing.data]);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const typedCredentials = form.username || form.password ? { username: form.username, password: form.password } : undefined;
  const credentials = form.clearCredentials ? null : typedCredentials;

  const runTest = async () => {
    setTesting(true);
    setTest(null);
    setError(null);
    fields.clear();
    try {
      setTest(
        await call('POST /api/admin/cameras/test-stream', {
          body: {
            streamUrl: form.streamUrl,
            ...(credentials !== undefined ? { credentials } : {}),
            ...(id ? { cameraId: id } : {}),
          },
        }),
      );
    } catch (e) {
      fields.take(e);
      setError(e as Error);
    } finally {
      setTesting(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    fields.clear();
    const body = {
      name: form.name,
      address: form.address,
      agencyId: form.agencyId,
      streamUrl: form.streamUrl,
      sampleFps: parseNumber(form.sampleFps),
      lat: parseNumber(form.lat),
      lng: parseNumber(form.lng),
      enabled: form.enabled,
      ...(credentials !== undefined ? { credentials } : {}),
    };
    try {
      if (id) await call('PATCH /api/admin/cameras/:id', { params: { id }, body });
      else await call('POST /api/admin/cameras', { body });
      navigate('/admin/cameras');
    } catch (err) {
      fields.take(err);
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const reason =
    test && !test.ok
      ? test.code && hasMessage(`adm.streamErr.${test.code}`)
        ? t(`adm.streamErr.${test.code}` as 'adm.streamErr.unreachable')
        : (test.message ?? '')
      : '';
  const err = fields.errorFor;
  return (
    <section>
      <AdminNav />
      <h1>{id ? t('adm.cam.editTitle', { name: existing.data?.name ?? '' }) : t('adm.cam.newTitle')}</h1>
      <ErrorNote error={existing.error ?? agencies.error} />
      <div className="admin-split">
        <form onSubmit={(e) => void submit(e)} noValidate className="panel" aria-busy={busy}>
          <div className="admin-form">
            <Field id="cam-name" label={t('cam.name')} error={err('name')}>
              <input id="cam-name" value={form.name} onChange={(e) => set('name', e.target.value)} {...invalidProps('cam-name', err('name'))} />
            </Field>
            <Field id="cam-agency" label={t('adm.cam.agency')} error={err('agencyId')}>
              <select id="cam-agency" value={form.agencyId} onChange={(e) => set('agencyId', e.target.value)} {...invalidProps('cam-agency', err('agencyId'))}>
                <option value="">{t('adm.cam.chooseAgency')}</option>
                {agencies.data?.items.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </Field>
            <div className="wide">
              <Field id="cam-address" label={t('adm.cam.address')} error={err('address')}>
                <input
                  id="cam-address"
                  value={form.address}
                  onChange={(e) => set('address', e.target.value)}
                  {...invalidProps('cam-address', err('address'))}
                />
              </Field>
            </div>
            <div className="wide">
              <Field id="cam-url" label={t('adm.cam.streamUrl')} error={err('streamUrl')} hint={t('adm.cam.streamUrlHint')}>
                <input
                  id="cam-url"
                  value={form.streamUrl}
                  onChange={(e) => set('streamUrl', e.target.value)}
                  spellCheck={false}
                  autoComplete="off"
                  {...invalidProps('cam-url', err('streamUrl'))}
                />
              </Field>
            </div>
            <Field id="cam-user" label={t('adm.cam.username')} error={err('credentials')}>
              <input
                id="cam-user"
                value={form.username}
                onChange={(e) => set('username', e.target.value)}
                autoComplete="off"
                disabled={form.clearCredentials}
                {...invalidProps('cam-user', err('credentials'))}
              />
            </Field>
            <Field id="cam-password" label={t('adm.cam.password')} hint={existing.data?.hasCredentials ? t('adm.cam.passwordKept') : undefined}>
              <input
                id="cam-password"
                type="password"
                value={form.password}
                onChange={(e) => set('password', e.target.value)}
                autoComplete="new-password"
                disabled={form.clearCredentials}
              />
            </Field>
            {existing.data?.hasCredentials && (
              <label className="check wide">
                <input type="checkbox" checked={form.clearCredentials} onChange={(e) => set('clearCredentials', e.target.checked)} />
                {t('adm.cam.clearCredentials')}
              </label>
            )}
            <Field id="cam-fps" label={t('adm.cam.sampleFps')} error={err('sampleFps')}>
              <input
                id="cam-fps"
                inputMode="decimal"
                value={form.sampleFps}
                onChange={(e) => set('sampleFps', e.target.value)}
                {...invalidProps('cam-fps', err('sampleFps'))}
              />
            </Field>
            <label className="check">
              <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
              {t('adm.cam.enabled')}
            </label>
            <Field id="cam-lat" label={t('adm.cam.lat')} error={err('lat')}>
              <input id="cam-lat" inputMode="decimal" value={form.lat} onChange={(e) => set('lat', e.target.value)} {...invalidProps('cam-lat', err('lat'))} />
            </Field>
            <Field id="cam-lng" label={t('adm.cam.lng')} error={err('lng')}>
              <input id="cam-lng" inputMode="decimal" value={form.lng} onChange={(e) => set('lng', e.target.value)} {...invalidProps('cam-lng', err('lng'))} />
            </Field>
          </div>
          <PlacePreview
            id={id}
            name={form.name || t('adm.cam.newTitle')}
            lat={parseNumber(form.lat)}
            lng={parseNumber(form.lng)}
            others={all.data?.items ?? []}
          />
          {fields.errors.length > 0 && <p className="error">{t('adm.fixFields')}</p>}
          {fields.errors.length === 0 && <ErrorNote error={error} />}
          <div className="actions">
            <button type="button" onClick={() => void runTest()} disabled={testing || !form.streamUrl}>
              {t('adm.cam.test')}
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t('adm.saving') : t('adm.save')}
            </button>
            <Link to="/admin/cameras">{t('adm.cancel')}</Link>
            {id && <Link to={`/admin/cameras/${encodeURIComponent(id)}`}>{t('adm.cam.geometry')}</Link>}
          </div>
        </form>
        <div className="stream-test" aria-live="polite">
          {testing && <p aria-busy="true">{t('adm.cam.testing')}</p>}
          {test?.ok && (
            <>
              <p className="done" data-testid="stream-ok">
                {t('adm.cam.testOk', { width: formatNumber(test.width ?? 0), height: formatNumber(test.height ?? 0) })}
              </p>
              <img src={test.image ?? ''} alt={t('adm.cam.snapshotAlt')} data-testid="stream-snapshot" />
            </>
          )}
          {test && !test.ok && (
            <p role="alert" className="error" data-testid="stream-failed">
              {t('adm.cam.testFailed', { reason })}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
