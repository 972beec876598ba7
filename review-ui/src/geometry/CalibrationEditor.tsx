import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { CameraGeometry, Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { VehicleClass } from '@phatnguoi/core/contracts/detection';
import { useI18n } from '../i18n';
import { addCalibrationPoint, defaultSpeedZone, fitCalibration, groundGrid, removeCalibrationPoint } from './calibration-model';

interface Props {
  imageUrl: string | null;
  geometry: CameraGeometry;
  onChange: (g: CameraGeometry) => void;
}

const ZONE_CLASSES: VehicleClass[] = ['motorbike', 'car', 'bus', 'truck'];
type Handle = { kind: 'point'; index: number } | { kind: 'zone'; index: number };

/**
 * Speed calibration over the camera snapshot: road points whose real positions (metres) the officer types, the
 * fitted ground grid drawn back over the picture with each point's error, and the speed zone with its posted limit.
 */
export function CalibrationEditor({ imageUrl, geometry: g, onChange }: Props) {
  const { t, formatNumber } = useI18n();
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<Handle | null>(null);
  const { width: W, height: H } = g.reference;
  const hr = Math.max(4, Math.min(W, H) / 90);
  const cal = g.calibration;
  const fit = fitCalibration(cal);
  const grid = fit.ok && cal ? groundGrid(fit.fit, cal, g.reference) : [];
  const zone = g.speedZones?.[0];

  const move = (h: Handle, p: Point) => {
    const q: Point = [Math.round(Math.max(0, Math.min(W, p[0]))), Math.round(Math.max(0, Math.min(H, p[1])))];
    if (h.kind === 'point' && cal) onChange({ ...g, calibration: { ...cal, points: cal.points.map((x, i) => (i === h.index ? { ...x, image: q } : x)) } });
    if (h.kind === 'zone' && zone)
      onChange({ ...g, speedZones: [{ ...zone, polygon: zone.polygon.map((x, i) => (i === h.index ? q : x)) }, ...(g.speedZones ?? []).slice(1)] });
  };
  const pointOf = (h: Handle): Point | undefined => (h.kind === 'point' ? cal?.points[h.index]?.image : zone?.polygon[h.index]);
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    const ctm = svgRef.current?.getScreenCTM();
    if (!drag || !ctm) return;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    move(drag, [p.x, p.y]);
  };
  const keyMove = (h: Handle) => (e: KeyboardEvent<SVGElement>) => {
    const s = e.shiftKey ? 10 : 1;
    const d = ({ ArrowLeft: [-s, 0], ArrowRight: [s, 0], ArrowUp: [0, -s], ArrowDown: [0, s] } as Record<string, Point>)[e.key];
    const p = pointOf(h);
    if (d && p) {
      e.preventDefault();
      move(h, [p[0] + d[0], p[1] + d[1]]);
    }
  };
  const setGround = (index: number, axis: 0 | 1, value: number) => {
    if (!cal || !Number.isFinite(value)) return;
    onChange({
      ...g,
      calibration: {
        ...cal,
        points: cal.points.map((x, i) => (i === index ? { ...x, ground: (axis === 0 ? [value, x.ground[1]] : [x.ground[0], value]) as [number, number] } : x)),
      },
    });
  };
  const setZone = (patch: Partial<NonNullable<typeof zone>>) =>
    zone && onChange({ ...g, speedZones: [{ ...zone, ...patch }, ...(g.speedZones ?? []).slice(1)] });
  const handle = (h: Handle, p: Point, label: string, fill: string) => (
    <circle
      key={`${h.kind}-${h.index}`}
      cx={p[0]}
      cy={p[1]}
      r={hr}
      fill={fill}
      stroke="#000"
      strokeWidth={hr / 4}
      tabIndex={0}
      role="button"
      aria-label={label}
      onPointerDown={(e) => {
        e.preventDefault();
        (e.target as Element).setPointerCapture?.(e.pointerId);
        setDrag(h);
      }}
      onKeyDown={keyMove(h)}
    />
  );

  return (
    <section className="calibration" aria-labelledby="calibration-title">
      <h2 id="calibration-title">{t('calib.title')}</h2>
      <p className="hint">{t('calib.hint')}</p>
      <div className="geo-body">
        <div className="geo-canvas">
          <svg
            ref={svgRef}
            viewBox={`0 0 ${W} ${H}`}
            role="group"
            aria-label={t('calib.canvas')}
            onPointerMove={onMove}
            onPointerUp={() => setDrag(null)}
            onPointerCancel={() => setDrag(null)}
            data-testid="calib-svg"
          >
            {imageUrl ? <image href={imageUrl} x={0} y={0} width={W} height={H} preserveAspectRatio="none" /> : <rect width={W} height={H} fill="#333" />}
            {grid.map((line, i) => (
              <polyline
                key={`grid-${i}`}
                points={line.map((p) => p.join(',')).join(' ')}
                fill="none"
                stroke="#76ff03"
                strokeOpacity={0.7}
                strokeWidth={hr / 5}
                data-testid="calib-grid"
              />
            ))}
            {zone && <polygon points={zone.polygon.map((p) => p.join(',')).join(' ')} fill="rgba(255,145,0,0.15)" stroke="#ff9100" strokeWidth={hr / 3} />}
            {zone?.polygon.map((p, i) => handle({ kind: 'zone', index: i }, p, t('calib.zoneVertex', { n: i + 1 }), '#ff9100'))}
            {cal?.points.map((p, i) => (
              <g key={`pt-${i}`}>
                {handle({ kind: 'point', index: i }, p.image, t('calib.pointHandle', { n: i + 1 }), '#fff')}
                <text x={p.image[0] + hr * 1.3} y={p.image[1] - hr} fontSize={hr * 3} fill="#fff" stroke="#000" strokeWidth={hr / 8}>
                  {i + 1}
                </text>
              </g>
            ))}
          </svg>
        </div>
        <aside className="geo-panel">
          <table className="calib-points">
            <caption>{t('calib.points')}</caption>
            <thead>
              <tr>
                <th>#</th>
                <th>{t('calib.groundX')}</th>
                <th>{t('calib.groundY')}</th>
                <th>{t('calib.residual')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {cal?.points.map((p, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  {([0, 1] as const).map((axis) => (
                    <td key={axis}>
                      <input
                        type="number"
                        step="0.01"
                        value={p.ground[axis]}
                        aria-label={t(axis === 0 ? 'calib.groundXOf' : 'calib.groundYOf', { n: i + 1 })}
                        onChange={(e) => setGround(i, axis, e.currentTarget.valueAsNumber)}
                      />
                    </td>
                  ))}
                  <td>{fit.ok ? `${formatNumber(fit.residualsM[i]! * 100, 0)} cm` : '—'}</td>
                  <td>
                    <button type="button" className="link" onClick={() => onChange(removeCalibrationPoint(g, i))}>
                      {t('calib.removePoint')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => onChange(addCalibrationPoint(g))}>
            + {t('calib.addPoint')}
          </button>
          <p role="status" data-testid="calib-status">
            {fit.ok
              ? t('calib.fitted', {
                  rms: formatNumber(fit.fit.rmsErrorM * 100, 1),
                  max: formatNumber(fit.fit.maxErrorM * 100, 1),
                  px: formatNumber(fit.fit.rmsErrorPx, 1),
                  span: formatNumber(fit.fit.spanM, 1),
                })
              : t(fit.reason === 'too_few' ? 'calib.tooFew' : 'calib.invalid')}
          </p>
          {fit.ok && !zone && (
            <button type="button" onClick={() => onChange({ ...g, speedZones: [defaultSpeedZone(g)] })}>
              + {t('calib.addZone')}
            </button>
          )}
          {zone && (
            <fieldset>
              <legend>{t('calib.zone')}</legend>
              <label>
                {t('calib.limit')}{' '}
                <input
                  type="number"
                  min={5}
                  max={150}
                  step={5}
                  value={zone.limits[0]?.limitKmh ?? 50}
                  onChange={(e) =>
                    Number.isInteger(e.currentTarget.valueAsNumber) &&
                    setZone({ limits: [{ classes: zone.limits[0]?.classes ?? ZONE_CLASSES, limitKmh: e.currentTarget.valueAsNumber }] })
                  }
                />{' '}
                km/h
              </label>
              <div>
                {ZONE_CLASSES.map((c) => (
                  <label key={c} className="check">
                    <input
                      type="checkbox"
                      checked={zone.limits[0]?.classes.includes(c) ?? false}
                      onChange={(e) => {
                        const classes = new Set(zone.limits[0]?.classes ?? []);
                        if (e.currentTarget.checked) classes.add(c);
                        else classes.delete(c);
                        if (classes.size)
                          setZone({ limits: [{ classes: ZONE_CLASSES.filter((x) => classes.has(x)), limitKmh: zone.limits[0]?.limitKmh ?? 50 }] });
                      }}
                    />{' '}
                    {t(`vehicle.${c}`)}
                  </label>
                ))}
              </div>
              <button type="button" className="link" onClick={() => onChange({ ...g, speedZones: (g.speedZones ?? []).slice(1) })}>
                {t('calib.removeZone')}
              </button>
            </fieldset>
          )}
        </aside>
      </div>
    </section>
  );
}
