// SVG overlays burned into evidence stills: the vehicle's box, the line it crossed, the signal state,
// date-time to the second and the location (Decree requirements on evidence images). Pure: returns SVG text.
import type { Point } from '@phatnguoi/core/contracts/camera-geometry';
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { SignalColour } from '@phatnguoi/core/contracts/violation-event';

export interface OverlaySpec {
  width: number;
  height: number;
  /** Box of the offending vehicle (red) and other context boxes (thin yellow). */
  vehicleBox?: Box;
  lines?: { points: Point[]; label?: string }[];
  signal?: SignalColour | null;
  /** Lines of text in the banner, e.g. time, location, offence. */
  text: string[];
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

const SIGNAL_FILL: Record<SignalColour, string> = { red: '#e53935', yellow: '#fbc02d', green: '#43a047', unknown: '#9e9e9e' };
const SIGNAL_TEXT: Record<SignalColour, string> = { red: 'ĐỎ / RED', yellow: 'VÀNG / YELLOW', green: 'XANH / GREEN', unknown: 'KHÔNG RÕ / UNKNOWN' };

/** Vietnam local time (UTC+7, no DST) to the second: `2026-11-25 15:43:36 (UTC+07)`. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} (UTC+07)`;
}

export function overlaySvg(spec: OverlaySpec): string {
  const { width, height } = spec;
  const font = Math.max(10, Math.round(height / 36));
  const stroke = Math.max(2, Math.round(height / 240));
  const parts: string[] = [];
  for (const line of spec.lines ?? []) {
    const pts = line.points.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="#ff1744" stroke-width="${stroke}" stroke-dasharray="${stroke * 4},${stroke * 2}"/>`);
    if (line.label) {
      const [x, y] = line.points[0]!;
      parts.push(`<text x="${x.toFixed(1)}" y="${(y - stroke * 2).toFixed(1)}" font-size="${font * 0.8}" fill="#ff1744">${escapeXml(line.label)}</text>`);
    }
  }
  if (spec.vehicleBox) {
    const [x1, y1, x2, y2] = spec.vehicleBox;
    parts.push(
      `<rect x="${x1.toFixed(1)}" y="${y1.toFixed(1)}" width="${(x2 - x1).toFixed(1)}" height="${(y2 - y1).toFixed(1)}" fill="none" stroke="#ff1744" stroke-width="${stroke}"/>`,
    );
  }
  const bannerH = font * 1.4 * spec.text.length + font * 0.6;
  parts.push(`<rect x="0" y="0" width="${width}" height="${bannerH.toFixed(1)}" fill="#000" fill-opacity="0.6"/>`);
  spec.text.forEach((t, i) => {
    parts.push(`<text x="${font * 0.5}" y="${(font * 1.4 * (i + 1)).toFixed(1)}" font-size="${font}" fill="#fff">${escapeXml(t)}</text>`);
  });
  if (spec.signal) {
    const r = font * 0.6;
    const label = `Đèn / Signal: ${SIGNAL_TEXT[spec.signal]}`;
    const w = font * 0.62 * label.length + r * 3;
    parts.push(
      `<rect x="${(width - w - font * 0.5).toFixed(1)}" y="${(height - font * 2).toFixed(1)}" width="${w.toFixed(1)}" height="${font * 1.6}" fill="#000" fill-opacity="0.6"/>`,
    );
    parts.push(
      `<circle cx="${(width - w - font * 0.5 + r * 1.4).toFixed(1)}" cy="${(height - font * 1.2).toFixed(1)}" r="${r.toFixed(1)}" fill="${SIGNAL_FILL[spec.signal]}"/>`,
    );
    parts.push(
      `<text x="${(width - w - font * 0.5 + r * 2.8).toFixed(1)}" y="${(height - font * 0.75).toFixed(1)}" font-size="${font}" fill="#fff">${escapeXml(label)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Noto Sans, sans-serif">${parts.join('')}</svg>`;
}
