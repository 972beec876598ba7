// A synthetic vehicle crop (rear view) with its plate, as SVG: the fixture for plate localisation
// tests, the plate evaluation and the speed benchmark. Pure: the caller rasterises it (sharp).
import type { Box, VehicleClass } from '../contracts/detection';
import type { Rng } from './generate';
import { renderPlateSvg, type PlateToRender } from './render';

export interface VehicleCropSvg {
  svg: string;
  width: number;
  height: number;
  /** Plate bounds in crop pixels. */
  plateBox: Box;
}

const BODY_COLOURS = ['#d9d9d9', '#1a1a1a', '#8a1c1c', '#2a4a8a', '#f2f2f2', '#5b5b5b', '#b8860b', '#2e6b3a', '#c0c0c0'];

function pickOf<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length) % xs.length] as T;
}

/** Vehicle crop with the plate drawn at a realistic place and size; `width` is the crop width in px. */
export function renderVehicleCropSvg(plate: PlateToRender, cls: VehicleClass, rng: Rng, width = 200): VehicleCropSvg {
  const moto = cls === 'motorbike' || cls === 'bicycle';
  const w = Math.round(width);
  const h = Math.round(moto ? width * 1.6 : width * (0.75 + rng() * 0.15));
  const body = pickOf(rng, BODY_COLOURS);
  const road = `rgb(${[0, 0, 0].map(() => Math.round(90 + rng() * 40)).join(',')})`;
  const parts: string[] = [`<rect width="${w}" height="${h}" fill="${road}"/>`];
  let plateW: number;
  let plateCx: number;
  let plateCy: number;
  if (moto) {
    // Rider, seat, rear fender, tail light, wheel.
    parts.push(
      `<rect x="${w * 0.22}" y="${h * 0.02}" width="${w * 0.56}" height="${h * 0.42}" rx="${w * 0.15}" fill="${pickOf(rng, ['#223', '#443322', '#7a1f2b', '#2f4f2f', '#666'])}"/>`,
    );
    parts.push(`<circle cx="${w * 0.5}" cy="${h * 0.06}" r="${w * 0.17}" fill="${pickOf(rng, ['#111', '#c00', '#eee', '#1d4c9e'])}"/>`);
    parts.push(`<rect x="${w * 0.2}" y="${h * 0.4}" width="${w * 0.6}" height="${h * 0.2}" rx="${w * 0.08}" fill="${body}"/>`);
    parts.push(`<rect x="${w * 0.38}" y="${h * 0.5}" width="${w * 0.24}" height="${h * 0.04}" fill="#d22"/>`);
    parts.push(`<rect x="${w * 0.4}" y="${h * 0.78}" width="${w * 0.2}" height="${h * 0.22}" rx="${w * 0.08}" fill="#111"/>`);
    plateW = w * (0.34 + rng() * 0.12);
    plateCx = w * (0.5 + (rng() - 0.5) * 0.06);
    plateCy = h * (0.66 + rng() * 0.04);
  } else {
    const bodyTop = h * 0.08;
    parts.push(`<rect x="${w * 0.03}" y="${bodyTop}" width="${w * 0.94}" height="${h - bodyTop}" rx="${w * 0.06}" fill="${body}"/>`);
    // Rear window, tail lights, bumper, badge.
    parts.push(`<polygon points="${w * 0.15},${h * 0.38} ${w * 0.85},${h * 0.38} ${w * 0.76},${h * 0.14} ${w * 0.24},${h * 0.14}" fill="#1c2430"/>`);
    parts.push(`<rect x="${w * 0.05}" y="${h * 0.44}" width="${w * 0.17}" height="${h * 0.09}" rx="3" fill="#b0121a"/>`);
    parts.push(`<rect x="${w * 0.78}" y="${h * 0.44}" width="${w * 0.17}" height="${h * 0.09}" rx="3" fill="#b0121a"/>`);
    parts.push(`<circle cx="${w * 0.5}" cy="${h * 0.48}" r="${w * 0.03}" fill="#aaa"/>`);
    parts.push(`<rect x="${w * 0.03}" y="${h * 0.86}" width="${w * 0.94}" height="${h * 0.08}" fill="#222"/>`);
    const oneLine = plate.layout === 'one-line';
    plateW = w * (oneLine ? 0.36 + rng() * 0.1 : 0.22 + rng() * 0.06);
    plateCx = w * (0.5 + (rng() - 0.5) * 0.06);
    plateCy = h * (oneLine ? 0.7 : 0.67) + (rng() - 0.5) * h * 0.04;
  }
  const p = renderPlateSvg(plate, { width: plateW });
  const px = plateCx - p.width / 2;
  const py = plateCy - p.height / 2;
  const angle = (rng() - 0.5) * 6;
  parts.push(
    `<g transform="rotate(${angle.toFixed(2)} ${plateCx.toFixed(1)} ${plateCy.toFixed(1)})">` +
      p.svg.replace('<svg ', `<svg x="${px.toFixed(1)}" y="${py.toFixed(1)}" `) +
      '</g>',
  );
  // Rotation grows the plate's axis-aligned bounds a little.
  const rad = (Math.abs(angle) * Math.PI) / 180;
  const bw = p.width * Math.cos(rad) + p.height * Math.sin(rad);
  const bh = p.width * Math.sin(rad) + p.height * Math.cos(rad);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${parts.join('')}</svg>`;
  return { svg, width: w, height: h, plateBox: [plateCx - bw / 2, plateCy - bh / 2, plateCx + bw / 2, plateCy + bh / 2] };
}
