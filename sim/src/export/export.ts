// Training export: detector images + JSONL boxes, signal-head crops + light state, plate crops + text.
// Only the sampled frames are rendered (the simulation is computed once, rendering is random access),
// so thousands of images take minutes. Format: sim/EXPORT.md.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CATALOGUE } from '../scenario/catalogue';
import { randomScenario } from '../scenario/random';
import { parseScenario, type Scenario } from '../scenario/schema';
import type { ScenarioOverrides } from '../scenario/resolve';
import { heldoutGuard } from '../heldout';
import { SceneRenderer } from '../render/compose';
import { simulate } from '../world/simulate';
import { cameraGeometry } from '../geometry';
import { detectionRoi, scaleGeometry } from '@phatnguoi/detector/geometry/geometry';

export interface ExportOptions {
  out: string;
  scenarios: number;
  seedBase: number;
  /** Render every n-th frame. */
  every: number;
  /** Detector image size [width, height]. */
  detSize: [number, number];
  /** JPEG quality of the detector images (default 90; lower for compact training shards). */
  detQuality?: number;
  what: Set<string>;
  catalogue: boolean;
  overrides?: ScenarioOverrides;
  /** Smallest character height (pixels) of an exported plate crop; default 5. */
  plateMinCharPx?: number;
  /** Most plate crops per track (different frames). */
  platesPerTrack?: number;
  onProgress?: (line: string) => void;
}

export interface ExportSummary {
  scenarios: number;
  detectorImages: number;
  boxes: number;
  lightCrops: number;
  plateCrops: number;
  seconds: number;
}

function lineWriter(path: string): { write(obj: unknown): void; close(): Promise<void>; stream: WriteStream } {
  const stream = createWriteStream(path);
  return {
    stream,
    write: (obj) => void stream.write(JSON.stringify(obj) + '\n'),
    close: () => new Promise((r) => stream.end(r)),
  };
}

