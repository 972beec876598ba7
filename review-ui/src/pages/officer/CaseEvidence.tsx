import type { Ref } from 'react';
import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import { ClipPlayer, type ClipPlayerHandle } from '../../components/ClipPlayer';
import { StillOverlay, type OverlayData } from '../../components/StillOverlay';
import { evidenceLabel } from '../../components/evidenceLabel';
import { useI18n } from '../../i18n';
import type { CaseEvidence } from './evidence';

/** The clip and the stills, with the overlay (stop line, lane, box, signal) drawn over the stills when shown. */
export function CaseEvidencePanel({
  c,
  ev,
  overlay,
  showOverlay,
  onShowOverlay,
  playerRef,
  onLoad,
}: {
  c: CaseDetail;
  ev: CaseEvidence;
  overlay: OverlayData;
  showOverlay: boolean;
  onShowOverlay: (show: boolean) => void;
  playerRef: Ref<ClipPlayerHandle>;
  /** An evidence item finished loading: `clip` for the clip's first frame, else the item's id. */
  onLoad: (key: string) => void;
}) {
  const { t } = useI18n();
  return (
    <section className="evidence" aria-label={t('case.evidence')}>
      {ev.clip?.url ? (
        <ClipPlayer ref={playerRef} src={ev.clip.url} fps={ev.fps} label={t('case.clip')} onReady={() => onLoad('clip')} />
      ) : (
        <p>{t('case.noClip')}</p>
      )}
      <div className="stills">
        {ev.stills.map((s) =>
          s.url ? (
            <StillOverlay
              key={s.id}
              src={s.url}
              alt={evidenceLabel(t, s.kind, c.type)}
              overlay={overlay}
              showOverlay={showOverlay}
              onLoad={() => onLoad(s.id)}
            />
          ) : null,
        )}
      </div>
      <label className="check">
        <input type="checkbox" checked={showOverlay} onChange={(e) => onShowOverlay(e.target.checked)} /> {t('case.showOverlay')} (O)
      </label>
    </section>
  );
}
