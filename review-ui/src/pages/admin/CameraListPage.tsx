import type { StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { api } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { Link } from '../../router';

export default function CameraListPage() {
  const { t } = useI18n();
  const list = useApi((signal) => api.get<StatsSnapshot>(paths.stats, undefined, signal), 'cameras');
  return (
    <section>
      <h1>{t('cam.list')}</h1>
      <ErrorNote error={list.error} />
      {list.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('cam.id')}</th>
              <th scope="col">{t('cam.name')}</th>
              <th scope="col">{t('cam.status')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {list.data.cameras.map((c) => (
              <tr key={c.cameraId}>
                <td>
                  <code>{c.cameraId}</code>
                </td>
                <td>{c.name}</td>
                <td>{c.online ? t('ops.online') : t('ops.cameraOffline')}</td>
                <td>
                  <Link to={`/admin/cameras/${encodeURIComponent(c.cameraId)}`}>{t('cam.edit')}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
