// Plate → SVG, pure (no I/O): the simulator draws it on vehicles, the plate reader trains on it
// (rasterised with sharp). Geometry is laid out in millimetres on the real plate sizes and scaled
// to the requested pixel size; every character's box is returned in output pixels.
import type { Box, PlateColour, PlateLayout } from '../contracts/detection';
import { plateLines } from './format';

/** Real plate sizes in mm: long one-line, square two-line for cars/trucks, small two-line for motorbikes. */
export const PLATE_SIZES_MM = {
  'one-line': { width: 520, height: 110 },
  'two-line-car': { width: 330, height: 165 },
  'two-line-motorbike': { width: 190, height: 140 },
} as const;

export const PLATE_PALETTE: Record<PlateColour, { background: string; ink: string }> = {
  white: { background: '#f3f3ee', ink: '#141414' },
  yellow: { background: '#f0c419', ink: '#141414' },
  blue: { background: '#1d4c9e', ink: '#f5f5f5' },
  red: { background: '#c3161c', ink: '#f5f5f5' },
};

/** Installed with fonts-dejavu-core; narrow bold glyphs like the plate typeface. */
export const PLATE_FONT_FAMILY = 'DejaVu Sans Condensed';
const CAP_HEIGHT_EM = 0.729; // DejaVu Sans cap height
const ADVANCE_EM = 0.63; // typical condensed bold digit advance

export interface PlateToRender {
  text: string;
  layout: PlateLayout;
  colour: PlateColour;
}

export interface CharBox {
  char: string;
  /** Box in output pixels. */
  box: Box;
  /** 0 for the first (or only) line, 1 for the second. */
  line: number;
}

export interface RenderedPlateSvg {
  svg: string;
  width: number;
  height: number;
  chars: CharBox[];
}

export interface RenderOptions {
  /** Output width in pixels; height follows the real aspect ratio unless given. */
  width: number;
  height?: number;
  /** Draw the outer border (default true). */
  border?: boolean;
  /** The typeface (default: DejaVu Sans Condensed Bold narrowed per glyph, the simulator's look). */
  typeface?: PlateTypeface;
}

/**
 * The plate typeface drawn as strokes (see PLATE_GLYPHS): `stroke` is the stroke width as a share of the
 * character height (real plates ~0.11–0.15; long one-line plates thinner, the old narrow bold font ~0.18),
 * `width` the glyph width as a share of its cell (wide thin glyphs on long plates ~0.9, old narrow ~0.65),
 * `flatThree` the older '3' with a flat top, `oneFlag` the length of the '1''s flag (0: long, from near the
 * left edge, as PLATE_GLYPHS draws it; 1: the short flag many real plates have), `openFour` the older open '4'
 * (no diagonal: an upright stroke to the bar, the stem starting below the top), `spacing` how much of a line's free
 * width goes into wider gaps between its characters (0: cells side by side; old 4-digit numbers spread across the plate).
 */
export interface StrokeTypeface {
  kind: 'stroke';
  stroke: number;
  width: number;
  flatThree?: boolean;
  oneFlag?: number;
  openFour?: boolean;
  spacing?: number;
}

/** The '1' with its flag shortened by `flag` (0..1): the flag's start moves from (.08, .3) towards (.36, .15). */
function oneGlyph(flag: number): string {
  const f = Math.min(1, Math.max(0, flag));
  return `M${(0.08 + 0.28 * f).toFixed(3)} ${(0.3 - 0.15 * f).toFixed(3)} L.66 0 L.66 1`;
}
export type PlateTypeface = { kind: 'dejavu' } | StrokeTypeface;

/**
 * Centre lines of the plate glyphs in a unit box (x right, y down, 0..1), SVG path commands M, L, C, Z only,
 * drawn with a constant stroke. Modelled on the Vietnamese plate typeface: DIN-like, the '1' has a long
 * flag and no foot, the '4' is closed, the '7' a straight diagonal. Characters not here (I, J, O, Q, W:
 * never issued) fall back to DejaVu.
 */
