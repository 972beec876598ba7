import { useState } from 'react';
import type { Lane, Point, StopLine } from '@phatnguoi/core/contracts/camera-geometry';
import type { SignalState } from '@phatnguoi/core/contracts/violation-event';
import { useI18n } from '../i18n';

export interface OverlayData {
  /** Vehicle box [x1, y1, x2, y2] in frame pixels. */
  box?: [number, number, number, number] | null;
  /** Frame size the box refers to; the geometry is scaled from its reference size to this. */
  frameSize?: [number, number] | null;
  stopLine?: StopLine | null;
  lane?: Lane | null;
  geometryReference?: { width: number; height: number } | null;
  signal?: SignalState | null;
}

const LIGHT_FILL: Record<string, string> = { red: '#ff1744', yellow: '#ffd600', green: '#00e676', unknown: '#9e9e9e' };

/** A still with the evidence drawn over it: vehicle box, stop line, lane and the light state. */
export function StillOverlay({
  src,
  alt,
  overlay,
  onLoad,
  showOverlay = true,
}: {
  src: string;
  alt: string;
  overlay: OverlayData;
  onLoad?: () => void;
  showOverlay?: boolean;
}) {
  const { t } = useI18n();
  const [natural, setNatural] = useState<[number, number] | null>(null);
  const size = overlay.frameSize ?? natural;
  const scale = (p: Point): Point => {
    const ref = overlay.geometryReference;
    if (!ref || !size) return p;
    return [(p[0] * size[0]) / ref.width, (p[1] * size[1]) / ref.height];
  };
  const sw = size ? Math.max(2, size[0] / 300) : 2;
  const signal = overlay.signal;
  return (
    <figure className="still">
      <div className="still-frame">
        <img
          src={src}
          alt={alt}
          onLoad={(e) => {
            setNatural([e.currentTarget.naturalWidth, e.currentTarget.naturalHeight]);
            onLoad?.();
          }}
        />
        {showOverlay && size && (
          <svg viewBox={`0 0 ${size[0]} ${size[1]}`} preserveAspectRatio="none" aria-hidden="true" className="overlay">
            {overlay.lane && (
              <polygon points={overlay.lane.polygon.map((p) => scale(p).join(',')).join(' ')} fill="rgba(0,229,255,0.15)" stroke="#00e5ff" strokeWidth={sw} />
            )}
            {overlay.stopLine && (
              <line
                x1={scale(overlay.stopLine.a)[0]}
                y1={scale(overlay.stopLine.a)[1]}
                x2={scale(overlay.stopLine.b)[0]}
                y2={scale(overlay.stopLine.b)[1]}
                stroke="#ff1744"
                strokeWidth={sw * 1.5}
              />
            )}
            {overlay.box && (
              <rect
                x={overlay.box[0]}
                y={overlay.box[1]}
                width={overlay.box[2] - overlay.box[0]}
                height={overlay.box[3] - overlay.box[1]}
                fill="none"
                stroke="#ffea00"
                strokeWidth={sw}
              />
            )}
            {signal && (
              <g>
                <rect x={sw * 2} y={sw * 2} width={sw * 14} height={sw * 14} rx={sw * 3} fill="#000" opacity={0.7} />
                <circle cx={sw * 9} cy={sw * 9} r={sw * 5} fill={LIGHT_FILL[signal.round] ?? '#9e9e9e'} />
              </g>
            )}
          </svg>
        )}
      </div>
      <figcaption>
        {alt}
        {signal && (
          <>
            {' · '}
            <span data-testid="light-state">{t('case.light', { colour: t(`light.${signal.round}`) })}</span>
          </>
        )}
      </figcaption>
    </figure>
  );
}
