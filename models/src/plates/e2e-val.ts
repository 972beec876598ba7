// An end-to-end-like validation set for choosing plate-reader checkpoints: synthetic vehicle crops read
// through the public reader API (localise + read + vote, with the model being trained) per layout group,
// plus clean plate crops (exact box, no augmentation) per layout. The training-strength held-out score
// alone chose weights that were worse on both ends (small plates in vehicle crops, large clean crops).
// Seeds 700_001+: disjoint from training (1+, 12345+), its held-out set (800_001) and eval-plates (900_001+).
import type { PlateLayout, RgbImage, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { createRng, generatePlate } from '@phatnguoi/core/plates/generate';
import { renderVehicleCropSvg } from '@phatnguoi/core/plates/vehicle-crop';
import { tf } from '@phatnguoi/detector/tf/runtime';
import { ctcGreedyDecode } from '@phatnguoi/detector/plates/ctc-decode';
import { interpretDecoded } from '@phatnguoi/detector/plates/postprocess';
import { READER_CLASSES, READER_HEIGHT, READER_STEPS, READER_WIDTH } from '@phatnguoi/detector/plates/input';
import { blurImage, createPlateReader, rasteriseSvg } from '@phatnguoi/detector/plates/index';
import { renderPlateRaster, synthesiseExample } from './dataset';

export const E2E_VAL_SEED = 700_001;
/** The reader API's default minimum confidence. */
const MIN_CONFIDENCE = 0.3;

export type E2eGroup = 'square' | 'one-line' | 'motorbike';

interface ValCrop {
  img: RgbImage;
  cls: VehicleClass;
  text: string;
  group: E2eGroup;
}

export interface EndToEndValSet {
  crops: ValCrop[];
  clean: { xs: Float32Array; texts: string[]; layouts: PlateLayout[] };
}

export interface EndToEndValCounts {
  square: number;
  oneLine: number;
  motorbike: number;
  /** Clean plate crops per layout. */
  clean: number;
}

/** Vehicle crops as eval-plates draws them (width, half blurred σ 0.6–1.6 px), with the group forced. */
async function vehicleCrop(rng: () => number, group: E2eGroup): Promise<ValCrop> {
  const cls: VehicleClass = group === 'motorbike' ? 'motorbike' : rng() < 0.5 ? 'car' : 'truck';
  const plate = generatePlate(rng, { vehicleClass: cls, layout: group === 'one-line' ? 'one-line' : 'two-line', specialRate: 0.15 });
  const width = cls === 'motorbike' ? 110 + rng() * 60 : 180 + rng() * 100;
  let img = await rasteriseSvg(renderVehicleCropSvg(plate, cls, rng, width).svg);
  if (rng() < 0.5) {
    img = await blurImage(img, 0.6 + rng());
  }
  return { img, cls, text: plate.text, group };
}

export async function buildEndToEndValSet(counts: EndToEndValCounts, seed = E2E_VAL_SEED): Promise<EndToEndValSet> {
  const rng = createRng(seed);
  const crops: ValCrop[] = [];
  for (const [group, n] of [
    ['square', counts.square],
    ['one-line', counts.oneLine],
    ['motorbike', counts.motorbike],
  ] as [E2eGroup, number][]) {
    for (let i = 0; i < n; i++) crops.push(await vehicleCrop(rng, group));
  }
  const per = READER_HEIGHT * READER_WIDTH;
  const xs = new Float32Array(2 * counts.clean * per);
  const texts: string[] = [];
  const layouts: PlateLayout[] = [];
  for (const layout of ['one-line', 'two-line'] as PlateLayout[]) {
    for (let i = 0; i < counts.clean; i++) {
      const vehicleClass: VehicleClass = layout === 'one-line' ? 'car' : rng() < 0.75 ? 'motorbike' : 'truck';
      const plate = generatePlate(rng, { layout, vehicleClass, specialRate: 0.15 });
      synthesiseExample(await renderPlateRaster(plate), rng, xs, texts.length * per, 0);
      texts.push(plate.text);
      layouts.push(layout);
    }
  }
  return { crops, clean: { xs, texts, layouts } };
}

export interface EndToEndScores {
  /** Exact match per group, 0–1: end to end on vehicle crops, and on clean plate crops per layout. */
  groups: Record<E2eGroup | 'clean one-line' | 'clean two-line', number>;
  /** Mean of the groups: what checkpoints are chosen on. */
  score: number;
}

export async function scoreEndToEnd(model: tf.LayersModel, set: EndToEndValSet): Promise<EndToEndScores> {
  const reader = await createPlateReader({ model });
  const right = new Map<string, number>();
  const total = new Map<string, number>();
  const count = (k: string, ok: boolean): void => {
    total.set(k, (total.get(k) ?? 0) + 1);
    if (ok) right.set(k, (right.get(k) ?? 0) + 1);
  };
  for (const c of set.crops) count(c.group, (await reader.read(c.img, c.cls))?.text === c.text);
  reader.dispose();
  const per = READER_HEIGHT * READER_WIDTH;
  const { xs, texts, layouts } = set.clean;
  for (let start = 0; start < texts.length; start += 64) {
    const n = Math.min(64, texts.length - start);
    const probs = tf.tidy(() =>
      tf.softmax(model.predict(tf.tensor4d(xs.subarray(start * per, (start + n) * per), [n, READER_HEIGHT, READER_WIDTH, 1])) as tf.Tensor3D, -1),
    );
    const data = (await probs.data()) as Float32Array;
    probs.dispose();
    const size = READER_STEPS * READER_CLASSES;
    for (let i = 0; i < n; i++) {
      const layout = layouts[start + i]!;
      const read = interpretDecoded(ctcGreedyDecode(data.subarray(i * size, (i + 1) * size), READER_STEPS, READER_CLASSES), layout, READER_STEPS);
      count(`clean ${layout}`, !!read && read.confidence >= MIN_CONFIDENCE && read.text === texts[start + i]);
    }
  }
  const groups = Object.fromEntries([...total].map(([k, n]) => [k, (right.get(k) ?? 0) / n])) as EndToEndScores['groups'];
  const values = Object.values(groups);
  return { groups, score: values.reduce((a, b) => a + b, 0) / values.length };
}
