// Where a plate's text lines run (estimateLineGeometry): the two-line cut follows the gap between the
// lines, wherever it sits and however the plate is sheared, instead of a fixed mid-height cut.
import { describe, expect, it } from 'vitest';
import type { Box } from '@phatnguoi/core/contracts/detection';
import { renderPlateSvg } from '@phatnguoi/core/plates/render';
import { estimateLineGeometry, rgbGreySampler } from '../../src/plates/input';
import { rasteriseSvg } from '../../src/plates/rasterise';

/** A 190x140 motorbike plate drawn into a `w`x`h` canvas at (ox, oy), sheared vertically by `slope` (px per px). */
async function plateScene(w: number, h: number, ox: number, oy: number, slope: number) {
  const plate = renderPlateSvg(
    { text: '75-H1 357.92', layout: 'two-line', colour: 'white' },
    { width: 190, typeface: { kind: 'stroke', stroke: 0.13, width: 0.8 } },
  );
  const inner = plate.svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>$/, '');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" fill="#303030"/>` +
    `<g transform="translate(${ox} ${oy}) matrix(1 ${slope} 0 1 0 0) scale(${190 / 190} ${140 / 140})">` +
    `<svg width="190" height="140" viewBox="0 0 190 140" preserveAspectRatio="none">${inner}</svg></g></svg>`;
  return rasteriseSvg(svg);
}

describe('estimateLineGeometry', () => {
  it('cuts a level plate between its lines', async () => {
    const img = await plateScene(190, 140, 0, 0, 0);
    const g = estimateLineGeometry(rgbGreySampler(img), [0, 0, 190, 140], 'two-line');
    expect(g.slope).toBe(0);
    expect(g.split).toBeGreaterThan(0.44);
    expect(g.split).toBeLessThan(0.56);
  });

  it('finds the gap low in a box that starts well above the plate (a loose localiser box)', async () => {
    const img = await plateScene(190, 200, 0, 60, 0);
    const box: Box = [0, 10, 190, 200]; // the plate's lines meet at y ≈ 60 + 70 = 130, i.e. 63 % down the box
    const g = estimateLineGeometry(rgbGreySampler(img), box, 'two-line');
    expect(g.split).toBeGreaterThan(0.58);
    expect(g.split).toBeLessThan(0.68);
  });

  it('measures the shear of a tilted plate and cuts along it', async () => {
    // Right edge 38 px lower than the left: slope 0.2 px/px over 190 px = 0.27 box heights over a 140 px box.
    const img = await plateScene(190, 180, 0, 0, 0.2);
    const box: Box = [0, 0, 190, 178];
    const g = estimateLineGeometry(rgbGreySampler(img), box, 'two-line');
    expect(g.slope).toBeGreaterThan(0.12);
    expect(g.slope).toBeLessThan(0.36);
    // Along the sheared cut, the mid-column gap sits at (70 + 19) / 178 of the box.
    expect(Math.abs(g.split - 89 / 178)).toBeLessThan(0.06);
    const mirrored = await plateScene(190, 180, 0, 38, -0.2);
    expect(estimateLineGeometry(rgbGreySampler(mirrored), box, 'two-line').slope).toBeLessThan(-0.12);
  });
});
