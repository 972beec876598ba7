// Plate reading speed: ms per vehicle crop (localise + read + colour) and per plate crop (read only).
//   npm run bench:plates -- [--n 200] [--model models/plate-reader/model.json]
import { parseArgs } from 'node:util';
import type { RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { createRng, generatePlate } from '@phatnguoi/core/plates/generate';
import { renderPlateSvg } from '@phatnguoi/core/plates/render';
import { renderVehicleCropSvg } from '@phatnguoi/core/plates/vehicle-crop';
import { localisePlates } from '../src/plates/localise';
import { createPlateReader, DEFAULT_PLATE_MODEL, rasteriseSvg } from '../src/plates/index';
import { tfBackendName } from '../src/tf/runtime';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '200' }, model: { type: 'string', default: DEFAULT_PLATE_MODEL } },
});
const n = Number(args.n);

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(2)} ms, median ${s[Math.floor(s.length / 2)]!.toFixed(2)} ms, p95 ${s[Math.floor(s.length * 0.95)]!.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  const reader = await createPlateReader({ modelPath: args.model });
  const rng = createRng(77);
  const crops: { img: RgbImage; cls: VehicleClass }[] = [];
  const plates: RgbImage[] = [];
  for (let i = 0; i < n; i++) {
    const cls: VehicleClass = i % 2 === 0 ? 'motorbike' : 'car';
    const plate = generatePlate(rng, { vehicleClass: cls });
    crops.push({ img: await rasteriseSvg(renderVehicleCropSvg(plate, cls, rng, cls === 'car' ? 220 : 140).svg), cls });
    plates.push(await rasteriseSvg(renderPlateSvg(plate, { width: plate.layout === 'one-line' ? 160 : 100 }).svg));
    if ((i + 1) % 50 === 0) process.stderr.write(`\rprepared ${i + 1}/${n}`);
  }
  process.stderr.write('\n');
  // Warm-up (first inference compiles kernels).
  for (let i = 0; i < 5; i++) await reader.read(crops[i]!.img, crops[i]!.cls);

  const loc: number[] = [];
  const full: number[] = [];
  const readOnly: number[] = [];
  for (const [i, c] of crops.entries()) {
    let t = performance.now();
    localisePlates(c.img, c.cls);
    loc.push(performance.now() - t);
    t = performance.now();
    await reader.read(c.img, c.cls);
    full.push(performance.now() - t);
    t = performance.now();
    await reader.readPlateCrop(plates[i]!);
    readOnly.push(performance.now() - t);
  }
  reader.dispose();
  console.log(`backend ${tfBackendName()}, ${n} vehicle crops (half motorbike ~140x224, half car ~220x180)`);
  console.log(`localise only:                 ${stats(loc)}`);
  console.log(`localise + read (per vehicle): ${stats(full)}`);
  console.log(`read a plate crop (2 layouts): ${stats(readOnly)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
