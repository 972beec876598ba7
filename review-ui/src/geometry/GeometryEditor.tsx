import { useRef, useState } from 'react';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { CameraLamps } from '@phatnguoi/core/contracts/api/cameras';
import { useI18n } from '../i18n';
import { ErrorSummary } from './ErrorSummary';
import { GeometryCanvas } from './GeometryCanvas';
import { ItemForm } from './ItemForm';
import { ItemList } from './ItemList';
import { ITEM_KINDS, KIND_LABEL } from './labels';
import { addItem, removeItem, type HandleRef, type ItemKind, type Selection, type ServerFieldError } from './model';
import { vertexOf } from './SelectionHandles';
import { useFocusField } from './useFocusField';

interface Props {
  imageUrl: string | null;
  geometry: CameraGeometry;
  onChange: (g: CameraGeometry) => void;
  errors: ServerFieldError[];
  /** What the detector's lamp reader sees per lamp (the lamp tool); null or absent: nothing to show. */
  lamps?: CameraLamps | null;
}

/**
 * SVG editor over a camera snapshot: stop lines, lanes (polygon, direction arrow, allowed classes),
 * solid lines and signal-lamp regions. Every handle is focusable and moves with the arrow keys
 * (Shift: 10 px), so the editor works without a mouse.
 */
export function GeometryEditor({ imageUrl, geometry: g, onChange, errors, lamps }: Props) {
  const { t } = useI18n();
  const [sel, setSel] = useState<Selection | null>(null);
  // The lane or solid-line vertex that "add vertex" inserts after and "remove vertex" removes.
  const [activeVertex, setActiveVertex] = useState<number>(0);
  const panelRef = useRef<HTMLElement>(null);
  const focusField = useFocusField(panelRef, sel);

  const selectHandle = (h: HandleRef) => {
    setSel({ kind: h.kind, index: h.index });
    const vertex = vertexOf(h);
    if (vertex !== undefined) setActiveVertex(vertex);
  };
  const add = (kind: ItemKind) => {
    const next = addItem(g, kind);
    onChange(next);
    setSel({ kind, index: (next[kind] as unknown[]).length - 1 });
    setActiveVertex(0);
  };

  return (
    <div className="geo-editor">
      <ErrorSummary
        errors={errors}
        onPick={(s, path) => {
          setSel(s);
          focusField(path);
        }}
      />
      <div className="geo-toolbar" role="toolbar" aria-label={t('geo.toolbar')}>
        {ITEM_KINDS.map((kind) => (
          <button key={kind} type="button" onClick={() => add(kind)}>
            + {t(KIND_LABEL[kind])}
          </button>
        ))}
      </div>
      <div className="geo-body">
        <div className="geo-canvas">
          <GeometryCanvas
            imageUrl={imageUrl}
            g={g}
            lamps={lamps}
            errors={errors}
            sel={sel}
            onSelect={setSel}
            onSelectHandle={selectHandle}
            onChange={onChange}
          />
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
