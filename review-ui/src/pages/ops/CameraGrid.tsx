import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { CameraTile, PICTURE_REFRESH_MS, useTick } from './CameraTile';
import { useLiveStats } from './useLiveStats';

/** Every camera with its latest picture and state in words; pictures refresh without reloading the page. */
export default function CameraGrid() {
  const { t } = useI18n();
  const { stats, error } = useLiveStats();
  const tick = useTick(PICTURE_REFRESH_MS);
  if (!stats) return error ? <ErrorNote error={error} /> : <p aria-busy="true">{t('app.loading')}</p>;
  return (
    <section className="ops-wall">
      <h1>{t('nav.cameras')}</h1>
      <ul className="camera-grid">
        {stats.cameras.map((c) => (
          <CameraTile key={c.cameraId} camera={c} tick={tick} />
        ))}
      </ul>
    </section>
  );
}
