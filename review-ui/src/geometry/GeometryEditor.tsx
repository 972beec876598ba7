import { useEffect, useId, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { CameraGeometry, Lane, Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { CameraLamps, LampHistory } from '@phatnguoi/core/contracts/api/cameras';
import { LAMP_COLOURS, LAMP_SHAPES, TURNS } from '../options';
import { VEHICLE_CLASSES } from '@phatnguoi/core/contracts/detection';
import { useI18n, type MessageKey } from '../i18n';
import { fieldErrorText, fieldLabel } from '../i18n/field-errors';
import { LampBarsOnCanvas, LampReadingsPanel } from './LampReadings';
import {
  addItem,
  arrowLength,
  centroid,
  directionHead,
  errorsAt,
  errorsUnder,
  handlePoint,
  insertVertex,
  itemPath,
  moveHandle,
  removeItem,
  removeVertex,
  selectionOfPath,
  updateItem,
  type HandleRef,
  type ItemKind,
  type Selection,
  type ServerFieldError,
} from './model';

interface Props {
  imageUrl: string | null;
  geometry: CameraGeometry;
  onChange: (g: CameraGeometry) => void;
  errors: ServerFieldError[];
  /** What the detector's lamp reader sees per lamp (the lamp tool); null or absent: nothing to show. */
  lamps?: CameraLamps | null;
}

/** The readings of one lamp of a head, if the detector has any. */
function lampOf(lamps: CameraLamps | null | undefined, headId: string, lampId: string): LampHistory | undefined {
  return lamps?.heads.find((h) => h.headId === headId)?.lamps.find((l) => l.lampId === lampId);
}

const KIND_LABEL: Record<ItemKind, MessageKey> = {
  stopLines: 'geo.stopLine',
  lanes: 'geo.lane',
  solidLines: 'geo.solidLine',
  signalHeads: 'geo.signalHead',
};

const LAMP_FILL: Record<string, string> = { red: '#ff1744', yellow: '#ffd600', green: '#00e676' };

/**
 * SVG editor over a camera snapshot: stop lines, lanes (polygon, direction arrow, allowed classes),
 * solid lines and signal-lamp regions. Every handle is focusable and moves with the arrow keys
 * (Shift: 10 px), so the editor works without a mouse.
 */
export function GeometryEditor({ imageUrl, geometry: g, onChange, errors, lamps }: Props) {
  const { t } = useI18n();
  const svgRef = useRef<SVGSVGElement>(null);
  const [sel, setSel] = useState<Selection | null>(null);
  const [drag, setDrag] = useState<HandleRef | null>(null);
  const [activeVertex, setActiveVertex] = useState<number>(0);
  const [focusPath, setFocusPath] = useState<string | null>(null);
  const panelRef = useRef<HTMLElement>(null);
  const { width: W, height: H } = g.reference;

  // From the error summary: select the item, then move focus to the field the error names.
  useEffect(() => {
    if (!focusPath) return;
    const panel = panelRef.current;
    let field: Element | null = null;
    for (let p = focusPath; p && !field; p = p.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
      field = panel?.querySelector(`[data-path="${CSS.escape(p)}"]`) ?? null;
      if (p === '$') break;
    }
    const target = field?.querySelector<HTMLElement>('input, select, textarea') ?? panel?.querySelector<HTMLElement>('.geo-form h3');
    if (target) {
      if (!target.hasAttribute('tabindex') && target.tagName === 'H3') target.setAttribute('tabindex', '-1');
      target.focus();
      target.scrollIntoView({ block: 'center' });
    }
    setFocusPath(null);
  }, [focusPath, sel]);
  const hr = Math.max(4, Math.min(W, H) / 90); // handle radius in reference pixels

  const toImage = (e: PointerEvent): Point | null => {
    const svg = svgRef.current;
    const ctm = svg?.getScreenCTM();
    if (!svg || !ctm) return null;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    return [p.x, p.y];
  };

  const startDrag = (h: HandleRef) => (e: PointerEvent<SVGElement>) => {
    e.preventDefault();
    e.stopPropagation();
    (e.target as Element).setPointerCapture?.(e.pointerId);
    setDrag(h);
    setSel({ kind: h.kind, index: h.index });
    if ((h.kind === 'lanes' || h.kind === 'solidLines') && typeof h.point === 'number') setActiveVertex(h.point);
  };
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    if (!drag) return;
    const p = toImage(e);
    if (p) onChange(moveHandle(g, drag, p));
  };
  const endDrag = () => setDrag(null);

  const keyMove = (h: HandleRef) => (e: KeyboardEvent<SVGElement>) => {
    const step = e.shiftKey ? 10 : 1;
    const d: Record<string, Point> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const delta = d[e.key];
    if (delta) {
      e.preventDefault();
      const p = handlePoint(g, h);
      if (p) onChange(moveHandle(g, h, [p[0] + delta[0], p[1] + delta[1]]));
      return;
    }
    if ((e.key === 'Delete' || e.key === 'Backspace') && (h.kind === 'lanes' || h.kind === 'solidLines') && typeof h.point === 'number') {
      e.preventDefault();
      onChange(removeVertex(g, h.kind, h.index, h.point));
    }
  };
  const focusHandle = (h: HandleRef) => () => {
    setSel({ kind: h.kind, index: h.index });
    if ((h.kind === 'lanes' || h.kind === 'solidLines') && typeof h.point === 'number') setActiveVertex(h.point);
  };

  const handle = (h: HandleRef, p: Point | undefined, label: string, fill = '#fff') =>
    p && (
      <circle
        key={JSON.stringify(h)}
        className="geo-handle"
        cx={p[0]}
        cy={p[1]}
        r={hr}
        fill={fill}
        stroke="#000"
        strokeWidth={hr / 4}
        tabIndex={0}
        role="button"
        aria-label={label}
        data-handle={JSON.stringify(h)}
        onPointerDown={startDrag(h)}
        onKeyDown={keyMove(h)}
        onFocus={focusHandle(h)}
      />
    );

  const isSel = (kind: ItemKind, index: number) => sel?.kind === kind && sel.index === index;
  const hasErr = (kind: ItemKind, index: number) => errorsUnder(errors, itemPath({ kind, index })).length > 0;
  const stroke = (kind: ItemKind, index: number, base: string) => (hasErr(kind, index) ? '#ff6d00' : isSel(kind, index) ? '#00b0ff' : base);

  const add = (kind: ItemKind) => {
    const next = addItem(g, kind);
    onChange(next);
    setSel({ kind, index: (next[kind] as unknown[]).length - 1 });
    setActiveVertex(0);
  };

  return (
    <div className="geo-editor">
      {errors.length > 0 && (
        <div className="error-summary" role="alert" aria-labelledby="geo-err-title">
          <h3 id="geo-err-title">{t('geo.errorsTitle', { n: errors.length })}</h3>
          <ul>
            {errors.map((e, i) => {
              const s = selectionOfPath(e.path);
              return (
                <li key={i}>
                  {s ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => {
                        setSel(s);
                        setFocusPath(e.path);
                      }}
                    >
                      {t(KIND_LABEL[s.kind])} {s.index + 1}
                    </button>
                  ) : null}{' '}
                  {fieldLabel(t, e.path)}: {fieldErrorText(t, e.message)}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div className="geo-toolbar" role="toolbar" aria-label={t('geo.toolbar')}>
        <button type="button" onClick={() => add('stopLines')}>
          + {t('geo.stopLine')}
        </button>
        <button type="button" onClick={() => add('lanes')}>
          + {t('geo.lane')}
        </button>
        <button type="button" onClick={() => add('solidLines')}>
          + {t('geo.solidLine')}
        </button>
        <button type="button" onClick={() => add('signalHeads')}>
          + {t('geo.signalHead')}
        </button>
      </div>
      <div className="geo-body">
        <div className="geo-canvas">
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
              <g key={`lane-${i}`} onPointerDown={() => setSel({ kind: 'lanes', index: i })}>
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
                onPointerDown={() => setSel({ kind: 'solidLines', index: i })}
              />
            ))}
            {g.stopLines.map((s, i) => (
              <g key={`stop-${i}`} onPointerDown={() => setSel({ kind: 'stopLines', index: i })}>
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
                  onPointerDown={() => setSel({ kind: 'signalHeads', index: i })}
                />
              )),
            )}
            {sel?.kind === 'stopLines' &&
              g.stopLines[sel.index] &&
              (['a', 'b', 'beforePoint'] as const).map((pt) =>
                handle(
                  { kind: 'stopLines', index: sel.index, point: pt },
                  g.stopLines[sel.index]![pt],
                  t(`geo.handle.${pt}`),
                  pt === 'beforePoint' ? '#ffab91' : '#fff',
                ),
              )}
            {sel?.kind === 'lanes' &&
              g.lanes[sel.index] && [
                ...g.lanes[sel.index]!.polygon.map((p, j) => handle({ kind: 'lanes', index: sel.index, point: j }, p, t('geo.handle.vertex', { n: j + 1 }))),
                handle(
                  { kind: 'lanes', index: sel.index, point: 'direction' },
                  directionHead(g.lanes[sel.index]!, arrowLength(g)),
                  t('geo.handle.direction'),
                  '#76ff03',
                ),
              ]}
            {sel?.kind === 'solidLines' &&
              g.solidLines[sel.index]?.points.map((p, j) =>
                handle({ kind: 'solidLines', index: sel.index, point: j }, p, t('geo.handle.vertex', { n: j + 1 })),
              )}
            {sel?.kind === 'signalHeads' &&
              g.signalHeads[sel.index]?.lamps.flatMap((l, j) => [
                handle(
                  { kind: 'signalHeads', index: sel.index, lamp: j, corner: 0 },
                  [l.region[0], l.region[1]],
                  t('geo.handle.lampCorner', { lamp: l.id, n: 1 }),
                  LAMP_FILL[l.colour],
                ),
                handle(
                  { kind: 'signalHeads', index: sel.index, lamp: j, corner: 1 },
                  [l.region[2], l.region[3]],
                  t('geo.handle.lampCorner', { lamp: l.id, n: 2 }),
                  LAMP_FILL[l.colour],
                ),
              ])}
          </svg>
          <p className="hint">{t('geo.hint')}</p>
        </div>
        <aside className="geo-panel" aria-label={t('geo.properties')} ref={panelRef}>
          <ItemList
            g={g}
            sel={sel}
            onSelect={(s) => {
              setSel(s);
              setActiveVertex(0);
            }}
            errors={errors}
          />
          {sel && (g[sel.kind] as unknown[])[sel.index] !== undefined && (
            <ItemForm
              g={g}
              lamps={lamps}
              sel={sel}
              errors={errors}
              activeVertex={activeVertex}
              onChange={onChange}
              onRemove={() => {
                onChange(removeItem(g, sel));
                setSel(null);
              }}
            />
          )}
        </aside>
      </div>
    </div>
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

function ItemList({ g, sel, onSelect, errors }: { g: CameraGeometry; sel: Selection | null; onSelect: (s: Selection) => void; errors: ServerFieldError[] }) {
  const { t } = useI18n();
  const kinds: ItemKind[] = ['stopLines', 'lanes', 'solidLines', 'signalHeads'];
  return (
    <ul className="geo-items">
      {kinds.flatMap((kind) =>
        (g[kind] as { id: string }[]).map((it, index) => {
          const bad = errorsUnder(errors, itemPath({ kind, index })).length > 0;
          return (
            <li key={`${kind}-${index}`}>
              <button
                type="button"
                aria-pressed={sel?.kind === kind && sel.index === index}
                className={bad ? 'has-error' : undefined}
                onClick={() => onSelect({ kind, index })}
              >
                {t(KIND_LABEL[kind])}: {it.id}
                {bad ? ` ⚠ ${t('geo.hasErrors')}` : ''}
              </button>
            </li>
          );
        }),
      )}
    </ul>
  );
}

function FieldErrors({ id, errors }: { id: string; errors: ServerFieldError[] }) {
  const { t } = useI18n();
  if (errors.length === 0) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {errors.map((e) => fieldErrorText(t, e.message)).join('; ')}
    </span>
  );
}

/** A labelled field with the server's errors for its JSON path shown under it. */
function Field({
  label,
  path,
  errors,
  children,
}: {
  label: string;
  path: string;
  errors: ServerFieldError[];
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const errId = `${id}-err`;
  const mine = errorsAt(errors, path);
  return (
    <div className={mine.length ? 'field invalid' : 'field'} data-path={path}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': mine.length > 0, 'aria-describedby': mine.length ? errId : undefined })}
      <FieldErrors id={errId} errors={mine} />
    </div>
  );
}

function CheckGroup<T extends string>({
  legend,
  path,
  options,
  value,
  onChange,
  errors,
  label,
}: {
  legend: string;
  path: string;
  options: readonly T[];
  value: T[];
  onChange: (v: T[]) => void;
  errors: ServerFieldError[];
  label: (v: T) => string;
}) {
  const id = useId();
  const mine = errorsAt(errors, path).concat(errors.filter((e) => e.path.startsWith(path + '[')));
  return (
    <fieldset className={mine.length ? 'field invalid' : 'field'} data-path={path} aria-describedby={mine.length ? `${id}-err` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o} className="check">
          <input type="checkbox" checked={value.includes(o)} onChange={(e) => onChange(e.target.checked ? [...value, o] : value.filter((v) => v !== o))} />{' '}
          {label(o)}
        </label>
      ))}
      <FieldErrors id={`${id}-err`} errors={mine} />
    </fieldset>
  );
}

