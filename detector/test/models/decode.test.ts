import { describe, expect, it } from 'vitest';
import { decodeCenterNet, decodeNanodet, decodeYolo, iou, nonMaxSuppression } from '../../src/models/decode';
import { fitGeometry, toImageBox } from '../../src/models/preprocess';
import { parseDetectorConfig, classTable } from '../../src/models/config';

describe('decoders', () => {
  it('yolo: reads [1,4+C,N] and the transposed [1,N,4+C] alike', () => {
    // Two anchors, two classes: anchor 0 is class 1 (0.9), anchor 1 is below threshold.
    const rows = [
      [50, 10],
      [40, 10],
      [20, 4],
      [10, 4],
      [0.1, 0.05],
      [0.9, 0.1],
    ];
    const channelsFirst = new Float32Array(rows.flat());
    const channelsLast = new Float32Array([0, 1].flatMap((i) => rows.map((r) => r[i]!)));
    const opts = { boxFormat: 'cxcywh' as const, normalized: false, scoresAreLogits: false, inputWidth: 100, inputHeight: 100 };
    for (const out of [
      { data: channelsFirst, shape: [1, 6, 2] },
      { data: channelsLast, shape: [1, 2, 6] },
    ]) {
      const c = decodeYolo(out, 2, opts, 0.3);
      expect(c).toHaveLength(1);
      expect(c[0]!.cls).toBe(1);
      expect(c[0]!.score).toBeCloseTo(0.9);
      expect(c[0]!.box).toEqual([40, 35, 60, 45]);
    }
    expect(() => decodeYolo({ data: channelsFirst, shape: [1, 6, 2] }, 3, opts, 0.3)).toThrow(/4\+3/);
  });

  it('nanodet: distance bins are a softmax expectation from the cell centre, strides matched by N', () => {
    const bins = 4;
    const c = 2;
    // 16x16 input, strides 8 (N=4) and 16 (N=1).
    const s8 = new Float32Array(4 * c);
    s8[3 * c + 1] = 0.8; // cell (1,1), class 1
    const b8 = new Float32Array(4 * 4 * bins);
    for (let side = 0; side < 4; side++) b8[3 * 4 * bins + side * bins + 1] = 20; // ≈ 1 bin on every side
    const s16 = new Float32Array(1 * c);
    const b16 = new Float32Array(4 * bins);
    const out = decodeNanodet(
      [
        { data: s16, shape: [1, 1, c] },
        { data: b8, shape: [1, 4, 4 * bins] },
        { data: b16, shape: [1, 1, 4 * bins] },
        { data: s8, shape: [1, 4, c] },
      ],
      { strides: [8, 16], regMax: bins - 1, inputWidth: 16, inputHeight: 16 },
      c,
      0.5,
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.cls).toBe(1);
    // centre (12, 12), one bin of 8 px each side.
    out[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([4, 4, 20, 20][i]!, 3));
  });

  it('centernet: one detection per local maximum, size and offset in strides', () => {
    const gh = 4;
    const gw = 5;
    const classes = 2;
    const ch = classes + 4;
    const data = new Float32Array(gh * gw * ch).fill(-10);
    const set = (y: number, x: number, cls: number, logit: number, w = 0, h = 0, ox = 0.5, oy = 0.5) => {
      const o = (y * gw + x) * ch;
      data[o + cls] = logit;
      data[o + classes] = w;
      data[o + classes + 1] = h;
      data[o + classes + 2] = ox;
      data[o + classes + 3] = oy;
    };
    set(1, 1, 0, 3, Math.log(2), Math.log(1), 0.25, 0.75); // peak
    set(1, 2, 0, 1); // neighbour, lower: not a peak
    set(3, 4, 1, 2); // another class peak
    const out = decodeCenterNet({ data, shape: [1, gh, gw, ch] }, classes, 8, 0.3);
    expect(out.map((c) => c.cls)).toEqual([0, 1]);
    // centre ((1+0.25)*8, (1+0.75)*8) = (10, 14), size 16 x 8.
    out[0]!.box.forEach((v, i) => expect(v).toBeCloseTo([2, 10, 18, 18][i]!, 4));
    expect(out[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-3)));
  });

  it('nms keeps the best of overlapping boxes per group only', () => {
    const cands = [
      { box: [0, 0, 10, 10] as [number, number, number, number], score: 0.6, cls: 0 },
      { box: [1, 1, 11, 11] as [number, number, number, number], score: 0.9, cls: 0 },
      { box: [1, 1, 11, 11] as [number, number, number, number], score: 0.5, cls: 1 },
      { box: [50, 50, 60, 60] as [number, number, number, number], score: 0.4, cls: 0 },
    ];
    const kept = nonMaxSuppression(cands, 0.5, 10);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.5, 0.4]);
    expect(nonMaxSuppression(cands, 0.5, 1)).toHaveLength(1);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3);
  });
});

describe('preprocessing geometry', () => {
  it('letterbox centres the region and maps boxes back to image pixels', () => {
    const g = fitGeometry(200, 100, { width: 64, height: 64, resize: 'letterbox' });
    expect(g).toMatchObject({ w: 64, h: 32, padX: 0, padY: 16 });
    const t = {
      roiX: 100,
      roiY: 50,
      scaleX: g.scaleX,
      scaleY: g.scaleY,
      padX: g.padX,
      padY: g.padY,
      roi: [100, 50, 300, 150] as [number, number, number, number],
    };
    expect(toImageBox([0, 16, 32, 32], t)).toEqual([100, 50, 200, 100]);
    // Clipped to the region.
    expect(toImageBox([-10, 0, 70, 80], t)).toEqual([100, 50, 300, 150]);
  });
});

describe('config', () => {
  const base = {
    name: 'm',
    format: 'graph',
    modelPath: 'model.json',
    input: { width: 32, height: 32 },
    head: { type: 'yolo' },
    labels: ['car', 'motorcycle', 'person'],
  };

  it('fills defaults and maps labels onto vehicle classes', () => {
    const cfg = parseDetectorConfig({ ...base, labelMap: { motorcycle: 'motorbike' } });
    expect(cfg.input).toMatchObject({ resize: 'letterbox', channelOrder: 'RGB', layout: 'NHWC', std: [255, 255, 255] });
    expect(cfg.head).toMatchObject({ type: 'yolo', boxFormat: 'cxcywh' });
    expect(classTable(cfg)).toEqual(['car', 'motorbike', null]);
  });

  it('rejects unknown keys, bad classes and unknown labels with every problem listed', () => {
    let err: Error | undefined;
    try {
      parseDetectorConfig({ ...base, extra: 1, labelMap: { lorry: 'truck', car: 'spaceship' } });
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/extra|additional/i);
    expect(err?.message).toMatch(/labelMap/);
  });
});
