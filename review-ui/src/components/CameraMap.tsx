// Cameras placed by their coordinates on a plain SVG plot: no map tiles, since nothing outside the system can be
// fetched at run time. Behind them, the outline of the province they stand in (province-outlines.json, see its .md
// for source and licence). Each camera is a dot in its state's colour with its name; the wall and the
// administrator's camera list both use it.
import { useI18n } from '../i18n';
import { mapScene, outlineFor, type OutlineRings, type TileState } from '../pages/ops/wall-model';
import outlines from './province-outlines.json';

const PROVINCES = outlines.provinces as { iso: string; name: string; rings: OutlineRings }[];

export const STATE_COLOUR: Record<TileState, string> = {
  online: '#1b7f3b',
  not_detecting: '#e65100',
  starting: '#1565c0',
  reconnecting: '#b35c00',
  offline: '#b3261e',
  stopped: '#6b6b6b',
  unknown: '#6b6b6b',
};

export interface MapCamera {
  id: string;
  name: string;
  lat: number | null;
  lng: number | null;
  state: TileState;
}

/** The cameras plotted from their coordinates; a click on one opens it. Cameras without coordinates are counted. */
export function CameraMap({
  cameras,
  onOpen,
  width = 380,
  height = 190,
}: {
  cameras: MapCamera[];
  onOpen: (id: string) => void;
  width?: number;
  height?: number;
}) {
  const { t } = useI18n();
  const province = outlineFor(cameras, PROVINCES);
  const { points, outline } = mapScene(
    cameras.map((c) => ({ cameraId: c.id, lat: c.lat, lng: c.lng })),
    province?.rings ?? [],
    width,
    height,
    24,
  );
  const byId = new Map(cameras.map((c) => [c.id, c]));
  const missing = cameras.length - points.length;
  return (
    <figure className="chart wall-map" data-testid="camera-map">
      <figcaption>{t('wall.map')}</figcaption>
      {points.length === 0 ? (
        <p className="hint">{t('wall.mapNone')}</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('wall.mapLabel')}>
          <rect x={1} y={1} width={width - 2} height={height - 2} fill="#eef3f8" stroke="#9fb3c8" rx={6} />
          {[1, 2, 3].map((i) => (
            <g key={i} stroke="#d5e0ea">
              <line x1={(width * i) / 4} x2={(width * i) / 4} y1={0} y2={height} />
              <line y1={(height * i) / 4} y2={(height * i) / 4} x1={0} x2={width} />
            </g>
          ))}
          {province && (
            <path d={outline} fill="#fbfdf7" stroke="#7d93a8" strokeWidth={1.5} strokeLinejoin="round" data-testid="province-outline">
              <title>{province.name}</title>
            </path>
          )}
          {points.map((p) => {
            const c = byId.get(p.cameraId)!;
            return (
              <g key={c.id} data-camera-id={c.id} data-state={c.state} className="map-point" onClick={() => onOpen(c.id)}>
                <circle cx={p.x} cy={p.y} r={11} fill={STATE_COLOUR[c.state]} stroke="#fff" strokeWidth={3}>
                  <title>{`${c.name}: ${t(`camState.${c.state}`)}`}</title>
                </circle>
                {/* names go towards the middle, so those at the edges stay inside the frame */}
                <text
                  x={p.x < width / 2 ? p.x + 15 : p.x - 15}
                  y={p.y + 5}
                  textAnchor={p.x < width / 2 ? 'start' : 'end'}
                  fontSize="15"
                  fontWeight={600}
                  paintOrder="stroke"
                  stroke="#eef3f8"
                  strokeWidth={4}
                >
                  {c.name}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      {missing > 0 && points.length > 0 && <p className="hint">{t('wall.mapMissing', { n: missing })}</p>}
      {province && points.length > 0 && (
        <p className="hint map-attribution">
          {t('wall.mapAttribution')} {/* the sources' own names, not words to translate */}
          <span translate="no">© Open Development Mekong · geoBoundaries</span>
        </p>
      )}
    </figure>
  );
}
