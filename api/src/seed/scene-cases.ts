// Demo cases from the simulated scenes: the detector's offline runner (detector/src/offline.ts, the same
// CameraPipeline as the live detector, the project's trained vehicle detector and plate reader) runs once over each
// demo camera's rendered scene, dated on past days, storing its evidence (clip, stills with their overlay, crops) in
// the demo's object storage. Its events are cached in DATA_DIR/demo-seed/ and become cases through the same
// createCaseFromEvent as the api worker's, so a second run creates nothing twice.
import { statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@phatnguoi/core/db';
import type { BucketName, Storage } from '@phatnguoi/core/storage';
import { demoScene } from '@phatnguoi/core/demo-cameras';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import type { Clock } from '../clock';
import { createCaseFromEvent } from '../services/cases';
import { registerSimulatedVehicles, vehiclesOfTracks } from './demo-registry';

/** A run of the scene on a past day: `daysAgo` days before the camera was created, at `localTime` (Asia/Ho_Chi_Minh). */
export interface ScenePass {
  daysAgo: number;
  localTime: string;
}

/** Two runs per scene: the morning two days back and the evening of the day before (daytime scenes). */
export const DEMO_PASSES: ScenePass[] = [
  { daysAgo: 2, localTime: '07:42:10' },
  { daysAgo: 1, localTime: '16:18:40' },
];

const VN_OFFSET_MS = 7 * 3600_000; // Asia/Ho_Chi_Minh, no daylight saving

/** Wall-clock time of the scene's first frame for a pass: the local date of `anchor` minus `daysAgo`, at `localTime`. */
export function passStart(anchor: Date, pass: ScenePass): Date {
  const local = new Date(anchor.getTime() + VN_OFFSET_MS);
  const m = /^(\d{2}):(\d{2}):(\d{2})$/.exec(pass.localTime);
  if (!m) throw new Error(`bad local time ${pass.localTime} (HH:MM:SS)`);
  const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - pass.daysAgo, Number(m[1]), Number(m[2]), Number(m[3]));
  return new Date(day - VN_OFFSET_MS);
}

export interface SeedCamera {
  id: string;
  name: string;
  address: string;
  scenario: string;
  createdAt: Date;
}

interface CachedPass {
  version: 1;
  cameraId: string;
  scenario: string;
  /** Size and modification time of the scene video the events came from (a re-rendered scene is run again). */
  video: { size: number; mtimeMs: number };
  startTime: string;
  detector: string;
  events: ViolationEvent[];
}

export interface SceneCasesResult {
  /** Every seeded case of the scenes, oldest first. */
  caseIds: string[];
  created: number;
  /** Passes run through the detector now (the rest came from the cache or were seeded before). */
  detected: number;
}

interface TruthTracks {
  tracks: { cls: string; plate: { text: string; colour: string } | null }[];
  video: { durationS: number };
}

/**
 * Registry entries (the simulated national vehicle registry) for the plates of a scene's vehicles, so seeded and
 * live cases whose plate is read find an owner: the same made-up owners as the demo registry's (demoOwnerOf: an
 * address in the plate's province, e-mail and phone for the notice, the vehicle's brand and colour). Returns the
 * number of the scene's vehicles with a valid plate.
 */
export async function registerScenePlates(db: Db, truthPath: string): Promise<number> {
  const truth = JSON.parse(await readFile(truthPath, 'utf8')) as TruthTracks;
  const vehicles = vehiclesOfTracks(truth.tracks);
  await registerSimulatedVehicles(db, vehicles);
  return vehicles.length;
}

async function readCache(file: string): Promise<CachedPass | null> {
  try {
    const c = JSON.parse(await readFile(file, 'utf8')) as CachedPass;
    return c.version === 1 && Array.isArray(c.events) ? c : null;
  } catch {
    return null;
  }
}

async function evidencePresent(storage: Pick<Storage, 'exists'>, events: ViolationEvent[]): Promise<boolean> {
  for (const e of events) for (const f of e.evidence) if (!(await storage.exists(f.bucket as BucketName, f.key))) return false;
  return true;
}

export interface SceneCasesOptions {
  db: Db;
  clock: Clock;
  storage: Pick<Storage, 'put' | 'putFile' | 'exists'>;
  /** Cache of the detector's events per camera and pass (DATA_DIR/demo-seed). */
  cacheDir: string;
  cameras: SeedCamera[];
  /** Folder of the rendered scenes (default: simOutDir()). */
  scenesDir?: string;
  passes?: ScenePass[];
  /** Progress and notes, one line each. */
  say: (line: string) => void;
}

