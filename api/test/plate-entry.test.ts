// Plate correction keeps what the officer typed when it is valid for the vehicle, and says why when it is not.
import { describe, expect, it } from 'vitest';
import { plateForVehicle } from '@phatnguoi/core/plates/entry';

describe('plateForVehicle', () => {
  it("keeps a valid plate of the vehicle's kind as typed (case and spacing normalised only)", () => {
    expect(plateForVehicle('63A-123.45', 'car')).toEqual({ ok: true, plate: '63A-123.45' });
    expect(plateForVehicle('63-b1  234.56', 'motorbike')).toEqual({ ok: true, plate: '63-B1 234.56' });
    expect(plateForVehicle('30a-1234', 'car')).toEqual({ ok: true, plate: '30A-1234' });
  });
  it('refuses a car plate on a motorbike case instead of re-cutting it (63A-123.45 is not 63-A1 2345)', () => {
    expect(plateForVehicle('63A-123.45', 'motorbike')).toEqual({ ok: false, reason: 'kind_mismatch' });
    expect(plateForVehicle('63a-12345', 'motorbike')).toEqual({ ok: false, reason: 'kind_mismatch' });
    expect(plateForVehicle('63-B1 234.56', 'car')).toEqual({ ok: false, reason: 'kind_mismatch' });
  });
  it('cuts bare characters the way the kind demands, and names a wrong format', () => {
    expect(plateForVehicle('63b123456', 'motorbike')).toEqual({ ok: true, plate: '63-B1 234.56' });
    expect(plateForVehicle('63a12345', 'car')).toEqual({ ok: true, plate: '63A-123.45' });
    expect(plateForVehicle('63B1-23456', 'motorbike')).toEqual({ ok: true, plate: '63-B1 234.56' });
    expect(plateForVehicle('0A-123.45', 'car')).toEqual({ ok: false, reason: 'format' });
    expect(plateForVehicle('xyz', 'motorbike')).toEqual({ ok: false, reason: 'format' });
  });
});
