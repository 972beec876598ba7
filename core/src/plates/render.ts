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
    parts.push(
      `<rect x="3" y="3" width="${size.width - 6}" height="${size.height - 6}" rx="6" ry="6" fill="none" stroke="${ink}" stroke-width="3"/>`,
    );
  }
  lineSpecs(plate.text, plate.layout).forEach((line, lineIndex) => {
    const glyphs = [...line.text.replace(/ /g, '')];
    const total = glyphs.reduce((s, c) => s + cellWidth(c, line.cell), 0);
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
      x += w;
    }
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${size.width} ${size.height}" preserveAspectRatio="none">` +
    parts.join('') +
    '</svg>';
  return { svg, width, height, chars };
}
