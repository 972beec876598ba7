// Plate-reader training data options and the end-to-end-like validation set used to choose checkpoints.
import { describe, expect, it } from 'vitest';
import { PlatePool, renderPlateRaster } from '../src/plates/dataset';
import { buildEndToEndValSet, scoreEndToEnd } from '../src/plates/e2e-val';
import { READER_HEIGHT, READER_WIDTH } from '@phatnguoi/detector/plates/input';
import { DEFAULT_PLATE_MODEL } from '@phatnguoi/detector/plates/index';
import { initTf, tf } from '@phatnguoi/detector/tf/runtime';
import { loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';

describe('PlatePool squareRate', () => {
  it('draws only square two-line car/truck/bus plates at rate 1', async () => {
    const pool = new PlatePool({ seed: 5, size: 24, squareRate: 1 });
    await pool.fill();
    for (const r of pool.rasters) {
      expect(r.plate.layout).toBe('two-line');
      expect(r.plate.kind).toBe('car');
      expect(['car', 'truck', 'bus']).toContain(r.plate.vehicleClass);
    }
  });

  it('leaves the default mix (mostly motorbikes) and its random stream unchanged at rate 0', async () => {
    const a = new PlatePool({ seed: 9, size: 40 });
    const b = new PlatePool({ seed: 9, size: 40, squareRate: 0 });
    await Promise.all([a.fill(), b.fill()]);
    expect(b.rasters.map((r) => r.plate.text)).toEqual(a.rasters.map((r) => r.plate.text));
    const square = a.rasters.filter((r) => r.plate.layout === 'two-line' && r.plate.kind === 'car').length;
    expect(square).toBeLessThan(12);
  });
});

describe('end-to-end validation set', () => {
  it('has the vehicle crops per group and clean crops per layout it was asked for, the same for a seed', async () => {
    const counts = { square: 3, oneLine: 2, motorbike: 2, clean: 2 };
    const set = await buildEndToEndValSet(counts, 123);
    expect(set.crops.map((c) => c.group)).toEqual(['square', 'square', 'square', 'one-line', 'one-line', 'motorbike', 'motorbike']);
    for (const c of set.crops) {
      expect(c.cls === 'motorbike').toBe(c.group === 'motorbike');
      expect(c.img.data.length).toBe(c.img.width * c.img.height * 3);
    }
    // Square crops hold two-line car/truck plates (line break in the text), one-line crops do not.
    expect(set.crops.filter((c) => c.group === 'square').every((c) => c.cls === 'car' || c.cls === 'truck')).toBe(true);
    expect(set.clean.layouts).toEqual(['one-line', 'one-line', 'two-line', 'two-line']);
    expect(set.clean.xs.length).toBe(4 * READER_HEIGHT * READER_WIDTH);
    const again = await buildEndToEndValSet(counts, 123);
    expect(again.crops.map((c) => c.text)).toEqual(set.crops.map((c) => c.text));
    expect(again.clean.texts).toEqual(set.clean.texts);
  });
});

describe('scoreEndToEnd', () => {
  it('scores every group with the given model and leaves the model usable', async () => {
    await initTf();
    const model = await loadLayersModelFromFile(DEFAULT_PLATE_MODEL);
    const set = await buildEndToEndValSet({ square: 4, oneLine: 4, motorbike: 4, clean: 10 }, 321);
    const { groups, score } = await scoreEndToEnd(model, set);
    expect(Object.keys(groups).sort()).toEqual(['clean one-line', 'clean two-line', 'motorbike', 'one-line', 'square']);
    for (const v of Object.values(groups)) expect(v).toBeGreaterThanOrEqual(0);
    // The committed weights read clean crops and motorbike crops almost always.
    expect(groups['clean one-line']).toBeGreaterThanOrEqual(0.8);
    expect(groups['clean two-line']).toBeGreaterThanOrEqual(0.8);
    expect(groups.motorbike).toBeGreaterThanOrEqual(0.5);
    expect(score).toBeCloseTo(Object.values(groups).reduce((a, b) => a + b, 0) / 5, 10);
    // The reader built on the caller's model did not dispose it.
    const out = model.predict(tf.zeros([1, READER_HEIGHT, READER_WIDTH, 1])) as tf.Tensor;
    expect(out.shape).toEqual([1, 32, 38]);
    out.dispose();
    model.dispose();
  });
});

describe('PlatePool realRate', () => {
  it('keeps the default stream at rate 0 and changes the rasters at rate 1', async () => {
    const a = new PlatePool({ seed: 21, size: 8 });
    const b = new PlatePool({ seed: 21, size: 8, realRate: 0 });
    const c = new PlatePool({ seed: 21, size: 8, realRate: 1 });
    await Promise.all([a.fill(), b.fill(), c.fill()]);
    expect(b.rasters.map((r) => r.plate.text)).toEqual(a.rasters.map((r) => r.plate.text));
    expect(Array.from(b.rasters[0]!.grey.subarray(0, 500))).toEqual(Array.from(a.rasters[0]!.grey.subarray(0, 500)));
    // The real typeface draws other pixels than DejaVu for the same plate at the same size.
    for (const r of c.rasters.slice(0, 3)) {
      const dejavu = await renderPlateRaster(r.plate, r.width);
      const changed = r.grey.filter((v, k) => Math.abs(v - dejavu.grey[k]!) > 60).length;
      expect(changed / r.grey.length).toBeGreaterThan(0.03);
    }
  });
});