function ItemForm({
  g,
  lamps,
  sel,
  errors,
  activeVertex,
  onChange,
  onRemove,
}: {
  g: CameraGeometry;
  lamps: CameraLamps | null | undefined;
  sel: Selection;
  errors: ServerFieldError[];
  activeVertex: number;
  onChange: (g: CameraGeometry) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const base = itemPath(sel);
  const other = errorsUnder(errors, base).filter(
    (e) => !/\.(id|name|approach|allowedClasses|turns|stopLineId|signalHeadId|kind|direction)(\[|$)/.test(e.path.slice(base.length)),
  );
  const idField = (value: string, set: (v: string) => void) => (
    <Field label={t('geo.id')} path={`${base}.id`} errors={errors}>
      {(p) => <input {...p} value={value} onChange={(e) => set(e.target.value)} />}
    </Field>
  );
  let body: ReactNode = null;
  if (sel.kind === 'stopLines') {
    const s = g.stopLines[sel.index]!;
    body = (
      <>
        {idField(s.id, (id) => onChange(updateItem(g, 'stopLines', sel.index, { id })))}
        <Field label={t('geo.approach')} path={`${base}.approach`} errors={errors}>
          {(p) => <input {...p} value={s.approach} onChange={(e) => onChange(updateItem(g, 'stopLines', sel.index, { approach: e.target.value }))} />}
        </Field>
        <p className="hint">{t('geo.stopLineHint')}</p>
      </>
    );
  } else if (sel.kind === 'lanes') {
    const lane = g.lanes[sel.index]!;
    const set = (patch: Partial<Lane>) => onChange(updateItem(g, 'lanes', sel.index, patch));
    body = (
      <>
        {idField(lane.id, (id) => set({ id }))}
        <Field label={t('geo.laneName')} path={`${base}.name`} errors={errors}>
          {(p) => <input {...p} value={lane.name ?? ''} placeholder={t('geo.laneNameHint')} onChange={(e) => set({ name: e.target.value || undefined })} />}
        </Field>
        <CheckGroup
          legend={t('geo.allowedClasses')}
          path={`${base}.allowedClasses`}
          options={VEHICLE_CLASSES}
          value={lane.allowedClasses}
          onChange={(v) => set({ allowedClasses: v })}
          errors={errors}
          label={(c) => t(`vehicle.${c}`)}
        />
        <CheckGroup
          legend={t('geo.turns')}
          path={`${base}.turns`}
          options={TURNS}
          value={lane.turns}
          onChange={(v) => set({ turns: v })}
          errors={errors}
          label={(c) => t(`turn.${c}`)}
        />
        <Field label={t('geo.directionDeg')} path={`${base}.direction`} errors={errors}>
          {(p) => (
            <input
              {...p}
              type="number"
              step={5}
              value={Math.round((Math.atan2(lane.direction[1], lane.direction[0]) * 180) / Math.PI)}
              onChange={(e) => {
                const a = (Number(e.target.value) * Math.PI) / 180;
                set({ direction: [Math.round(Math.cos(a) * 1000) / 1000, Math.round(Math.sin(a) * 1000) / 1000] });
              }}
            />
          )}
        </Field>
        <Field label={t('geo.stopLineRef')} path={`${base}.stopLineId`} errors={errors}>
          {(p) => (
            <select {...p} value={lane.stopLineId ?? ''} onChange={(e) => set({ stopLineId: e.target.value || undefined })}>
              <option value="">{t('geo.none')}</option>
              {g.stopLines.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('geo.signalHeadRef')} path={`${base}.signalHeadId`} errors={errors}>
          {(p) => (
            <select {...p} value={lane.signalHeadId ?? ''} onChange={(e) => set({ signalHeadId: e.target.value || undefined })}>
              <option value="">{t('geo.none')}</option>
              {g.signalHeads.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="row">
          <button type="button" onClick={() => onChange(insertVertex(g, 'lanes', sel.index, activeVertex))}>
            {t('geo.addVertex')}
          </button>
          <button type="button" onClick={() => onChange(removeVertex(g, 'lanes', sel.index, activeVertex))} disabled={lane.polygon.length <= 3}>
            {t('geo.removeVertex')}
          </button>
        </div>
      </>
    );
  } else if (sel.kind === 'solidLines') {
    const s = g.solidLines[sel.index]!;
    body = (
      <>
        {idField(s.id, (id) => onChange(updateItem(g, 'solidLines', sel.index, { id })))}
        <Field label={t('geo.solidKind')} path={`${base}.kind`} errors={errors}>
          {(p) => (
            <select {...p} value={s.kind} onChange={(e) => onChange(updateItem(g, 'solidLines', sel.index, { kind: e.target.value as 'single' | 'double' }))}>
              <option value="single">{t('geo.single')}</option>
              <option value="double">{t('geo.double')}</option>
            </select>
          )}
        </Field>
        <div className="row">
          <button type="button" onClick={() => onChange(insertVertex(g, 'solidLines', sel.index, activeVertex))}>
            {t('geo.addVertex')}
          </button>
          <button type="button" onClick={() => onChange(removeVertex(g, 'solidLines', sel.index, activeVertex))} disabled={s.points.length <= 2}>
            {t('geo.removeVertex')}
          </button>
        </div>
      </>
    );
  } else {
    const h = g.signalHeads[sel.index]!;
    const setLamp = (j: number, patch: Partial<(typeof h.lamps)[number]>) =>
      onChange(updateItem(g, 'signalHeads', sel.index, { lamps: h.lamps.map((l, k) => (k === j ? { ...l, ...patch } : l)) }));
    body = (
      <>
        {idField(h.id, (id) => onChange(updateItem(g, 'signalHeads', sel.index, { id })))}
        {h.lamps.map((l, j) => (
          <fieldset key={j} className="lamp">
            <legend>
              {t('geo.lamp')} {j + 1}
            </legend>
            <Field label={t('geo.id')} path={`${base}.lamps[${j}].id`} errors={errors}>
              {(p) => <input {...p} value={l.id} onChange={(e) => setLamp(j, { id: e.target.value })} />}
            </Field>
            <Field label={t('geo.lampColour')} path={`${base}.lamps[${j}].colour`} errors={errors}>
              {(p) => (
                <select {...p} value={l.colour} onChange={(e) => setLamp(j, { colour: e.target.value as (typeof LAMP_COLOURS)[number] })}>
                  {LAMP_COLOURS.map((c) => (
                    <option key={c} value={c}>
                      {t(`light.${c}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('geo.lampShape')} path={`${base}.lamps[${j}].shape`} errors={errors}>
              {(p) => (
                <select {...p} value={l.shape} onChange={(e) => setLamp(j, { shape: e.target.value as (typeof LAMP_SHAPES)[number] })}>
                  {LAMP_SHAPES.map((c) => (
                    <option key={c} value={c}>
                      {t(`lampShape.${c}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <FieldErrors id={`lamp-${j}-region`} errors={errorsAt(errors, `${base}.lamps[${j}].region`)} />
            {lamps && <LampReadingsPanel lamp={lampOf(lamps, h.id, l.id)} lampId={l.id} colour={l.colour} />}
            <button
              type="button"
              onClick={() => onChange(updateItem(g, 'signalHeads', sel.index, { lamps: h.lamps.filter((_, k) => k !== j) }))}
              disabled={h.lamps.length <= 1}
            >
              {t('geo.removeLamp')}
            </button>
          </fieldset>
        ))}
        <button
          type="button"
          onClick={() => {
            const last = h.lamps[h.lamps.length - 1]!.region;
            const size = last[3] - last[1];
            const lamp = {
              id: `lamp-${h.lamps.length + 1}`,
              colour: 'green' as const,
              shape: 'arrow_left' as const,
              region: [last[0], last[3] + 2, last[2], last[3] + 2 + size] as [number, number, number, number],
            };
            onChange(updateItem(g, 'signalHeads', sel.index, { lamps: [...h.lamps, lamp] }));
          }}
        >
          {t('geo.addLamp')}
        </button>
        <FieldErrors id="head-lamps" errors={errorsAt(errors, `${base}.lamps`)} />
      </>
    );
  }
  return (
    <section className="geo-form" aria-label={`${t(KIND_LABEL[sel.kind])} ${sel.index + 1}`}>
      <h3>
        {t(KIND_LABEL[sel.kind])} {sel.index + 1}
      </h3>
      {body}
      {other.length > 0 && (
        <ul className="field-error" role="alert">
          {other.map((e, i) => (
            <li key={i}>
              {fieldLabel(t, e.path)}: {fieldErrorText(t, e.message)}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="danger" onClick={onRemove}>
        {t('geo.remove')}
      </button>
    </section>
  );
}
