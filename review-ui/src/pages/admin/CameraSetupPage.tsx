import { useEffect, useState } from 'react';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { useApi } from '../../api/useApi';
import { ApiError, apiUrl, call } from '../../api/client';
import { paths } from '../../api/paths';
import { ErrorNote } from '../../components/ErrorNote';
import { CalibrationEditor } from '../../geometry/CalibrationEditor';
import { GeometryEditor } from '../../geometry/GeometryEditor';
import { emptyGeometry, type ServerFieldError } from '../../geometry/model';
import { useI18n } from '../../i18n';
import { Link } from '../../router';

/** Loads the snapshot's pixel size, which becomes the reference size of a new geometry. */
function useImageSize(src: string): { size: [number, number] | null; failed: boolean } {
  const [state, setState] = useState<{ size: [number, number] | null; failed: boolean }>({ size: null, failed: false });
  useEffect(() => {
    const img = new Image();
    img.onload = () => setState({ size: [img.naturalWidth, img.naturalHeight], failed: false });
    img.onerror = () => setState({ size: null, failed: true });
    img.src = src;
    return () => {
      img.onload = null;
      img.onerror = null;
    };
  }, [src]);
  return state;
}

const LAMPS_REFRESH_MS = 5000;

export default function CameraSetupPage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const { t, formatDateTime } = useI18n();
  const snapshotUrl = apiUrl(paths.cameraSnapshot(id), { v: 'latest' });
  const image = useImageSize(snapshotUrl);
  const [geometry, setGeometry] = useState<CameraGeometry | null>(null);
  const [fresh, setFresh] = useState(false);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [fieldErrors, setFieldErrors] = useState<ServerFieldError[]>([]);
  const [saveError, setSaveError] = useState<Error | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [reloadTick, setReloadTick] = useState(0);
  const camera = useApi((signal) => call('GET /api/cameras/:id', { params: { id }, signal }), id);
  const name = camera.data?.name ?? id;
  // The lamp tool: what the detector's lamp reader sees per lamp region, refreshed every few seconds.
  const lamps = useApi((signal) => call('GET /api/cameras/:id/lamps', { params: { id }, signal }), id);
  const reloadLamps = lamps.reload;
  useEffect(() => {
    const timer = setInterval(reloadLamps, LAMPS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadLamps]);

  useEffect(() => {
    let live = true;
    setGeometry(null);
    call('GET /api/cameras/:id/geometry', { params: { id } })
      .then((g) => live && (setGeometry(g), setFresh(false)))
      .catch((e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 404) setFresh(true);
        else setLoadError(e instanceof Error ? e : new Error(String(e)));
      });
    return () => {
      live = false;
    };
  }, [id, reloadTick]);

  // A camera without geometry starts from an empty document at the snapshot's resolution.
  useEffect(() => {
    if (fresh && !geometry) {
      const [w, h] = image.size ?? (image.failed ? [1280, 720] : [0, 0]);
      if (w > 0) setGeometry(emptyGeometry(w, h));
    }
  }, [fresh, geometry, image]);

  const save = async () => {
    if (!geometry) return;
    setBusy(true);
    setSaved(false);
    setSaveError(null);
    try {
      const stored = await call('PUT /api/cameras/:id/geometry', { params: { id }, body: geometry });
      setGeometry(stored);
      setFieldErrors([]);
      setFresh(false);
      setSaved(true);
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) setFieldErrors(e.fieldErrors);
      else setFieldErrors([]);
      setSaveError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="camera-setup">
      <p>
        <Link to="/admin/cameras">← {t('cam.list')}</Link>
      </p>
      <h1>{t('cam.setup', { name })}</h1>
      <ErrorNote error={loadError} />
      {fresh && <p className="hint">{t('cam.noGeometry')}</p>}
      {geometry ? (
        <>
          <GeometryEditor
            imageUrl={image.failed ? null : snapshotUrl}
            geometry={geometry}
            onChange={(g) => {
              setGeometry(g);
              setSaved(false);
            }}
            errors={fieldErrors}
            lamps={lamps.data}
          />
          <p className="hint" data-testid="lamps-status">
            {lamps.error
              ? t('lamps.loadFailed')
              : lamps.data
                ? lamps.data.updatedAt
                  ? t('lamps.updatedAt', { time: formatDateTime(lamps.data.updatedAt) })
                  : t('lamps.noDetector')
                : ''}
          </p>
          <CalibrationEditor
            imageUrl={image.failed ? null : snapshotUrl}
            geometry={geometry}
            onChange={(g) => {
              setGeometry(g);
              setSaved(false);
            }}
          />
          <div className="actions sticky-actions">
            <button type="button" className="primary" onClick={() => void save()} disabled={busy}>
              {t('common.save')}
            </button>
            <button type="button" onClick={() => setReloadTick((n) => n + 1)} disabled={busy}>
              {t('cam.reload')}
            </button>
            <span role="status" aria-live="polite">
              {saved ? t('common.saved') : ''}
            </span>
          </div>
          {saveError && fieldErrors.length > 0 ? (
            <p role="alert" className="error">
              {t('cam.saveFailed')}
            </p>
          ) : (
            <ErrorNote error={saveError} />
          )}
        </>
      ) : (
        !loadError && <p aria-busy="true">{t('app.loading')}</p>
      )}
    </section>
  );
}
