import { useState } from 'react';
import type { AdminCamera } from '@phatnguoi/core/contracts/api/admin';
import { call } from '../../api/client';
import { useApi } from '../../api/useApi';
import { CameraMap } from '../../components/CameraMap';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { Link, useRouter } from '../../router';
import { tileState } from '../ops/wall-model';
import { AdminNav } from './AdminKit';

/** The administrator's cameras by name: state, stream, sample rate, place; enable/disable, edit, geometry. */
export default function CameraListPage() {
  const { t, formatNumber } = useI18n();
  const { navigate } = useRouter();
  const list = useApi((signal) => call('GET /api/admin/cameras', { signal }), 'cameras');
  const [error, setError] = useState<Error | null>(null);
  const toggle = async (c: AdminCamera) => {
    setError(null);
    try {
      await call('PATCH /api/admin/cameras/:id', { params: { id: c.id }, body: { enabled: !c.enabled } });
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section>
      <AdminNav />
      <div className="row">
        <h1>{t('cam.list')}</h1>
        <Link to="/admin/cameras/new" className="button primary">
          {t('adm.cam.add')}
        </Link>
      </div>
      <ErrorNote error={list.error ?? error} />
      {list.data && list.data.items.length === 0 && <p>{t('adm.cam.empty')}</p>}
      {list.data && list.data.items.length > 0 && (
        <CameraMap
          cameras={list.data.items.map((c) => ({
            id: c.id,
            name: c.name,
            lat: c.lat,
            lng: c.lng,
            // a camera switched off here shows as stopped whatever ingest last said
            state: tileState({ online: c.enabled && c.online, state: c.enabled ? c.state : 'stopped', detectionFault: null }),
          }))}
          onOpen={(id) => navigate(`/admin/cameras/${id}/settings`)}
          width={760}
          height={300}
        />
      )}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('cam.name')}</th>
                <th scope="col">{t('adm.cam.agency')}</th>
                <th scope="col">{t('cam.status')}</th>
                <th scope="col">{t('adm.cam.stream')}</th>
                <th scope="col">{t('adm.cam.sampleFps')}</th>
                <th scope="col">{t('adm.cam.location')}</th>
                <th scope="col">{t('adm.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={c.id} data-camera={c.name}>
                  <th scope="row">
                    {c.name}
                    <div className="hint">{c.address}</div>
                  </th>
                  <td>{c.agencyName}</td>
                  <td>
                    <span className={`badge ${c.enabled ? (c.online ? 'ok' : 'warn') : ''}`}>
                      {!c.enabled ? t('adm.cam.disabled') : c.online ? t('adm.cam.state.online') : t('adm.cam.state.offline')}
                    </span>{' '}
                    <span className={`badge ${c.hasGeometry ? 'ok' : 'warn'}`}>{c.hasGeometry ? t('adm.cam.hasGeometry') : t('adm.cam.noGeometry')}</span>
                  </td>
                  <td>
                    <code>{c.streamUrl}</code>
                    {c.hasCredentials && <div className="hint">{t('adm.cam.credentials')}</div>}
                  </td>
                  <td>{formatNumber(c.sampleFps)}</td>
                  <td>{c.lat !== null && c.lng !== null ? `${formatNumber(c.lat, 5)}, ${formatNumber(c.lng, 5)}` : t('adm.none')}</td>
                  <td>
                    <div className="row">
                      <Link to={`/admin/cameras/${encodeURIComponent(c.id)}/settings`}>{t('adm.cam.settings')}</Link>
                      <Link to={`/admin/cameras/${encodeURIComponent(c.id)}`}>{t('adm.cam.geometry')}</Link>
                      <button type="button" onClick={() => void toggle(c)}>
                        {c.enabled ? t('adm.cam.disable') : t('adm.cam.enable')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
