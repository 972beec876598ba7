// Plate reader evaluation.
//   npm run eval:plates -- [--model models/plate-reader/model.json] [--n 150] [--levels 0,0.5,1] [--crops 200]
//   npm run eval:plates -- --end-to-end-only [--crops 600] [--square-splits 0.5]   (section 2 only)
//   npm run eval:plates -- --end-to-end-only --crops 0 --square-crops 1000   (square car/truck plates only)
//   npm run eval:plates -- --real <folder> --csv <labels.csv> [--match <regexp>] [--vehicle-crops] [--verbose]
//     [--levels 0 --crops 0 | --skip-synthetic]
// 1. Reader: held-out generated plates (seeds 900_000+, never used by training) at augmentation levels
//    0 (clean crop, exact box), 0.5 and 1 (training strength: perspective, loose boxes, blur, low
//    resolution, glare, dirt, night), exact match per layout and colour, plus wrong reads passed on.
// 2. End to end: synthetic vehicle crops (localise + read + colour) through the public reader API.
// 3. Real images: a folder and a labels CSV with a header (file, text; optional layout, vehicle, box, status,
//    in_holdout: models/src/plates/real-labels.ts), plate crops, or vehicle crops / photos with --vehicle-crops.
//    Exact match per layout, wrong-but-valid reads passed on at the shipped threshold, manual entry, ms per image.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { PlateLayout, PlateRead, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { PLATE_COLOURS, PLATE_LAYOUTS } from '@phatnguoi/core/contracts/detection';
import { createRng, generatePlate } from '@phatnguoi/core/plates/generate';
import { plateChars } from '@phatnguoi/core/plates/format';
import { renderVehicleCropSvg } from '@phatnguoi/core/plates/vehicle-crop';
import { initTf, tf } from '@phatnguoi/detector/tf/runtime';
import { loadLayersModelFromFile } from '@phatnguoi/detector/tf/file-io';
import { ctcGreedyDecode } from '@phatnguoi/detector/plates/ctc-decode';
import { interpretDecoded } from '@phatnguoi/detector/plates/postprocess';
import { READER_CLASSES, READER_HEIGHT, READER_STEPS, READER_WIDTH } from '@phatnguoi/detector/plates/input';
import {
  blurImage,
  createPlateReader,
  DEFAULT_MIN_CONFIDENCE,
  DEFAULT_PLATE_MODEL,
  PLATE_PASS_CONFIDENCE,
  rasteriseSvg,
} from '@phatnguoi/detector/plates/index';
import { iou } from '@phatnguoi/detector/plates/localise';
import { cropRgb } from '@phatnguoi/detector/pipeline/plate-port';
import { renderPlateRaster, synthesiseExample } from './plates/dataset';
import { buildEndToEndValSet, scoreEndToEnd } from './plates/e2e-val';
import { LabelsError, parseRealLabels, type RealLabel } from './plates/real-labels';

const EVAL_SEED = 900_001;
/** The reader API's default minimum confidence (createPlateReader): the synthetic sections count reads above it, as before. */
const MIN_CONFIDENCE = DEFAULT_MIN_CONFIDENCE;

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_PLATE_MODEL },
    n: { type: 'string', default: '150' },
    levels: { type: 'string', default: '0,0.5,1' },
    crops: { type: 'string', default: '200' },
    real: { type: 'string' },
    csv: { type: 'string' },
    'vehicle-crops': { type: 'boolean', default: false },
    /** Only the rows of --csv whose file matches this regular expression. */
    match: { type: 'string' },
    /** The pass threshold for real images (default PLATE_PASS_CONFIDENCE, the shipped one). */
    threshold: { type: 'string' },
    /** List every real image read wrong. */
    verbose: { type: 'boolean', default: false },
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

/** The reader's result for one labelled real image: what it read (best guess, any confidence) and how long it took. */
interface RealOutcome {
  label: RealLabel;
  read: PlateRead | null;
  ms: number;
}

