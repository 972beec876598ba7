// Plate reader evaluation.
//   npm run eval:plates -- [--model models/plate-reader/model.json] [--n 150] [--levels 0,0.5,1] [--crops 200]
//   npm run eval:plates -- --end-to-end-only [--crops 600] [--square-splits 0.5]   (section 2 only)
//   npm run eval:plates -- --end-to-end-only --crops 0 --square-crops 1000   (square car/truck plates only)
//   npm run eval:plates -- --real <folder> --csv <folder>/labels.csv [--vehicle-crops]
// 1. Reader: held-out generated plates (seeds 900_000+, never used by training) at augmentation levels
//    0 (clean crop, exact box), 0.5 and 1 (training strength: perspective, loose boxes, blur, low
//    resolution, glare, dirt, night), exact match per layout and colour, plus wrong reads passed on.
// 2. End to end: synthetic vehicle crops (localise + read + colour) through the public reader API.
// 3. Real images: a folder and a CSV `file,text` (plate crops, or vehicle crops with --vehicle-crops).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { PlateLayout, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { PLATE_COLOURS, PLATE_LAYOUTS } from '@phatnguoi/core/contracts/detection';
import { createRng, generatePlate } from '@phatnguoi/core/plates/generate';
import { plateChars } from '@phatnguoi/core/plates/format';
import { renderVehicleCropSvg } from '@phatnguoi/core/plates/vehicle-crop';
import { initTf, tf } from '@phatnguoi/detector/tf/runtime';
import { loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';
import { ctcGreedyDecode } from '@phatnguoi/detector/plates/ctc-decode';
import { interpretDecoded } from '@phatnguoi/detector/plates/postprocess';
import { READER_CLASSES, READER_HEIGHT, READER_STEPS, READER_WIDTH } from '@phatnguoi/detector/plates/input';
import { blurImage, createPlateReader, DEFAULT_PLATE_MODEL, rasteriseSvg } from '@phatnguoi/detector/plates/index';
import { iou } from '@phatnguoi/detector/plates/localise';
import { cropRgb } from '@phatnguoi/detector/pipeline/plate-port';
import { renderPlateRaster, synthesiseExample } from './plates/dataset';
import { buildEndToEndValSet, scoreEndToEnd } from './plates/e2e-val';

const EVAL_SEED = 900_001;
/** The reader API's default minimum confidence (createPlateReader). */
const MIN_CONFIDENCE = 0.3;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_PLATE_MODEL },
    n: { type: 'string', default: '150' },
    levels: { type: 'string', default: '0,0.5,1' },
    crops: { type: 'string', default: '200' },
    real: { type: 'string' },
    csv: { type: 'string' },
    'vehicle-crops': { type: 'boolean', default: false },
    'skip-synthetic': { type: 'boolean', default: false },
    'end-to-end-only': { type: 'boolean', default: false },
    /** Cut positions tried on square car/truck plates end to end (createPlateReader's squareSplits). */
    'square-splits': { type: 'string', default: '0.5' },
    /** Extra square car/truck vehicle crops (seeds 909_001+), read end to end: a tighter figure for the rarest group. */
    'square-crops': { type: 'string', default: '0' },
  },
});

interface Tally {
  n: number;
  right: number;
  wrongPassed: number;
  rejected: number;
}
const tally = (): Tally => ({ n: 0, right: 0, wrongPassed: 0, rejected: 0 });
const pct = (a: number, b: number): string => (b ? ((100 * a) / b).toFixed(1) + '%' : '-');

