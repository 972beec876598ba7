import type { CameraList } from '@phatnguoi/core/contracts/api/cameras';
import { api } from '../../api/client';
import { paths } from '../../api/paths';
import { useApi } from '../../api/useApi';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { Link } from '../../router';

export default function CameraListPage() {
  const { t } = useI18n();
  const list = useApi((signal) => api.get<CameraList>(paths.cameras, undefined, signal), 'cameras');
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
            {list.data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <code>{c.id}</code>
                </td>
                <td>{c.name}</td>
                <td data-detection={c.online && c.detectionFault ? c.detectionFault : 'ok'}>
                  {!c.online ? t('ops.cameraOffline') : c.detectionFault ? `${t('ops.notDetecting')} (${t(`ops.detectionFault.${c.detectionFault}`)})` : t('ops.online')}
                </td>
                <td>
                  <Link to={`/admin/cameras/${encodeURIComponent(c.id)}`}>{t('cam.edit')}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
