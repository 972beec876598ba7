import { describe, expect, it } from 'vitest';
import type { PlateRead } from '@phatnguoi/core/contracts/detection';
import { violationEventErrors } from '@phatnguoi/core/contracts/violation-event';
import { platePortFrom } from '../../src/pipeline/plate-port';
import type { PlateReader } from '../../src/plates/index';

const unusedReader = {} as PlateReader; // vote() never reads a crop

function read(text: string, confidence: number): PlateRead {
  return { text, layout: 'two-line', colour: 'white', confidence, box: [0, 0, 10, 10] };
}

describe('plate port vote', () => {
  it('passes a weak vote on as a suggestion for the officer, not as the plate', () => {
    const plate = platePortFrom(unusedReader).vote([read('59-X1 234.56', 0.4), null, null]);
    expect(plate.needsManualEntry).toBe(true);
    expect(plate.text).toBeNull();
    expect(plate.suggestion).toBe('59-X1 234.56');
  });

  it('gives no suggestion when the vote decided the plate', () => {
    const plate = platePortFrom(unusedReader).vote([read('59-X1 234.56', 0.97), read('59-X1 234.56', 0.96), read('59-X1 234.56', 0.95)]);
    expect(plate.needsManualEntry).toBe(false);
    expect(plate.text).toBe('59-X1 234.56');
    expect(plate.suggestion).toBeNull();
  });

  it('the violation event schema accepts the suggestion and refuses a non-string one', () => {
    const base = { text: null, layout: null, colour: null, confidence: 0.2, needsManualEntry: true, reads: 1 };
    const plateErrors = (plate: unknown) => violationEventErrors({ plate }).filter((e) => e.path.startsWith('/plate'));
    expect(plateErrors({ ...base, suggestion: '59-X1 234.56' })).toEqual([]);
    expect(plateErrors({ ...base, suggestion: 42 }).length).toBeGreaterThan(0);
  });
});
