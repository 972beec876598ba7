import { describe, expect, it } from 'vitest';
import { evaluateDetections } from '../../src/models/metrics';

describe('evaluateDetections', () => {
  it('scores a perfect detector 1 and counts misses, duplicates and wrong classes', () => {
    const truth = [
      { box: [0, 0, 10, 10] as [number, number, number, number], cls: 'car' },
      { box: [20, 20, 30, 30] as [number, number, number, number], cls: 'car' },
      { box: [40, 40, 50, 50] as [number, number, number, number], cls: 'bus' },
    ];
    const perfect = evaluateDetections([{ truth, predictions: truth.map((t) => ({ ...t, score: 0.9 })) }], ['car', 'bus']);
    expect(perfect.mAP).toBeCloseTo(1);

    const predictions = [
      { box: [0, 0, 10, 10] as [number, number, number, number], cls: 'car', score: 0.9 },
      { box: [1, 0, 10, 10] as [number, number, number, number], cls: 'car', score: 0.8 }, // duplicate: false positive
      { box: [40, 40, 50, 50] as [number, number, number, number], cls: 'car', score: 0.7 }, // wrong class
      { box: [40, 40, 50, 50] as [number, number, number, number], cls: 'bus', score: 0.2 },
    ];
    const m = evaluateDetections([{ truth, predictions }], ['car', 'bus'], 0.5, 0.3);
    const car = m.perClass.find((c) => c.cls === 'car')!;
    expect(car.maxRecall).toBeCloseTo(0.5);
    expect(car.ap).toBeCloseTo(0.5); // precision 1 up to recall 0.5
    expect(car.precisionAtScore).toBeCloseTo(1 / 3);
    const bus = m.perClass.find((c) => c.cls === 'bus')!;
    expect(bus.ap).toBeCloseTo(1);
    expect(bus.recallAtScore).toBe(0); // its only hit is below the operating score
  });
});