export const PLATE_GLYPHS: Record<string, string> = {
  '0': 'M0 .25 C0 -.08 1 -.08 1 .25 L1 .75 C1 1.08 0 1.08 0 .75 Z',
  '1': 'M.08 .3 L.66 0 L.66 1',
  '2': 'M0 .24 C0 -.08 1 -.08 1 .26 C1 .46 .72 .56 0 1 L1 1',
  '3': 'M0 .2 C.05 -.06 .95 -.06 1 .22 C1 .38 .82 .46 .38 .46 M.38 .46 C.86 .46 1 .56 1 .73 C1 1.07 0 1.07 0 .78',
  '3flat': 'M0 0 L1 0 L.4 .42 C.9 .4 1 .58 1 .72 C1 1.07 0 1.07 0 .8',
  '4': 'M.74 1 L.74 0 L0 .7 L1 .7',
  '4open': 'M.14 0 L0 .68 L1 .68 M.72 .3 L.72 1',
  '5': 'M.95 0 L.08 0 L.03 .44 C.3 .36 1 .32 1 .68 C1 1.07 .05 1.07 0 .8',
  '6': 'M.92 .14 C.75 -.05 0 -.05 0 .4 L0 .72 C0 1.07 1 1.07 1 .7 C1 .38 .1 .38 0 .56',
  '7': 'M0 0 L1 0 L.32 1',
  '8': 'M.5 .45 C-.02 .45 -.02 0 .5 0 C1.02 0 1.02 .45 .5 .45 C-.05 .45 -.05 1 .5 1 C1.05 1 1.05 .45 .5 .45 Z',
  '9': 'M.08 .86 C.25 1.05 1 1.05 1 .6 L1 .28 C1 -.07 0 -.07 0 .3 C0 .62 .9 .62 1 .44',
  A: 'M0 1 L.5 0 L1 1 M.17 .67 L.83 .67',
  B: 'M0 .48 L.55 .48 C.95 .48 .95 0 .55 0 L0 0 L0 1 L.6 1 C1.05 1 1.05 .48 .6 .48',
  C: 'M1 .2 C.85 -.06 0 -.08 0 .3 L0 .7 C0 1.08 .85 1.06 1 .8',
  D: 'M0 0 L0 1 L.45 1 C1.05 1 1 .85 1 .5 C1 .15 1.05 0 .45 0 Z',
  Đ: 'M0 0 L0 1 L.45 1 C1.05 1 1 .85 1 .5 C1 .15 1.05 0 .45 0 Z M-.18 .5 L.38 .5',
  E: 'M1 0 L0 0 L0 1 L1 1 M0 .48 L.82 .48',
  F: 'M1 0 L0 0 L0 1 M0 .48 L.82 .48',
  G: 'M1 .2 C.85 -.06 0 -.08 0 .3 L0 .7 C0 1.08 1 1.08 1 .7 L1 .52 L.55 .52',
  H: 'M0 0 L0 1 M1 0 L1 1 M0 .48 L1 .48',
  K: 'M0 0 L0 1 M1 0 L.04 .62 M.36 .42 L1 1',
  L: 'M0 0 L0 1 L1 1',
  M: 'M0 1 L0 0 L.5 .62 L1 0 L1 1',
  N: 'M0 1 L0 0 L1 1 L1 0',
  P: 'M0 1 L0 0 L.55 0 C1.03 0 1.03 .52 .55 .52 L0 .52',
  R: 'M0 1 L0 0 L.55 0 C1.03 0 1.03 .52 .55 .52 L0 .52 M.5 .52 L1 1',
  S: 'M.97 .18 C.8 -.05 0 -.06 0 .25 C0 .5 1 .45 1 .73 C1 1.06 .15 1.06 0 .82',
  T: 'M0 0 L1 0 M.5 0 L.5 1',
  U: 'M0 0 L0 .72 C0 1.08 1 1.08 1 .72 L1 0',
  V: 'M0 0 L.5 1 L1 0',
  X: 'M0 0 L1 1 M1 0 L0 1',
  Y: 'M0 0 L.5 .5 L1 0 M.5 .5 L.5 1',
  Z: 'M0 0 L1 0 L0 1 L1 1',
};

/** A unit-box glyph path mapped into a pixel box (affine: Béziers stay Béziers, the stroke stays even). */
function mapGlyphPath(d: string, x0: number, y0: number, w: number, h: number): string {
  return d.replace(/(-?\d*\.?\d+)\s+(-?\d*\.?\d+)/g, (_, x: string, y: string) => `${(x0 + Number(x) * w).toFixed(2)} ${(y0 + Number(y) * h).toFixed(2)}`);
}

/** Which physical plate a text + layout is printed on. */
export function plateSizeKey(text: string, layout: PlateLayout): keyof typeof PLATE_SIZES_MM {
  if (layout === 'one-line') return 'one-line';
  return /^\d{2}-/.test(text) ? 'two-line-motorbike' : 'two-line-car';
}

/** Aspect ratio (width / height) of the plate a text + layout is printed on. */
export function plateAspect(text: string, layout: PlateLayout): number {
  const s = PLATE_SIZES_MM[plateSizeKey(text, layout)];
  return s.width / s.height;
}

interface LineSpec {
  text: string;
  top: number; // mm
  charHeight: number; // mm
  cell: number; // mm, width of an alphanumeric cell
}

