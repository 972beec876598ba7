import type { Lane } from '@phatnguoi/core/contracts/camera-geometry';
import { VEHICLE_CLASSES } from '@phatnguoi/core/contracts/detection';
import { useI18n } from '../i18n';
import { TURNS } from '../options';
import { CheckGroup, Field, IdField } from './fields';
import type { ItemFieldsProps } from './ItemForm';
import { insertVertex, removeVertex, updateItem } from './model';

/** A lane's fields: id, name, allowed classes, turns, direction in degrees, its stop line and signal head, vertices. */
export function LaneFields({ g, index, base, errors, onChange, activeVertex }: ItemFieldsProps & { activeVertex: number }) {
  const { t } = useI18n();
  const lane = g.lanes[index]!;
  const set = (patch: Partial<Lane>) => onChange(updateItem(g, 'lanes', index, patch));
  return (
    <>
      <IdField base={base} value={lane.id} onChange={(id) => set({ id })} errors={errors} />
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
        <button type="button" onClick={() => onChange(insertVertex(g, 'lanes', index, activeVertex))}>
          {t('geo.addVertex')}
        </button>
        <button type="button" onClick={() => onChange(removeVertex(g, 'lanes', index, activeVertex))} disabled={lane.polygon.length <= 3}>
          {t('geo.removeVertex')}
        </button>
      </div>
    </>
  );
}
