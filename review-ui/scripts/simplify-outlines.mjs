// Builds src/components/province-outlines.json from geoBoundaries' simplified VNM ADM1 GeoJSON (the 63 provinces
// before the 2025 merger): every outer ring simplified with Douglas-Peucker, coordinates rounded to 4 decimals
// (~11 m), islets that shrink below 4 points dropped. Run once, by hand:
//   node review-ui/scripts/simplify-outlines.mjs geoBoundaries-VNM-ADM1_simplified.geojson
// Source and licence: see src/components/province-outlines.md.
import { readFileSync, writeFileSync } from 'node:fs';

const TOLERANCE = 0.01; // degrees, ~1 km: the wall's map is a few hundred pixels wide

function perpendicular([x, y], [x1, y1], [x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = Math.hypot(dx, dy);
  return len === 0 ? Math.hypot(x - x1, y - y1) : Math.abs(dy * x - dx * y + x2 * y1 - y2 * x1) / len;
}

function douglasPeucker(points, tolerance) {
  if (points.length < 3) return points;
  let worst = 0;
  let at = 0;
  for (let i = 1; i < points.length - 1; i++) {
    const d = perpendicular(points[i], points[0], points[points.length - 1]);
    if (d > worst) [worst, at] = [d, i];
  }
  if (worst <= tolerance) return [points[0], points[points.length - 1]];
  return [...douglasPeucker(points.slice(0, at + 1), tolerance).slice(0, -1), ...douglasPeucker(points.slice(at), tolerance)];
}

const round = (v) => Math.round(v * 1e4) / 1e4;
const source = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const provinces = source.features.map((f, i) => {
  const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const rings = polygons.map((p) => douglasPeucker(p[0], TOLERANCE).map(([lng, lat]) => [round(lng), round(lat)])).filter((r) => r.length >= 4);
  process.stdout.write(`\r${i + 1}/${source.features.length} ${f.properties.shapeName}                    `);
  return { iso: f.properties.shapeISO, name: f.properties.shapeName.trim(), rings };
});
const points = provinces.reduce((s, p) => s + p.rings.reduce((t, r) => t + r.length, 0), 0);
writeFileSync(new URL('../src/components/province-outlines.json', import.meta.url), JSON.stringify({ provinces }) + '\n');
console.log(`\n${provinces.length} provinces, ${points} points`);
