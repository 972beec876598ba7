import { describe, expect, it } from 'vitest';
import { createRng, generatePlate, generatePlates } from '../../src/plates/generate';
import { isValidRead, plateChars } from '../../src/plates/format';
import { PLATE_PALETTE, plateAspect, renderPlateSvg } from '../../src/plates/render';
import { renderVehicleCropSvg } from '../../src/plates/vehicle-crop';

describe('plate generator', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(generatePlates(42, 20)).toEqual(generatePlates(42, 20));
    expect(generatePlates(42, 20)).not.toEqual(generatePlates(43, 20));
  });

  it('produces valid plates of every layout and colour, with special series and both number lengths', () => {
    const plates = generatePlates(1, 2000);
    for (const p of plates) expect(isValidRead(p.text, p.layout)).toBe(true);
    const layouts = new Set(plates.map((p) => p.layout));
    const colours = new Set(plates.map((p) => p.colour));
    expect([...layouts].sort()).toEqual(['one-line', 'two-line']);
    expect([...colours].sort()).toEqual(['blue', 'red', 'white', 'yellow']);
    expect(plates.some((p) => /LD|KT|NG|NN|QT|MĐ/.test(p.text))).toBe(true);
    expect(plates.some((p) => /-\d{4}$|\s\d{4}$/.test(p.text))).toBe(true);
    // Motorbikes always carry two-line plates.
    for (const p of plates.filter((q) => q.vehicleClass === 'motorbike')) expect(p.layout).toBe('two-line');
  });

  it('honours forced options', () => {
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const p = generatePlate(rng, { vehicleClass: 'car', layout: 'one-line', colour: 'blue' });
      expect(p.layout).toBe('one-line');
      expect(p.colour).toBe('blue');
      expect(p.category).toBe('state');
    }
  });
});

describe('plate renderer', () => {
  it('renders every character with a box inside the plate, in reading order', () => {
    for (const p of generatePlates(9, 200)) {
      const r = renderPlateSvg(p, { width: 240 });
      expect(r.width).toBe(240);
      expect(r.height).toBe(Math.round(240 / plateAspect(p.text, p.layout)));
      expect(r.chars.map((c) => c.char).join('')).toBe(plateChars(p.text));
      for (const c of r.chars) {
        const [x1, y1, x2, y2] = c.box;
        expect(x1).toBeGreaterThanOrEqual(0);
        expect(y1).toBeGreaterThanOrEqual(0);
        expect(x2).toBeLessThanOrEqual(r.width);
        expect(y2).toBeLessThanOrEqual(r.height);
        expect(x2).toBeGreaterThan(x1);
      }
      const lines = new Set(r.chars.map((c) => c.line));
      expect(lines.size).toBe(p.layout === 'one-line' ? 1 : 2);
      // Within a line, characters go left to right without overlapping.
      for (let i = 1; i < r.chars.length; i++) {
        const a = r.chars[i - 1]!;
        const b = r.chars[i]!;
        if (a.line === b.line) expect(b.box[0]).toBeGreaterThanOrEqual(a.box[2] - 1e-6);
        else expect(b.box[1]).toBeGreaterThan(a.box[1]);
      }
      expect(r.svg).toContain(PLATE_PALETTE[p.colour].background);
    }
  });

  it('escapes nothing dangerous and uses an installed font family', () => {
    const r = renderPlateSvg({ text: '29-MĐ1 012.34', layout: 'two-line', colour: 'red' }, { width: 120 });
    expect(r.svg.startsWith('<svg')).toBe(true);
    expect(r.svg).toContain('DejaVu Sans Condensed');
    expect(r.svg).toContain('>Đ<');
  });

  it('draws vehicle crops with the plate box inside the crop', () => {
    const rng = createRng(11);
    for (const p of generatePlates(5, 30)) {
      const v = renderVehicleCropSvg(p, p.vehicleClass, rng, 180);
      const [x1, y1, x2, y2] = v.plateBox;
      expect(x1).toBeGreaterThan(0);
      expect(y1).toBeGreaterThan(0);
      expect(x2).toBeLessThan(v.width);
      expect(y2).toBeLessThan(v.height);
    }
  });
});

