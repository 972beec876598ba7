// The geometry drawn over the camera snapshot (SVG in the snapshot's pixels), with the selected item's handles.
import { useRef, useState, type PointerEvent } from 'react';
import type { CameraGeometry, Lane, Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { CameraLamps } from '@phatnguoi/core/contracts/api/cameras';
import { useI18n } from '../i18n';
import { LAMP_FILL } from './labels';
import { LampBarsOnCanvas, lampOf } from './LampReadings';
import {
  arrowLength,
  centroid,
  directionHead,
  errorsUnder,
  itemPath,
  moveHandle,
  type HandleRef,
  type ItemKind,
  type Selection,
  type ServerFieldError,
} from './model';
import { SelectionHandles } from './SelectionHandles';

interface Props {
  imageUrl: string | null;
  g: CameraGeometry;
  lamps: CameraLamps | null | undefined;
  errors: ServerFieldError[];
  sel: Selection | null;
  /** An item was clicked (no vertex), or one of its handles grabbed or focused. */
  onSelectHandle: (h: HandleRef) => void;
  onSelect: (s: Selection) => void;
  onChange: (g: CameraGeometry) => void;
}

export function GeometryCanvas({ imageUrl, g, lamps, errors, sel, onSelectHandle, onSelect, onChange }: Props) {
  const { t } = useI18n();
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<HandleRef | null>(null);
  const { width: W, height: H } = g.reference;
  const hr = Math.max(4, Math.min(W, H) / 90); // handle radius in reference pixels

  const toImage = (e: PointerEvent): Point | null => {
    const svg = svgRef.current;
    const ctm = svg?.getScreenCTM();
    if (!svg || !ctm) return null;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    return [p.x, p.y];
  };
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    const p = toImage(e);
    if (p) onChange(moveHandle(g, drag, p));
  };
  const endDrag = () => setDrag(null);

  const isSel = (kind: ItemKind, index: number) => sel?.kind === kind && sel.index === index;
  const hasErr = (kind: ItemKind, index: number) => errorsUnder(errors, itemPath({ kind, index })).length > 0;
  const stroke = (kind: ItemKind, index: number, base: string) => (hasErr(kind, index) ? '#ff6d00' : isSel(kind, index) ? '#00b0ff' : base);

  return (
    <svg
      ref={svgRef}
      viewBox={`0 0 ${W} ${H}`}
      role="group"
      aria-label={t('geo.canvas')}
      onPointerMove={onMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      data-testid="geo-svg"
    >
      {imageUrl ? <image href={imageUrl} x={0} y={0} width={W} height={H} preserveAspectRatio="none" /> : <rect width={W} height={H} fill="#333" />}
      {g.lanes.map((lane, i) => (
        <g key={`lane-${i}`} onPointerDown={() => onSelect({ kind: 'lanes', index: i })}>
          <polygon
            points={lane.polygon.map((p) => p.join(',')).join(' ')}
            fill="rgba(0,176,255,0.18)"
            stroke={stroke('lanes', i, '#00e5ff')}
            strokeWidth={hr / 2}
          />
          <LaneArrow lane={lane} length={arrowLength(g)} width={hr / 2} />
          <text x={centroid(lane.polygon)[0]} y={centroid(lane.polygon)[1] - hr} fill="#fff" fontSize={hr * 3} stroke="#000" strokeWidth={hr / 8}>
            {lane.id}
          </text>
        </g>
      ))}
      {g.solidLines.map((s, i) => (
        <polyline
          key={`solid-${i}`}
          points={s.points.map((p) => p.join(',')).join(' ')}
          fill="none"
          stroke={stroke('solidLines', i, '#ffeb3b')}
          strokeWidth={hr / 1.5}
          onPointerDown={() => onSelect({ kind: 'solidLines', index: i })}
        />
      ))}
      {g.stopLines.map((s, i) => (
        <g key={`stop-${i}`} onPointerDown={() => onSelect({ kind: 'stopLines', index: i })}>
          <line x1={s.a[0]} y1={s.a[1]} x2={s.b[0]} y2={s.b[1]} stroke={stroke('stopLines', i, '#ff1744')} strokeWidth={hr} />
          <line
            x1={(s.a[0] + s.b[0]) / 2}
            y1={(s.a[1] + s.b[1]) / 2}
            x2={s.beforePoint[0]}
            y2={s.beforePoint[1]}
            stroke="#ff1744"
            strokeDasharray={`${hr} ${hr}`}
            strokeWidth={hr / 4}
          />
        </g>
      ))}
      {g.signalHeads.map((h) =>
        h.lamps.map((l, j) => {
          const seen = lampOf(lamps, h.id, l.id);
          return seen && seen.readings.length > 0 ? (
            <LampBarsOnCanvas key={`lamp-bars-${h.id}-${j}`} lamp={seen} colour={l.colour} region={l.region} imageWidth={W} />
          ) : null;
        }),
      )}
      {g.signalHeads.map((h, i) =>
        h.lamps.map((l, j) => (
          <rect
            key={`lamp-${i}-${j}`}
            x={Math.min(l.region[0], l.region[2])}
            y={Math.min(l.region[1], l.region[3])}
            width={Math.abs(l.region[2] - l.region[0])}
            height={Math.abs(l.region[3] - l.region[1])}
            fill="none"
            stroke={isSel('signalHeads', i) ? '#00b0ff' : (LAMP_FILL[l.colour] ?? '#fff')}
            strokeWidth={hr / 3}
            onPointerDown={() => onSelect({ kind: 'signalHeads', index: i })}
          />
        )),
      )}
      {sel && (
        <SelectionHandles
          g={g}
          sel={sel}
          radius={hr}
          onGrab={(h) => {
            setDrag(h);
            onSelectHandle(h);
          }}
          onFocusHandle={onSelectHandle}
          onChange={onChange}
        />
      )}
    </svg>
  );
}

function LaneArrow({ lane, length, width }: { lane: Lane; length: number; width: number }) {
  const c = centroid(lane.polygon);
  const h = directionHead(lane, length);
  const ang = Math.atan2(h[1] - c[1], h[0] - c[0]);
  const s = width * 5;
  const wing = (a: number): Point => [h[0] - s * Math.cos(ang + a), h[1] - s * Math.sin(ang + a)];
  const l = wing(0.5);
  const r = wing(-0.5);
  return (
    <g stroke="#76ff03" strokeWidth={width} fill="none" aria-hidden="true">
      <line x1={c[0]} y1={c[1]} x2={h[0]} y2={h[1]} />
      <polyline points={`${l.join(',')} ${h.join(',')} ${r.join(',')}`} />
    </g>
  );
}
