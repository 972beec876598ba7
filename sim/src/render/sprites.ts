// Vehicle end faces (rear, or front for traffic coming towards the camera) as SVG in metres, with the
// plate from core/plates/render embedded where the real plate sits; rasterised once per vehicle at the
// largest size it will appear, plus half-size mip levels for far away.
import sharp from 'sharp';
import { renderPlateSvg, plateSizeKey, PLATE_SIZES_MM } from '@phatnguoi/core/plates/render';
import type { SimActor } from '../world/simulate';
import type { Sprite } from './raster';
import { hexToRgb } from './raster';
import { pickOne, subRng } from '../random';

export interface FaceSprite {
  face: 'rear' | 'front';
  /** Face size in metres (sprite covers exactly this). */
  widthM: number;
  heightM: number;
  mips: Sprite[];
  /** Plate rectangle inside the face, metres from the face's top-left; null when the face has no plate. */
  plate: [number, number, number, number] | null;
  /** The face SVG (for tests: the plate text drawn must be the truth text). */
  svg: string;
  plateSvg: string | null;
}

const SHIRTS = ['#d32f2f', '#1976d2', '#388e3c', '#fbc02d', '#f5f5f5', '#424242', '#7b1fa2', '#ff7043', '#8d6e63', '#90caf9'];
const HELMETS = ['#fafafa', '#212121', '#e53935', '#1e88e5', '#fdd835', '#43a047', '#fb8c00'];

function dim(hex: string, f: number): string {
  const [r, g, b] = hexToRgb(hex);
  const c = (x: number) =>
    Math.round(Math.min(255, x * f))
      .toString(16)
      .padStart(2, '0');
  return `#${c(r)}${c(g)}${c(b)}`;
}

function plateMetres(text: string, layout: 'one-line' | 'two-line'): { w: number; h: number } {
  const s = PLATE_SIZES_MM[plateSizeKey(text, layout)];
  return { w: s.width / 1000, h: s.height / 1000 };
}

function embedPlate(a: SimActor, x: number, y: number, w: number, h: number): string {
  const r = renderPlateSvg({ text: a.plate.text, layout: a.plate.layout, colour: a.plate.colour }, { width: 400 });
  return r.svg.replace(
    /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/,
    `<svg x="${x.toFixed(4)}" y="${y.toFixed(4)}" width="${w.toFixed(4)}" height="${h.toFixed(4)}"`,
  );
}

