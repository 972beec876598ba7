import { useEffect, useState } from 'react';
import { apiUrl } from '../../api/client';
import { paths } from '../../api/paths';
import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import { useLiveStats } from './useLiveStats';

const THUMB_REFRESH_MS = 30_000;

/** Every camera with its latest snapshot and status; thumbnails refresh without reloading the page. */
export default function CameraGrid() {
  const { t, formatDateTime } = useI18n();
  const { stats, error } = useLiveStats();
  const [tick, setTick] = useState(() => Math.floor(Date.now() / THUMB_REFRESH_MS));
  useEffect(() => {
    const timer = window.setInterval(() => setTick(Math.floor(Date.now() / THUMB_REFRESH_MS)), THUMB_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);
  if (!stats) return error ? <ErrorNote error={error} /> : <p aria-busy="true">{t('app.loading')}</p>;
  return (
    <section>
      <h1>{t('nav.cameras')}</h1>
      <ul className="camera-grid">
        {stats.cameras.map((c) => {
          // Online at ingest but not detecting is a fault of its own, shown with why.
          const fault = c.online && c.detectionFault ? c.detectionFault : null;
          return (
            <li key={c.cameraId} className={!c.online ? 'cam-offline' : fault ? 'cam-fault' : 'cam-online'} data-camera-id={c.cameraId} data-detection={fault ?? 'ok'}>
              <Thumb src={apiUrl(paths.cameraSnapshot(c.cameraId), { t: tick })} alt={t('cam.snapshot') + ' ' + c.name} />
              <h2>{c.name}</h2>
              <p>
                <span className={`badge ${c.online && !fault ? 'ok' : 'bad'}`}>{!c.online ? t('ops.cameraOffline') : fault ? t('ops.notDetecting') : t('ops.online')}</span>{' '}
                {t('ops.framesPerSecond', { fps: c.fps.toFixed(1) })} · {c.detectionsPerSecond.toFixed(1)} {t('ops.throughput').toLowerCase()}
              </p>
              <p className="hint">
                {t('ops.state')}: {c.state} · {t('ops.dropped', { n: c.framesDropped })}
                {c.updatedAt && ` · ${t('ops.lastSeen', { at: formatDateTime(c.updatedAt) })}`}
              </p>
              {fault && (
                <p className="error" data-testid="detection-fault">
                  {t('ops.detectionReason', { reason: t(`ops.detectionFault.${fault}`) })}
                  {c.detectionError && <span className="hint"> ({c.detectionError})</span>}
                </p>
              )}
              {c.lastError && <p className="error">{c.lastError}</p>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Thumb({ src, alt }: { src: string; alt: string }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  useEffect(() => setFailed(false), [src]);
  return failed ? <div className="thumb thumb-missing">{t('ops.noThumb')}</div> : <img className="thumb" src={src} alt={alt} loading="lazy" onError={() => setFailed(true)} />;
}
