import type { Lamp } from '@phatnguoi/core/contracts/camera-geometry';
import type { CameraLamps } from '@phatnguoi/core/contracts/api/cameras';
import { useI18n } from '../i18n';
import { LAMP_COLOURS, LAMP_SHAPES } from '../options';
import { Field, FieldErrors, IdField } from './fields';
import type { ItemFieldsProps } from './ItemForm';
import { LampReadingsPanel, lampOf } from './LampReadings';
import { errorsAt, updateItem } from './model';

/** A signal head's fields: id, then per lamp its id, colour, shape and what the detector's lamp reader sees in it. */
export function SignalHeadFields({ g, index, base, errors, onChange, lamps }: ItemFieldsProps & { lamps: CameraLamps | null | undefined }) {
  const { t } = useI18n();
  const h = g.signalHeads[index]!;
  const setLamps = (next: Lamp[]) => onChange(updateItem(g, 'signalHeads', index, { lamps: next }));
  const setLamp = (j: number, patch: Partial<Lamp>) => setLamps(h.lamps.map((l, k) => (k === j ? { ...l, ...patch } : l)));
  const addLamp = () => {
    const last = h.lamps[h.lamps.length - 1]!.region;
    const size = last[3] - last[1];
    const lamp = {
      id: `lamp-${h.lamps.length + 1}`,
      colour: 'green' as const,
      shape: 'arrow_left' as const,
      region: [last[0], last[3] + 2, last[2], last[3] + 2 + size] as [number, number, number, number],
    };
    setLamps([...h.lamps, lamp]);
  };
  return (
    <>
      <IdField base={base} value={h.id} onChange={(id) => onChange(updateItem(g, 'signalHeads', index, { id }))} errors={errors} />
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
          <button type="button" onClick={() => setLamps(h.lamps.filter((_, k) => k !== j))} disabled={h.lamps.length <= 1}>
            {t('geo.removeLamp')}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={addLamp}>
        {t('geo.addLamp')}
      </button>
      <FieldErrors id="head-lamps" errors={errorsAt(errors, `${base}.lamps`)} />
    </>
  );
}
