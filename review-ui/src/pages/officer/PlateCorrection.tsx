// The officer's plate correction: the typed plate and vehicle type, checked against the plate formats as they type.
import { useEffect, useMemo, useState, type RefObject } from 'react';
import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import type { CaseVehicleType } from '@phatnguoi/core/contracts/api/common';
import { plateForVehicle, plateKindOf, type PlateEntry } from '@phatnguoi/core/plates/entry';
import { useI18n } from '../../i18n';

const VEHICLE_CHOICES: CaseVehicleType[] = ['car', 'motorbike', 'bus', 'truck'];

export interface PlateEdit {
  plate: string;
  setPlate: (v: string) => void;
  vehicleType: string;
  setVehicleType: (v: string) => void;
  /** The plate as typed, trimmed. */
  typedPlate: string;
  /** Whether the officer changed the plate or the vehicle type (and typed a plate). */
  plateChanged: boolean;
  /** What the typed plate will be stored as, or why it cannot be (checked before it reaches the server). */
  entry: PlateEntry | null;
}

/** The plate and vehicle type being edited, reset to the case's own whenever the case (re)loads. */
export function usePlateEdit(c: CaseDetail | null): PlateEdit {
  const [plate, setPlate] = useState('');
  const [vehicleType, setVehicleType] = useState<string>('');
  useEffect(() => {
    if (c) {
      setPlate(c.plate.text ?? '');
      setVehicleType(c.vehicleType);
    }
  }, [c]);
  const typedPlate = plate.trim();
  const plateChanged = !!c && (typedPlate.toUpperCase() !== (c.plate.text ?? '') || vehicleType !== c.vehicleType) && typedPlate !== '';
  const entry = useMemo(() => (typedPlate ? plateForVehicle(typedPlate, plateKindOf(vehicleType || 'car')) : null), [typedPlate, vehicleType]);
  return { plate, setPlate, vehicleType, setVehicleType, typedPlate, plateChanged, entry };
}

export function PlateCorrection({
  edit,
  caseVehicleType,
  disabled,
  refused,
  inputRef,
}: {
  edit: PlateEdit;
  caseVehicleType: CaseVehicleType;
  disabled: boolean;
  /** The server refused the last plate sent (400). */
  refused: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const { t } = useI18n();
  const { plate, setPlate, vehicleType, setVehicleType, typedPlate, plateChanged, entry } = edit;
  return (
    <div className="field">
      <label htmlFor="plate-input">{t('plate.correct')} (P)</label>
      <input
        id="plate-input"
        ref={inputRef}
        value={plate}
        onChange={(e) => setPlate(e.target.value)}
        disabled={disabled}
        autoComplete="off"
        spellCheck={false}
        aria-describedby="plate-help"
        aria-invalid={refused || (plateChanged && entry?.ok === false)}
      />
      <label htmlFor="vehicle-type">{t('desk.vehicleType')}</label>{' '}
      <select id="vehicle-type" value={vehicleType} onChange={(e) => setVehicleType(e.target.value)} disabled={disabled}>
        {[...new Set([...VEHICLE_CHOICES, caseVehicleType])].map((v) => (
          <option key={v} value={v}>
            {t(`vehicle.${v}`)}
          </option>
        ))}
      </select>
      <small id="plate-help">{t('plate.help')}</small>
      {plateChanged && entry && (
        <p className={entry.ok ? 'hint' : 'error'} role={entry.ok ? undefined : 'alert'} data-testid="plate-check">
          {entry.ok
            ? t('desk.plateWillBe', { plate: entry.plate })
            : t('desk.plateInvalid', {
                plate: typedPlate,
                vehicle: t(`vehicle.${vehicleType}` as Parameters<typeof t>[0]).toLowerCase(),
                why:
                  entry.reason === 'format'
                    ? t('desk.why.format')
                    : plateKindOf(vehicleType) === 'motorbike'
                      ? t('desk.why.carOnMoto')
                      : t('desk.why.motoOnCar'),
              })}
        </p>
      )}
    </div>
  );
}