/** Seeds the cases of every rendered demo scene; see the file comment. */
export async function seedSceneCases(o: SceneCasesOptions): Promise<SceneCasesResult> {
  const passes = o.passes ?? DEMO_PASSES;
  await mkdir(o.cacheDir, { recursive: true });
  const result: SceneCasesResult = { caseIds: [], created: 0, detected: 0 };
  const byTime: { id: string; at: number }[] = [];
  // Loaded on first use: a run with every pass cached loads no model.
  let engine: {
    offline: typeof import('@phatnguoi/detector/offline');
    detector: import('@phatnguoi/core/contracts/detection').VehicleDetector;
    plates: import('@phatnguoi/detector/pipeline/camera-pipeline').PlatePort;
    dispose(): void;
  } | null = null;
  const load = async () => {
    if (engine) return engine;
    const offline = await import('@phatnguoi/detector/offline');
    const { loadDetector, SIM_DETECTOR_CONFIG } = await import('@phatnguoi/detector/models/load-detector');
    const { createPlateReader } = await import('@phatnguoi/detector/plates/index');
    const { platePortFrom } = await import('@phatnguoi/detector/pipeline/plate-port');
    // The scenes are simulated: the model trained on them, unless DETECTOR_CONFIG names another.
    const detector = await loadDetector(process.env.DETECTOR_CONFIG || SIM_DETECTOR_CONFIG);
    const reader = await createPlateReader();
    engine = { offline, detector, plates: platePortFrom(reader), dispose: () => (detector.dispose(), reader.dispose()) };
    return engine;
  };
  try {
    for (const cam of o.cameras) {
      const scene = demoScene(cam, o.scenesDir);
      if (!scene.rendered) {
        o.say(`${cam.scenario}: scene not rendered (npm run sim -- render ${cam.scenario}); no seeded cases for ${cam.name}`);
        continue;
      }
      const truth = JSON.parse(await readFile(scene.truth, 'utf8')) as TruthTracks;
      const st = statSync(scene.video);
      for (const [i, pass] of passes.entries()) {
        const start = passStart(cam.createdAt, pass);
        const file = join(o.cacheDir, `${cam.id}.${i}.json`);
        let cached = await readCache(file);
        const current =
          cached &&
          cached.cameraId === cam.id &&
          cached.scenario === cam.scenario &&
          cached.startTime === start.toISOString() &&
          cached.video.size === st.size &&
          cached.video.mtimeMs === st.mtimeMs &&
          (await evidencePresent(o.storage, cached.events));
        if (!current) {
          // Seeded before without this cache (another data folder, a deleted cache): never seed the same run twice.
          const end = new Date(start.getTime() + (truth.video.durationS + 60) * 1000);
          const before = await o.db.query<{ id: string; occurred_at: Date }>(
            'SELECT id, occurred_at FROM cases WHERE camera_id = $1 AND occurred_at BETWEEN $2 AND $3',
            [cam.id, start, end],
          );
          if (before.rows.length > 0) {
            for (const r of before.rows) byTime.push({ id: r.id, at: r.occurred_at.getTime() });
            continue;
          }
          const { offline, detector, plates } = await load();
          const label = `${cam.scenario} (${cam.name}), run ${i + 1} of ${passes.length}`;
          o.say(`detecting violations in ${label}: ${truth.video.durationS} s of video dated ${start.toISOString()}`);
          let last = 0;
          const t0 = Date.now();
          const r = await offline.detectViolationsInVideo(scene.video, JSON.parse(await readFile(scene.geometry, 'utf8')), {
            detector,
            plates,
            cameraId: cam.id,
            location: `${cam.name}, ${cam.address}`,
            startTime: start,
            // Frames numbered as a camera sampling 5 fps since 1970 would number them: each run of the scene gets its
            // own tracks, so a vehicle of the scene seen on two days gives two cases, not one.
            firstSeq: Math.floor(start.getTime() / 200),
            storage: o.storage,
            onFrame: (t, d) => {
              if (Date.now() - last < 5000) return;
              last = Date.now();
              o.say(`  ${label}: ${t.toFixed(0)} of ${(d ?? truth.video.durationS).toFixed(0)} s`);
            },
          });
          o.say(
            `  ${label}: ${r.violations.length} violations (${r.violations.map((v) => `${v.type} ${v.plate.text ?? 'plate unread'}`).join(', ') || 'none'}) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
          );
          cached = {
            version: 1,
            cameraId: cam.id,
            scenario: cam.scenario,
            video: { size: st.size, mtimeMs: st.mtimeMs },
            startTime: start.toISOString(),
            detector: r.detector,
            events: r.violations.map((v) => v.event),
          };
          await writeFile(`${file}.tmp`, JSON.stringify(cached));
          await rename(`${file}.tmp`, file);
          result.detected++;
        }
        for (const ev of cached!.events) {
          const out = await createCaseFromEvent(o.db, o.clock, ev);
          if (out.created) result.created++;
          byTime.push({ id: out.caseId, at: Date.parse(ev.occurredAt) });
        }
      }
    }
  } finally {
    (engine as { dispose(): void } | null)?.dispose();
  }
  result.caseIds = [...new Map(byTime.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).map((x) => [x.id, x])).keys()];
  return result;
}