export async function runExport(o: ExportOptions): Promise<ExportSummary> {
  const started = Date.now();
  const progress = o.onProgress ?? ((l: string) => process.stderr.write(`\r${l}   `));
  const allowed = await heldoutGuard();
  const list: Scenario[] = [];
  if (o.catalogue) list.push(...CATALOGUE);
  for (let seed = o.seedBase; list.length < o.scenarios + (o.catalogue ? CATALOGUE.length : 0) && seed < o.seedBase + o.scenarios * 3; seed++) {
    const s = randomScenario(seed);
    if (allowed(s)) list.push(s);
  }
  const dirs = { det: join(o.out, 'detector', 'images'), lights: join(o.out, 'lights', 'images'), plates: join(o.out, 'plates', 'images') };
  const want = { det: o.what.has('detector'), lights: o.what.has('lights'), plates: o.what.has('plates') };
  for (const [k, d] of Object.entries(dirs)) if (want[k as keyof typeof want]) await mkdir(d, { recursive: true });
  const det = want.det ? lineWriter(join(o.out, 'detector', 'labels.jsonl')) : null;
  const lights = want.lights ? lineWriter(join(o.out, 'lights', 'labels.jsonl')) : null;
  const plates = want.plates ? lineWriter(join(o.out, 'plates', 'labels.jsonl')) : null;
  const sum: ExportSummary = { scenarios: 0, detectorImages: 0, boxes: 0, lightCrops: 0, plateCrops: 0, seconds: 0 };
  const [dw, dh] = o.detSize;
  const perTrack = o.platesPerTrack ?? 3;
  for (let si = 0; si < list.length; si++) {
    const base = list[si]!;
    const s = parseScenario({
      ...base,
      ...(o.overrides?.width ? { width: o.overrides.width } : {}),
      ...(o.overrides?.height ? { height: o.overrides.height } : {}),
    });
    if (!allowed(s)) throw new Error(`scenario ${s.name} is in the held-out set; refusing to export it for training`);
    const sim = simulate(s);
    const geometry = cameraGeometry(sim);
    const r = await SceneRenderer.create(sim);
    const plateCount = new Map<string, number>();
    // The region the pipeline's detector looks at (detector/src/geometry/geometry.ts), in detector-image pixels.
    const roi = detectionRoi(scaleGeometry(geometry, dw, dh)).map((v) => Math.round(v * 10) / 10);
    for (let k = 0; k < r.frameCount; k += o.every) {
      const { rgb, truth } = await r.render(k);
      const img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length), { raw: { width: s.width, height: s.height, channels: 3 } });
      const stem = `${s.name}_${String(k).padStart(5, '0')}`;
      if (det) {
        const sx = dw / s.width;
        const sy = dh / s.height;
        const boxes = truth.objects
          .map((ob) => ({
            box: [ob.box[0] * sx, ob.box[1] * sy, ob.box[2] * sx, ob.box[3] * sy].map((v) => Math.round(v * 10) / 10),
            cls: ob.cls,
            kind: ob.kind,
            trackId: ob.trackId,
            occluded: ob.occluded,
          }))
          .filter((b) => b.box[2]! - b.box[0]! >= 2 && b.box[3]! - b.box[1]! >= 2);
        await img
          .clone()
          .resize(dw, dh, { fit: 'fill' })
          .jpeg({ quality: o.detQuality ?? 90, mozjpeg: true })
          .toFile(join(dirs.det, `${stem}.jpg`));
        det.write({ image: `images/${stem}.jpg`, width: dw, height: dh, scenario: s.name, frame: k, t: truth.t, time: s.conditions.time, roi, boxes });
        sum.detectorImages++;
        sum.boxes += boxes.length;
      }
      if (lights) {
        for (const head of geometry.signalHeads) {
          const state = truth.lights.find((l) => l.headId === head.id)!;
          const xs = head.lamps.flatMap((l) => [l.region[0], l.region[2]]);
          const ys = head.lamps.flatMap((l) => [l.region[1], l.region[3]]);
          const pad = Math.max(2, (Math.max(...ys) - Math.min(...ys)) * 0.15);
          const left = Math.max(0, Math.floor(Math.min(...xs) - pad));
          const top = Math.max(0, Math.floor(Math.min(...ys) - pad));
          const width = Math.min(s.width - left, Math.ceil(Math.max(...xs) + pad) - left);
          const height = Math.min(s.height - top, Math.ceil(Math.max(...ys) + pad) - top);
          if (width < 3 || height < 3) continue;
          const name = `${stem}_${head.id}.png`;
          await img.clone().extract({ left, top, width, height }).png().toFile(join(dirs.lights, name));
          lights.write({
            image: `images/${name}`,
            headId: head.id,
            round: state.round,
            arrow: state.arrow,
            lit: state.lit,
            countdown: state.countdown,
            lamps: head.lamps.map((l) => ({
              id: l.id,
              colour: l.colour,
              shape: l.shape,
              region: [l.region[0] - left, l.region[1] - top, l.region[2] - left, l.region[3] - top].map((v) => Math.round(v * 10) / 10),
            })),
            scenario: s.name,
            frame: k,
          });
          sum.lightCrops++;
        }
      }
      if (plates) {
        for (const ob of truth.objects) {
          if (!ob.plate?.visible || ob.plate.charHeightPx < (o.plateMinCharPx ?? 5)) continue;
          const n = plateCount.get(ob.trackId) ?? 0;
          if (n >= perTrack) continue;
          plateCount.set(ob.trackId, n + 1);
          const [x1, y1, x2, y2] = ob.plate.box;
          const mx = (x2 - x1) * 0.12;
          const my = (y2 - y1) * 0.2;
          const left = Math.max(0, Math.floor(x1 - mx));
          const top = Math.max(0, Math.floor(y1 - my));
          const width = Math.min(s.width - left, Math.ceil(x2 + mx) - left);
          const height = Math.min(s.height - top, Math.ceil(y2 + my) - top);
          const name = `${stem}_${ob.trackId}.png`;
          await img.clone().extract({ left, top, width, height }).png().toFile(join(dirs.plates, name));
          plates.write({
            image: `images/${name}`,
            text: ob.plate.text,
            layout: ob.plate.layout,
            colour: ob.plate.colour,
            charHeightPx: ob.plate.charHeightPx,
            legible: ob.plate.legible,
            plateBox: [x1 - left, y1 - top, x2 - left, y2 - top].map((v) => Math.round(v * 10) / 10),
            vehicle: ob.kind,
            scenario: s.name,
            frame: k,
          });
          sum.plateCrops++;
        }
      }
      const el = (Date.now() - started) / 1000;
      progress(
        `[export] scenario ${si + 1}/${list.length} ${s.name} frame ${k}/${r.frameCount}  detector ${sum.detectorImages} (${(sum.detectorImages / el).toFixed(1)}/s)  lights ${sum.lightCrops}  plates ${sum.plateCrops}  ${el.toFixed(0)} s`,
      );
    }
    sum.scenarios++;
  }
  await Promise.all([det?.close(), lights?.close(), plates?.close()]);
  sum.seconds = (Date.now() - started) / 1000;
  await writeFile(join(o.out, 'summary.json'), JSON.stringify({ ...sum, scenarios: list.map((s) => s.name), every: o.every, detSize: o.detSize }, null, 2));
  process.stderr.write('\n');
  console.log(
    `exported ${sum.detectorImages} detector images (${sum.boxes} boxes), ${sum.lightCrops} light crops, ${sum.plateCrops} plate crops from ${sum.scenarios} scenarios in ${sum.seconds.toFixed(0)} s → ${o.out}`,
  );
  return sum;
}
