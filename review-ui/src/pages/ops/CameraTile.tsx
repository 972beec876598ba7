import { useEffect, useState } from 'react';
import type { CameraLive } from '@phatnguoi/core/contracts/api/stats';
import { apiUrl } from '../../api/client';
import { paths } from '../../api/paths';
import { useI18n, type MessageKey } from '../../i18n';
import { tileReason, tileState, type TileState } from './wall-model';

/** How often a tile fetches its camera's picture anew. */
export const PICTURE_REFRESH_MS = 10_000;

/** A counter that steps every `ms`, to put in picture URLs so they refresh without reloading the page. */
export function useTick(ms: number): number {
  const [tick, setTick] = useState(() => Math.floor(Date.now() / ms));
  useEffect(() => {
    const timer = window.setInterval(() => setTick(Math.floor(Date.now() / ms)), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return tick;
}

const CLASS_OF: Record<TileState, string> = {
  online: 'cam-online',
  not_detecting: 'cam-fault',
  starting: 'cam-reconnecting',
  reconnecting: 'cam-reconnecting',
  offline: 'cam-offline',
  stopped: 'cam-offline',
  unknown: 'cam-offline',
};

/** The state of a camera in words, and why; the raw (English, technical) reason only as a tooltip. */
export function CameraStateText({ camera }: { camera: CameraLive }) {
  const { t } = useI18n();
  const state = tileState(camera);
  const reason = tileReason(camera);
  return (
    <>
      <span className={`badge state-${state}`} data-testid="camera-state" data-state={state}>
        {t(`camState.${state}`)}
      </span>
      {reason && (
        <p
          className={state === 'not_detecting' || state === 'offline' ? 'error' : 'warn'}
          data-testid={state === 'not_detecting' ? 'detection-fault' : 'camera-reason'}
          title={reason.raw ?? undefined}
          data-technical={reason.raw ? true : undefined}
        >
          {t('ops.detectionReason', { reason: t(reason.key as MessageKey) })}
        </p>
      )}
    </>
  );
}

/** One camera of the wall: its latest picture (refreshed), name, state and reason; `onOpen` opens its detail. */
export function CameraTile({ camera, tick, onOpen }: { camera: CameraLive; tick: number; onOpen?: () => void }) {
  const { t, formatNumber } = useI18n();
  const state = tileState(camera);
  return (
    <li className={CLASS_OF[state]} data-camera-id={camera.cameraId} data-detection={camera.online && camera.detectionFault ? camera.detectionFault : 'ok'}>
      <Picture src={apiUrl(paths.wallSnapshot(camera.cameraId), { t: tick })} alt={`${t('cam.snapshot')} ${camera.name}`} />
      <div className="cam-body">
        <h2>
          {onOpen ? (
            <button type="button" className="link tile-open" onClick={onOpen} aria-label={t('wall.openCamera', { name: camera.name })}>
              {camera.name}
            </button>
          ) : (
            camera.name
          )}
        </h2>
        <div className="cam-figures">
          <CameraStateText camera={camera} />
        </div>
        <p className="hint">
          {t('ops.framesPerSecond', { fps: formatNumber(camera.fps, 1) })} · {t('wall.dps')}: {formatNumber(camera.detectionsPerSecond, 1)}
        </p>
      </div>
    </li>
  );
}

export function Picture({ src, alt }: { src: string; alt: string }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState(false);
  useEffect(() => setFailed(false), [src]);
  return failed ? (
    <div className="thumb thumb-missing" data-testid="no-picture">
      {t('ops.noThumb')}
    </div>
  ) : (
    <img className="thumb" src={src} alt={alt} onError={() => setFailed(true)} />
  );
}
