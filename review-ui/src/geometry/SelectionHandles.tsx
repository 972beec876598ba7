// The handles of the selected item: drag them, or focus one and move it with the arrow keys (Shift: 10 px);
// Delete removes a focused lane or solid-line vertex.
import type { KeyboardEvent, PointerEvent } from 'react';
import type { CameraGeometry, Point } from '@phatnguoi/core/contracts/camera-geometry';
import { useI18n } from '../i18n';
import { LAMP_FILL } from './labels';
import { arrowLength, directionHead, handlePoint, moveHandle, removeVertex, type HandleRef, type Selection } from './model';

/** The vertex a handle stands on, for lanes and solid lines (the one "add/remove vertex" acts after). */
export function vertexOf(h: HandleRef): number | undefined {
  return (h.kind === 'lanes' || h.kind === 'solidLines') && typeof h.point === 'number' ? h.point : undefined;
}

interface Props {
  g: CameraGeometry;
  sel: Selection;
  /** Handle radius in reference pixels. */
  radius: number;
  /** A pointer went down on a handle: the canvas drags it until the pointer is released. */
  onGrab: (h: HandleRef) => void;
  /** A handle took the focus: its item (and vertex) become the selection. */
  onFocusHandle: (h: HandleRef) => void;
  onChange: (g: CameraGeometry) => void;
}

export function SelectionHandles({ g, sel, radius: hr, onGrab, onFocusHandle, onChange }: Props) {
  const { t } = useI18n();

  const startDrag = (h: HandleRef) => (e: PointerEvent<SVGElement>) => {
    e.preventDefault();
    e.stopPropagation();
    (e.target as Element).setPointerCapture?.(e.pointerId);
    onGrab(h);
  };

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
    const vertex = vertexOf(h);
    if ((e.key === 'Delete' || e.key === 'Backspace') && (h.kind === 'lanes' || h.kind === 'solidLines') && vertex !== undefined) {
      e.preventDefault();
      onChange(removeVertex(g, h.kind, h.index, vertex));
    }
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
        onFocus={() => onFocusHandle(h)}
      />
    );

  const { index } = sel;
  switch (sel.kind) {
    case 'stopLines': {
      const s = g.stopLines[index];
      return (
        s &&
        (['a', 'b', 'beforePoint'] as const).map((pt) =>
          handle({ kind: 'stopLines', index, point: pt }, s[pt], t(`geo.handle.${pt}`), pt === 'beforePoint' ? '#ffab91' : '#fff'),
        )
      );
    }
    case 'lanes': {
      const lane = g.lanes[index];
      return (
        lane && [
          ...lane.polygon.map((p, j) => handle({ kind: 'lanes', index, point: j }, p, t('geo.handle.vertex', { n: j + 1 }))),
          handle({ kind: 'lanes', index, point: 'direction' }, directionHead(lane, arrowLength(g)), t('geo.handle.direction'), '#76ff03'),
        ]
      );
    }
    case 'solidLines':
      return g.solidLines[index]?.points.map((p, j) => handle({ kind: 'solidLines', index, point: j }, p, t('geo.handle.vertex', { n: j + 1 })));
    case 'signalHeads':
      return g.signalHeads[index]?.lamps.flatMap((l, j) => [
        handle(
          { kind: 'signalHeads', index, lamp: j, corner: 0 },
          [l.region[0], l.region[1]],
          t('geo.handle.lampCorner', { lamp: l.id, n: 1 }),
          LAMP_FILL[l.colour],
        ),
        handle(
          { kind: 'signalHeads', index, lamp: j, corner: 1 },
          [l.region[2], l.region[3]],
          t('geo.handle.lampCorner', { lamp: l.id, n: 2 }),
          LAMP_FILL[l.colour],
        ),
      ]);
  }
}