async function evalReal(dir: string, csvPath: string, vehicleCrops: boolean, match: string | undefined): Promise<void> {
  let labels: ReturnType<typeof parseRealLabels>;
  try {
    labels = parseRealLabels(await readFile(csvPath, 'utf8'));
  } catch (err) {
    if (err instanceof LabelsError) throw new Error(`cannot use ${csvPath}: ${err.message}`);
    throw err;
  }
  const pattern = match ? new RegExp(match) : null;
  const rows = pattern ? labels.rows.filter((r) => pattern.test(r.file)) : labels.rows;
  const skipped = pattern ? labels.skipped.filter((r) => pattern.test(r.file)) : labels.skipped;
  if (rows.length === 0) throw new Error(`no row of ${csvPath} matches --match ${match}`);
  const missing = rows.filter((r) => !existsSync(path.join(dir, r.file)));
  if (missing.length) {
    throw new Error(
      `${missing.length} of ${rows.length} images are not in ${dir}, e.g. ${missing
        .slice(0, 3)
        .map((r) => `${r.file} (line ${r.line})`)
        .join(', ')}`,
    );
  }
  // Best guesses at any confidence: the shipped threshold is applied below, so one run gives every threshold.
  const reader = await createPlateReader({ modelPath: args.model, minConfidence: 0 });
  const outcomes: RealOutcome[] = [];
  for (const [i, label] of rows.entries()) {
    const { data, info } = await sharp(path.join(dir, label.file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let img: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height };
    if (label.box) img = cropRgb(img, label.box).crop;
    const t0 = performance.now();
    const read = vehicleCrops && !label.box ? await reader.read(img, label.vehicle ?? 'car') : await reader.readPlateCrop(img, undefined, label.vehicle);
    outcomes.push({ label, read, ms: performance.now() - t0 });
    progress('real images', i + 1, rows.length);
  }
  reader.dispose();
  const threshold = Number(args.threshold ?? PLATE_PASS_CONFIDENCE);
  const right = (o: RealOutcome): boolean => o.read !== null && plateChars(o.read.text) === o.label.compact;
  console.log(`\n## Real images: ${dir} (${csvPath}${match ? `, files matching ${match}` : ''})`);
  console.log(
    `${rows.length} rows scored, ${skipped.length} skipped (${[...new Set(skipped.map((s) => s.reason))].join(', ') || 'none'}); ` +
      `${vehicleCrops ? 'localised in the whole image (--vehicle-crops)' : 'read as plate crops'}; layout not given to the reader` +
      `${rows.some((r) => r.vehicle) ? ', vehicle class given' : ''}; shipped threshold ${threshold}`,
  );
  console.log(
    '| layout | images | distinct plates | exact match | wrong but valid, passed on | manual entry | suggestion right (of manual) | best guess exact (any confidence) | ms per image (median) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  const groups: [string, RealOutcome[]][] = [
    ['one-line', outcomes.filter((o) => o.label.layout === 'one-line')],
    ['two-line', outcomes.filter((o) => o.label.layout === 'two-line')],
    ['all', outcomes],
  ];
  for (const [name, os] of groups) {
    if (os.length === 0) continue;
    const passed = os.filter((o) => o.read && o.read.confidence >= threshold);
    const manual = os.filter((o) => !o.read || o.read.confidence < threshold);
    const ms = os.map((o) => o.ms).sort((a, b) => a - b);
    console.log(
      `| ${name} | ${os.length} | ${new Set(os.map((o) => o.label.compact)).size} | ${pct(passed.filter(right).length, os.length)} | ` +
        `${pct(passed.filter((o) => !right(o)).length, os.length)} | ${pct(manual.length, os.length)} | ` +
        `${manual.length ? pct(manual.filter(right).length, manual.length) : '-'} | ${pct(os.filter(right).length, os.length)} | ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} |`,
    );
  }
  // The same reads at other thresholds: where a wrong read becomes rare.
  console.log('\nthreshold: exact match / wrong passed on / manual entry (all rows)');
  for (const th of [0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9]) {
    const passed = outcomes.filter((o) => o.read && o.read.confidence >= th);
    console.log(
      `  ${th.toFixed(2)}: ${pct(passed.filter(right).length, outcomes.length)} / ${pct(passed.filter((o) => !right(o)).length, outcomes.length)} / ` +
        `${pct(outcomes.length - passed.length, outcomes.length)}`,
    );
  }
  if (args.verbose) {
    for (const o of outcomes) {
      if (!right(o))
        console.log(
          `  miss line ${o.label.line} ${o.label.file}: truth ${o.label.text}, read ${o.read ? `${o.read.text} (${o.read.confidence.toFixed(2)})` : 'nothing'}`,
        );
    }
  }
}

async function main(): Promise<void> {
  const backend = await initTf();
  console.log(`backend ${backend}, model ${path.relative(process.cwd(), args.model!)}`);
  if (args.real) {
    if (!args.csv)
      throw new Error('--real needs --csv <labels.csv> (header line with file,text[,layout,vehicle,box,...]: see models/src/plates/real-labels.ts)');
    await evalReal(args.real, args.csv, args['vehicle-crops']!, args.match);
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