/** SVG (viewBox in metres) of the visible end face of a vehicle. */
export function faceSvg(
  a: SimActor,
  night: boolean,
  pxPerM: number,
): { svg: string; plate: FaceSprite['plate']; plateSvg: string | null; face: 'rear' | 'front' } {
  const rng = subRng(a.spawnT * 1000 + a.id.length, `face:${a.id}`);
  const { w, h } = a.dims;
  const face: 'rear' | 'front' = a.towardsCamera ? 'front' : 'rear';
  const body = night ? dim(a.bodyColour, 0.45) : a.bodyColour;
  const dark = night ? '#0b0b0b' : '#1e1e1e';
  const glass = night ? '#0d1117' : '#2b3a47';
  const tail = night ? '#ff3b30' : '#b3261e';
  const head = night ? '#fffbe6' : '#e8e8dc';
  const p: string[] = [];
  let plate: FaceSprite['plate'] = null;
  let plateSvg: string | null = null;
  const placePlate = (cx: number, cy: number) => {
    const pm = plateMetres(a.plate.text, a.plate.layout);
    plate = [cx - pm.w / 2, cy - pm.h / 2, cx + pm.w / 2, cy + pm.h / 2];
    plateSvg = embedPlate(a, plate[0], plate[1], pm.w, pm.h);
    p.push(plateSvg);
  };
  const lampGlow = (cx: number, cy: number, r: number, colour: string) => {
    if (night) p.push(`<circle cx="${cx}" cy="${cy}" r="${r * 2.4}" fill="${colour}" fill-opacity="0.28"/>`);
    p.push(`<circle cx="${cx}" cy="${cy}" r="${r}" fill="${colour}"/>`);
  };
  if (a.kind === 'motorbike') {
    const shirt = pickOne(rng, SHIRTS);
    const helmet = pickOne(rng, HELMETS);
    const c = w / 2;
    // legs, wheel, rider torso, arms, helmet
    p.push(`<rect x="${c - 0.05}" y="${h - 0.5}" width="0.1" height="0.5" rx="0.04" fill="#111"/>`);
    p.push(
      `<path d="M${c - 0.2} ${h * 0.55} L${c - 0.3} ${h * 0.85} L${c - 0.26} ${h * 0.86} L${c - 0.12} ${h * 0.62} Z" fill="${dim('#37474f', night ? 0.5 : 1)}"/>`,
    );
    p.push(
      `<path d="M${c + 0.2} ${h * 0.55} L${c + 0.3} ${h * 0.85} L${c + 0.26} ${h * 0.86} L${c + 0.12} ${h * 0.62} Z" fill="${dim('#37474f', night ? 0.5 : 1)}"/>`,
    );
    p.push(
      `<path d="M${c - 0.22} ${h * 0.2} L${c + 0.22} ${h * 0.2} L${c + 0.2} ${h * 0.58} L${c - 0.2} ${h * 0.58} Z" fill="${night ? dim(shirt, 0.45) : shirt}"/>`,
    );
    p.push(`<rect x="${c - 0.36}" y="${h * 0.24}" width="0.14" height="${h * 0.3}" rx="0.05" fill="${night ? dim(shirt, 0.4) : dim(shirt, 0.85)}"/>`);
    p.push(`<rect x="${c + 0.22}" y="${h * 0.24}" width="0.14" height="${h * 0.3}" rx="0.05" fill="${night ? dim(shirt, 0.4) : dim(shirt, 0.85)}"/>`);
    p.push(`<circle cx="${c}" cy="${h * 0.1}" r="0.14" fill="${night ? dim(helmet, 0.5) : helmet}"/>`);
    // bike body: tail section
    p.push(`<path d="M${c - 0.17} ${h * 0.56} L${c + 0.17} ${h * 0.56} L${c + 0.12} ${h * 0.7} L${c - 0.12} ${h * 0.7} Z" fill="${body}"/>`);
    if (face === 'rear') {
      lampGlow(c, h * 0.66, 0.04, tail);
      placePlate(c, h * 0.71 + 0.07);
    } else {
      lampGlow(c, h * 0.64, 0.07, head);
      p.push(`<rect x="${c - 0.1}" y="${h * 0.08}" width="0.2" height="0.06" fill="${glass}"/>`);
    }
  } else {
    const isBig = a.kind === 'bus' || a.kind === 'truck';
    const wheelH = isBig ? 0.45 : 0.3;
    p.push(`<rect x="0.08" y="${h - wheelH}" width="0.32" height="${wheelH}" rx="0.05" fill="#111"/>`);
    p.push(`<rect x="${w - 0.4}" y="${h - wheelH}" width="0.32" height="${wheelH}" rx="0.05" fill="#111"/>`);
    if (a.kind === 'truck' && face === 'rear') {
      p.push(`<rect x="0" y="0" width="${w}" height="${h - wheelH - 0.35}" rx="0.04" fill="${body}"/>`);
      p.push(`<rect x="0.06" y="0.06" width="${w - 0.12}" height="${h - wheelH - 0.47}" fill="${dim(a.bodyColour, night ? 0.4 : 0.9)}"/>`);
      p.push(`<line x1="${w / 2}" y1="0.06" x2="${w / 2}" y2="${h - wheelH - 0.41}" stroke="${dark}" stroke-width="0.03"/>`);
      for (const x of [0.2, w / 2 - 0.15, w / 2 + 0.15, w - 0.2])
        p.push(`<line x1="${x}" y1="0.1" x2="${x}" y2="${h - wheelH - 0.45}" stroke="#777" stroke-width="0.04"/>`);
      p.push(`<rect x="0.1" y="${h - wheelH - 0.35}" width="${w - 0.2}" height="0.16" fill="${dark}"/>`);
      lampGlow(0.25, h - wheelH - 0.1, 0.08, tail);
      lampGlow(w - 0.25, h - wheelH - 0.1, 0.08, tail);
      placePlate(w / 2, h - wheelH - 0.02);
    } else if (isBig) {
      p.push(`<rect x="0" y="0" width="${w}" height="${h - 0.15}" rx="0.12" fill="${body}"/>`);
      if (face === 'front') p.push(`<rect x="0.12" y="0.2" width="${w - 0.24}" height="${h * 0.45}" rx="0.05" fill="${glass}"/>`);
      else {
        p.push(`<rect x="0.2" y="0.35" width="${w - 0.4}" height="${h * 0.28}" rx="0.05" fill="${glass}"/>`);
        p.push(
          `<rect x="${w * 0.3}" y="0.08" width="${w * 0.4}" height="0.2" fill="#111"/><text x="${w / 2}" y="0.24" font-size="0.17" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" fill="#ffb300">${((a.id.length * 7) % 90) + 10}</text>`,
        );
      }
      const lamp = face === 'rear' ? tail : head;
      lampGlow(0.22, h * 0.72, 0.09, lamp);
      lampGlow(w - 0.22, h * 0.72, 0.09, lamp);
      p.push(`<rect x="0.05" y="${h - 0.45}" width="${w - 0.1}" height="0.22" fill="${dark}"/>`);
      placePlate(w / 2, h - 0.62);
    } else {
      // car / taxi
      p.push(`<path d="M0.25 0.05 L${w - 0.25} 0.05 L${w - 0.08} ${h * 0.42} L0.08 ${h * 0.42} Z" fill="${body}"/>`);
      p.push(`<path d="M0.32 0.12 L${w - 0.32} 0.12 L${w - 0.16} ${h * 0.4} L0.16 ${h * 0.4} Z" fill="${glass}"/>`);
      p.push(`<rect x="0" y="${h * 0.4}" width="${w}" height="${h * 0.42}" rx="0.1" fill="${body}"/>`);
      p.push(`<rect x="0.03" y="${h * 0.7}" width="${w - 0.06}" height="${h * 0.12}" rx="0.04" fill="${dark}"/>`);
      if (face === 'rear') {
        p.push(
          `<rect x="0.06" y="${h * 0.45}" width="0.32" height="0.14" rx="0.03" fill="${tail}"/><rect x="${w - 0.38}" y="${h * 0.45}" width="0.32" height="0.14" rx="0.03" fill="${tail}"/>`,
        );
        if (night) {
          p.push(
            `<ellipse cx="0.22" cy="${h * 0.45 + 0.07}" rx="0.4" ry="0.2" fill="${tail}" fill-opacity="0.3"/><ellipse cx="${w - 0.22}" cy="${h * 0.45 + 0.07}" rx="0.4" ry="0.2" fill="${tail}" fill-opacity="0.3"/>`,
          );
        }
      } else {
        lampGlow(0.25, h * 0.52, 0.1, head);
        lampGlow(w - 0.25, h * 0.52, 0.1, head);
        p.push(`<rect x="${w * 0.35}" y="${h * 0.47}" width="${w * 0.3}" height="0.12" fill="${dark}"/>`);
      }
      if (a.kind === 'taxi')
        p.push(
          `<rect x="${w / 2 - 0.22}" y="0" width="0.44" height="0.1" fill="#ffeb3b"/><text x="${w / 2}" y="0.085" font-size="0.09" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" fill="#222">TAXI</text>`,
        );
      placePlate(w / 2, h * 0.65);
    }
  }
  const W = Math.max(2, Math.round(w * pxPerM));
  const H = Math.max(2, Math.round(h * pxPerM));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${w} ${h}" preserveAspectRatio="none">${p.join('')}</svg>`;
  return { svg, plate, plateSvg, face };
}

export async function renderFace(a: SimActor, night: boolean, pxPerM: number): Promise<FaceSprite> {
  const f = faceSvg(a, night, pxPerM);
  const { data, info } = await sharp(Buffer.from(f.svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const mips: Sprite[] = [{ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }];
  while (mips.length < 5) {
    const last = mips[mips.length - 1]!;
    if (last.width < 16 || last.height < 16) break;
    const w = Math.max(2, Math.round(last.width / 2));
    const h = Math.max(2, Math.round(last.height / 2));
    const r = await sharp(Buffer.from(last.data), { raw: { width: last.width, height: last.height, channels: 4 } })
      .resize(w, h, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    mips.push({ width: r.info.width, height: r.info.height, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.length) });
  }
  return { face: f.face, widthM: a.dims.w, heightM: a.dims.h, mips, plate: f.plate, svg: f.svg, plateSvg: f.plateSvg };
}

/** The mip level just larger than `targetWidth` pixels. */
export function pickMip(s: FaceSprite, targetWidth: number): Sprite {
  let best = s.mips[0]!;
  for (const m of s.mips) if (m.width >= targetWidth * 0.9) best = m;
  return best;
}