describe('the plate typeface as strokes', () => {
  it('has a glyph for every character a plate can carry, and draws them instead of text', async () => {
    const { PLATE_GLYPHS } = await import('../../src/plates/render');
    const { SERIES_LETTERS } = await import('../../src/plates/format');
    for (const c of [...'0123456789', ...SERIES_LETTERS, 'Đ']) expect(PLATE_GLYPHS[c], c).toBeTruthy();
    const r = renderPlateSvg(
      { text: '81-AA 048.92', layout: 'two-line', colour: 'white' },
      { width: 190, typeface: { kind: 'stroke', stroke: 0.13, width: 0.8 } },
    );
    expect(r.svg).not.toContain('<text');
    expect((r.svg.match(/<path /g) ?? []).length).toBe(9);
    expect(r.chars.map((c) => c.char).join('')).toBe('81AA04892');
  });

  it("draws the '1' with a long flag by default and a short one with oneFlag, other glyphs unchanged", () => {
    const draw = (oneFlag?: number): string[] => {
      const typeface = { kind: 'stroke' as const, stroke: 0.13, width: 0.8, ...(oneFlag === undefined ? {} : { oneFlag }) };
      const svg = renderPlateSvg({ text: '51-K1 357.17', layout: 'two-line', colour: 'white' }, { width: 190, typeface }).svg;
      return [...svg.matchAll(/<path d="M([\d.]+) /g)].map((m) => m[1]!);
    };
    const long = draw();
    const short = draw(1);
    expect(draw(0)).toEqual(long);
    // Paths in order 5 1 K 1 3 5 7 1 7: every '1' starts further right with the short flag, the rest start where they did.
    for (const i of [1, 3, 7]) expect(Number(short[i])).toBeGreaterThan(Number(long[i]) + 1);
    for (const i of [0, 2, 4, 5, 6, 8]) expect(short[i]).toBe(long[i]);
  });

  it("draws the open '4' with openFour and spreads a short line's characters with spacing", () => {
    const render = (extra: { openFour?: boolean; spacing?: number }) =>
      renderPlateSvg(
        { text: '84-B1 4579', layout: 'two-line', colour: 'white' },
        { width: 190, typeface: { kind: 'stroke', stroke: 0.13, width: 0.8, ...extra } },
      );
    const paths = (svg: string): string[] => [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    const plain = render({});
    const open = paths(render({ openFour: true }).svg);
    // Paths in order 8 4 B 1 4 5 7 9: only the two '4's change (the open '4' is two strokes).
    expect(open.filter((d, i) => d !== paths(plain.svg)[i])).toHaveLength(2);
    expect(open[1]!.match(/M/g)).toHaveLength(2);
    const second = (r: ReturnType<typeof render>) => r.chars.filter((c) => c.line === 1);
    const span = (r: ReturnType<typeof render>) => second(r).at(-1)!.box[2] - second(r)[0]!.box[0];
    const spread = render({ spacing: 1 });
    expect(span(spread)).toBeGreaterThan(span(plain) * 1.2);
    expect(second(spread)[0]!.box[0]).toBeGreaterThan(0);
    expect(second(spread).at(-1)!.box[2]).toBeLessThan(spread.width);
  });

  it('draws small-motorbike two-letter series when asked, and not otherwise', async () => {
    const { generatePlates } = await import('../../src/plates/generate');
    const pairs = generatePlates(3, 400, { vehicleClass: 'motorbike', letterPairRate: 0.5 }).filter((p) => /^\d{2}-[A-Z]{2} /.test(p.text));
    expect(pairs.length).toBeGreaterThan(100);
    expect(generatePlates(3, 400, { vehicleClass: 'motorbike' }).some((p) => /^\d{2}-[A-Z]{2} /.test(p.text))).toBe(false);
  });
});
