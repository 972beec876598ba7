import { useState } from 'react';
import { useI18n } from '../../i18n';
import type { CaseEvidence } from './evidence';

/** The plate and vehicle crops; a click zooms one. */
export function PlateCrops({ ev, onLoad }: { ev: CaseEvidence; onLoad: (evidenceId: string) => void }) {
  const { t } = useI18n();
  const [zoom, setZoom] = useState<'plate' | 'vehicle' | null>(null);
  return (
    <div className="crops">
      {ev.plateCrop?.url ? (
        <button
          type="button"
          className="zoom-toggle"
          aria-pressed={zoom === 'plate'}
          aria-label={`${t('evidence.plate_crop')}: ${zoom === 'plate' ? t('desk.unzoom') : t('desk.zoom')}`}
          onClick={() => setZoom(zoom === 'plate' ? null : 'plate')}
        >
          <img
            className={`plate-crop${zoom === 'plate' ? ' zoomed' : ''}`}
            src={ev.plateCrop.url}
            alt={t('evidence.plate_crop')}
            onLoad={() => onLoad(ev.plateCrop!.id)}
          />
        </button>
      ) : (
        <p>{t('case.noPlateCrop')}</p>
      )}
      {ev.vehicleCrop?.url && (
        <button
          type="button"
          className="zoom-toggle"
          aria-pressed={zoom === 'vehicle'}
          aria-label={`${t('evidence.vehicle_crop')}: ${zoom === 'vehicle' ? t('desk.unzoom') : t('desk.zoom')}`}
          onClick={() => setZoom(zoom === 'vehicle' ? null : 'vehicle')}
        >
          <img
            className={`vehicle-crop${zoom === 'vehicle' ? ' zoomed' : ''}`}
            src={ev.vehicleCrop.url}
            alt={t('evidence.vehicle_crop')}
            onLoad={() => onLoad(ev.vehicleCrop!.id)}
          />
        </button>
      )}
    </div>
  );
}