function progress(label: string, done: number, total: number): void {
  if (done % 25 === 0 || done === total) process.stderr.write(`\r${label} ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

async function evalReader(modelPath: string, perGroup: number, level: number): Promise<void> {
  const model = await loadLayersModelFromFile(modelPath);
  const per = READER_HEIGHT * READER_WIDTH;
  const byGroup = new Map<string, Tally>();
  const byLayout = new Map<PlateLayout, Tally>();
  const bySpecial = tally();
  const rng = createRng(EVAL_SEED);
  const total = PLATE_LAYOUTS.length * PLATE_COLOURS.length * perGroup;
  let done = 0;
  for (const layout of PLATE_LAYOUTS) {
    for (const colour of PLATE_COLOURS) {
      const t = tally();
      const xs = new Float32Array(perGroup * per);
      const plates = [];
      for (let i = 0; i < perGroup; i++) {
        // Two-line plates are mostly motorbikes; some are square car plates.
        const vehicleClass: VehicleClass = layout === 'one-line' ? 'car' : rng() < 0.75 ? 'motorbike' : 'truck';
        const plate = generatePlate(rng, { layout, colour, vehicleClass, specialRate: 0.15 });
        const raster = await renderPlateRaster(plate);
        synthesiseExample(raster, rng, xs, i * per, level);
        plates.push(plate);
      }
      for (let start = 0; start < perGroup; start += 50) {
        const n = Math.min(50, perGroup - start);
        const probs = tf.tidy(() =>
          tf.softmax(model.predict(tf.tensor4d(xs.subarray(start * per, (start + n) * per), [n, READER_HEIGHT, READER_WIDTH, 1])) as tf.Tensor3D, -1),
        );
        const data = (await probs.data()) as Float32Array;
        probs.dispose();
        for (let i = 0; i < n; i++) {
          const size = READER_STEPS * READER_CLASSES;
          const interpreted = interpretDecoded(ctcGreedyDecode(data.subarray(i * size, (i + 1) * size), READER_STEPS, READER_CLASSES), layout, READER_STEPS);
          // Same cut as the reader API: reads below its minimum confidence are not passed on.
          const read = interpreted && interpreted.confidence >= MIN_CONFIDENCE ? interpreted : null;
          const truth = plates[start + i]!;
          t.n++;
          if (!read) t.rejected++;
          else if (read.text === truth.text) t.right++;
          else t.wrongPassed++;
          if (/LD|KT|NG|NN|QT|MĐ/.test(truth.text)) {
            bySpecial.n++;
            if (read?.text === truth.text) bySpecial.right++;
          }
          progress(`reader (level ${level})`, ++done, total);
        }
      }
      byGroup.set(`${layout}/${colour}`, t);
      const l = byLayout.get(layout) ?? tally();
      l.n += t.n;
      l.right += t.right;
      l.wrongPassed += t.wrongPassed;
      l.rejected += t.rejected;
      byLayout.set(layout, l);
    }
  }
  model.dispose();
  console.log(`\n## Reader on held-out generated plates, augmentation level ${level} (1 = training strength; seeds 900001+)`);
  console.log('| group | plates | exact match | no read (rejected) | wrong read passed on | precision of reads |');
  console.log('|---|---|---|---|---|---|');
  for (const [k, t] of [...byLayout, ...byGroup]) {
    console.log(`| ${k} | ${t.n} | ${pct(t.right, t.n)} | ${pct(t.rejected, t.n)} | ${pct(t.wrongPassed, t.n)} | ${pct(t.right, t.right + t.wrongPassed)} |`);
  }
  console.log(`| special series | ${bySpecial.n} | ${pct(bySpecial.right, bySpecial.n)} | | |`);
}

async function evalEndToEnd(modelPath: string, count: number): Promise<void> {
  const squareSplits = args['square-splits']!.split(',').map(Number);
  const reader = await createPlateReader({ modelPath, squareSplits });
  console.log(`square plates cut at ${squareSplits.join(', ')}`);
  const rng = createRng(EVAL_SEED + 7);
  const byLayout = new Map<string, Tally>();
  // The reader alone on the true plate box of the same crops: what a perfect localiser would get.
  const trueBoxRight = new Map<string, number>();
  let colourRight = 0;
  let located = 0;
  let reads = 0;
  for (let i = 0; i < count; i++) {
    const vehicleClass: VehicleClass = rng() < 0.5 ? 'motorbike' : rng() < 0.8 ? 'car' : 'truck';
    const plate = generatePlate(rng, { vehicleClass, specialRate: 0.15 });
    const width = vehicleClass === 'motorbike' ? 110 + rng() * 60 : 180 + rng() * 100;
    const crop = renderVehicleCropSvg(plate, vehicleClass, rng, width);
    let img = await rasteriseSvg(crop.svg);
    // Camera softness: slight blur on half the crops.
    if (rng() < 0.5) {
      img = await blurImage(img, 0.6 + rng());
    }
    const read = await reader.read(img, vehicleClass);
    const key = `${plate.layout} (${vehicleClass === 'motorbike' ? 'motorbike' : 'car/truck'})`;
    const t = byLayout.get(key) ?? tally();
    t.n++;
    if (!read) t.rejected++;
    else {
      reads++;
      if (read.text === plate.text) t.right++;
      else t.wrongPassed++;
      if (read.colour === plate.colour) colourRight++;
      if (iou(read.box, crop.plateBox) >= 0.4) located++;
    }
    byLayout.set(key, t);
    const onTrueBox = await reader.readPlateCrop(cropRgb(img, crop.plateBox).crop, plate.layout);
    if (onTrueBox?.text === plate.text) trueBoxRight.set(key, (trueBoxRight.get(key) ?? 0) + 1);
    progress('vehicle crops', i + 1, count);
  }
  reader.dispose();
  console.log('\n## End to end on synthetic vehicle crops (classical localisation + reader + colour)');
  console.log('| group | crops | exact match | no read | wrong but format-valid | reader alone on the true box |');
  console.log('|---|---|---|---|---|---|');
  for (const [k, t] of byLayout) {
    console.log(`| ${k} | ${t.n} | ${pct(t.right, t.n)} | ${pct(t.rejected, t.n)} | ${pct(t.wrongPassed, t.n)} | ${pct(trueBoxRight.get(k) ?? 0, t.n)} |`);
  }
  console.log(`colour right on reads: ${pct(colourRight, reads)}; read box IoU>=0.4 with the true plate: ${pct(located, reads)}`);
}

/** Square plates only, drawn as the end-to-end section draws vehicle crops, from their own seeds. */
async function evalSquare(modelPath: string, count: number): Promise<void> {
  const set = await buildEndToEndValSet({ square: count, oneLine: 0, motorbike: 0, clean: 0 }, EVAL_SEED + 9_000);
  const model = await loadLayersModelFromFile(modelPath);
  const { groups } = await scoreEndToEnd(model, set);
  model.dispose();
  console.log(`\n## Square two-line car/truck plates end to end, ${count} more vehicle crops (seeds ${EVAL_SEED + 9_000}+)`);
  console.log(`exact match ${pct(Math.round(groups.square * count), count)}`);
}

async function evalReal(dir: string, csvPath: string, vehicleCrops: boolean): Promise<void> {
  const reader = await createPlateReader({ modelPath: args.model, minConfidence: 0 });
  const lines = (await readFile(csvPath, 'utf8')).split(/\r?\n/).filter((l) => l.trim() && !/^file\s*,/i.test(l));
  const t = tally();
  let charsRight = 0;
  for (const [i, line] of lines.entries()) {
    const comma = line.indexOf(',');
    const file = line.slice(0, comma).trim();
    const truth = line.slice(comma + 1).trim().replace(/^"|"$/g, '');
    const { data, info } = await sharp(path.join(dir, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height };
    const read = vehicleCrops ? await reader.read(img, 'car') : await reader.readPlateCrop(img);
    t.n++;
    if (!read) t.rejected++;
    else if (plateChars(read.text) === plateChars(truth.toUpperCase())) {
      t.right++;
      if (read.text === truth) charsRight++;
    } else t.wrongPassed++;
    progress('real images', i + 1, lines.length);
  }
  reader.dispose();
  console.log(`\n## Real images (${dir})`);
  console.log(`images ${t.n}: exact match (characters) ${pct(t.right, t.n)}, exact canonical text ${pct(charsRight, t.n)}, ` +
    `no read ${pct(t.rejected, t.n)}, wrong ${pct(t.wrongPassed, t.n)}`);
}

async function main(): Promise<void> {
  const backend = await initTf();
  console.log(`backend ${backend}, model ${path.relative(process.cwd(), args.model!)}`);
  if (args.real) {
    if (!args.csv) throw new Error('--real needs --csv <file> with lines `file,text`');
    await evalReal(args.real, args.csv, args['vehicle-crops']!);
  }
  if (!args['skip-synthetic']) {
    if (!args['end-to-end-only']) {
      for (const level of args.levels!.split(',').map(Number)) await evalReader(args.model!, Number(args.n), level);
    }
    if (Number(args.crops) > 0) await evalEndToEnd(args.model!, Number(args.crops));
    if (Number(args['square-crops']) > 0) await evalSquare(args.model!, Number(args['square-crops']));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