function escapeXml(c: string): string {
  return c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function lineSpecs(text: string, layout: PlateLayout): LineSpec[] {
  const key = plateSizeKey(text, layout);
  const lines = plateLines(text, layout);
  if (key === 'one-line') return [{ text: lines[0] ?? '', top: 15, charHeight: 80, cell: 41 }];
  if (key === 'two-line-car') {
    return [
      { text: lines[0] ?? '', top: 12, charHeight: 64, cell: 46 },
      { text: lines[1] ?? '', top: 89, charHeight: 64, cell: 46 },
    ];
  }
  return [
    { text: lines[0] ?? '', top: 11, charHeight: 54, cell: 29 },
    { text: lines[1] ?? '', top: 75, charHeight: 54, cell: 29 },
  ];
}

function cellWidth(c: string, cell: number): number {
  if (c === '-') return cell * 0.5;
  if (c === '.') return cell * 0.32;
  return cell;
}

/** Render a plate as an SVG string at a pixel size, with every character's box. */
export function renderPlateSvg(plate: PlateToRender, opts: RenderOptions): RenderedPlateSvg {
  const size = PLATE_SIZES_MM[plateSizeKey(plate.text, plate.layout)];
  const width = Math.max(1, Math.round(opts.width));
  const height = Math.max(1, Math.round(opts.height ?? (opts.width * size.height) / size.width));
  const sx = width / size.width;
  const sy = height / size.height;
  const { background, ink } = PLATE_PALETTE[plate.colour];
  const parts: string[] = [];
  const chars: CharBox[] = [];
  const border = opts.border ?? true;
  parts.push(`<rect x="0" y="0" width="${size.width}" height="${size.height}" rx="8" ry="8" fill="${background}"/>`);
  if (border) {
    parts.push(`<rect x="3" y="3" width="${size.width - 6}" height="${size.height - 6}" rx="6" ry="6" fill="none" stroke="${ink}" stroke-width="3"/>`);
  }
  lineSpecs(plate.text, plate.layout).forEach((line, lineIndex) => {
    const glyphs = [...line.text.replace(/ /g, '')];
    const cells = glyphs.reduce((s, c) => s + cellWidth(c, line.cell), 0);
    const spacing = opts.typeface?.kind === 'stroke' ? (opts.typeface.spacing ?? 0) : 0;
    const gap = glyphs.length > 1 ? (spacing * Math.max(0, size.width * 0.86 - cells)) / (glyphs.length - 1) : 0;
    const total = cells + gap * (glyphs.length - 1);
    let x = (size.width - total) / 2;
    const fontSize = line.charHeight / CAP_HEIGHT_EM;
    const baseline = line.top + line.charHeight;
    for (const c of glyphs) {
      const w = cellWidth(c, line.cell);
      const cx = x + w / 2;
      if (c === '-') {
        const barY = line.top + line.charHeight * 0.5;
        parts.push(`<rect x="${(cx - w * 0.3).toFixed(2)}" y="${(barY - 3).toFixed(2)}" width="${(w * 0.6).toFixed(2)}" height="6" fill="${ink}"/>`);
      } else if (c === '.') {
        parts.push(`<circle cx="${cx.toFixed(2)}" cy="${(baseline - 4).toFixed(2)}" r="4" fill="${ink}"/>`);
      } else if (opts.typeface?.kind === 'stroke' && PLATE_GLYPHS[c]) {
        const t = opts.typeface;
        const sw = t.stroke * line.charHeight;
        const gw = w * (c === 'M' ? Math.min(1, t.width * 1.1) : t.width) - sw;
        const gh = line.charHeight - sw;
        const key = c === '3' && t.flatThree ? '3flat' : c === '4' && t.openFour ? '4open' : c;
        const glyph = c === '1' && t.oneFlag ? oneGlyph(t.oneFlag) : PLATE_GLYPHS[key]!;
        parts.push(
          `<path d="${mapGlyphPath(glyph, cx - gw / 2, line.top + sw / 2, gw, gh)}" fill="none" stroke="${ink}" ` +
            `stroke-width="${sw.toFixed(2)}" stroke-linejoin="round" stroke-linecap="butt"/>`,
        );
        chars.push({
          char: c,
          line: lineIndex,
          box: [x * sx, line.top * sy, (x + w) * sx, (line.top + line.charHeight) * sy],
        });
      } else {
        // Narrow each glyph horizontally to the cell (plates use a tall, condensed typeface).
        const glyphWidth = c === 'M' || c === 'W' ? w * 0.98 : w * 0.86;
        const stretch = glyphWidth / (ADVANCE_EM * fontSize);
        parts.push(
          `<text transform="translate(${cx.toFixed(2)} ${baseline.toFixed(2)}) scale(${stretch.toFixed(3)} 1)" text-anchor="middle" ` +
            `font-family="${PLATE_FONT_FAMILY}" font-weight="bold" font-size="${fontSize.toFixed(2)}" fill="${ink}">${escapeXml(c)}</text>`,
        );
        chars.push({
          char: c,
          line: lineIndex,
          box: [x * sx, line.top * sy, (x + w) * sx, (line.top + line.charHeight) * sy],
        });
      }
      x += w + gap;
    }
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${size.width} ${size.height}" preserveAspectRatio="none">` +
    parts.join('') +
    '</svg>';
  return { svg, width, height, chars };
}
