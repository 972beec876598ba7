// The demo's simulated cameras: which scenes `npm run demo` serves, where, and the camera rows that point at them.
// Shared by the stack (stack/src/stack.ts), which renders and serves the scenes, and the demo seed
// (api/src/cli/seed.ts), which seeds cases from them.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './config';
import type { Queryable } from './db';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the simulator keeps rendered scenes (video, truth, geometry), relative to the repository root. */
export const SIM_OUT = 'sim/out';

/** The folder of the demo's rendered scenes: DEMO_SIM_OUT, else sim/out of the repository. */
export function simOutDir(env: Env = process.env): string {
  return env.DEMO_SIM_OUT ? resolve(env.DEMO_SIM_OUT) : join(REPO_ROOT, SIM_OUT);
}

/** The demo agency (created by the seed); the simulated cameras belong to it. */
export const DEMO_AGENCY_CODE = 'PC08-TG';

export interface DemoCamera {
  scenario: string;
  port: number;
  url: string;
  /** Name of the camera row; one camera per scene, found again by this name on every start. */
  name: string;
  address: string;
  lat: number;
  lng: number;
}

/** Places of the default scenes; other scenes get a generic name. */
const PLACES: Record<string, { name: string; address: string; lat: number; lng: number }> = {
  'red-light-runners': { name: 'Ngã tư Lê Lợi - Hùng Vương', address: 'TP Mỹ Tho, Tiền Giang', lat: 10.3597, lng: 106.3654 },
  'car-in-motorbike-lane': { name: 'Vòng xoay Ấp Bắc', address: 'QL1A, TP Mỹ Tho, Tiền Giang', lat: 10.3702, lng: 106.3501 },
  'wrong-way-rider': { name: 'Cầu Rạch Miễu (đầu Tiền Giang)', address: 'QL60, Châu Thành, Tiền Giang', lat: 10.3287, lng: 106.3416 },
};

/**
 * The simulated cameras: DEMO_SCENARIOS (comma-separated, see `npm run sim -- list`; DEMO_SCENARIO sets the first),
 * served on DEMO_CAMERA_PORT (8554) and the ports after it.
 */
export function demoCameras(env: Env = process.env): DemoCamera[] {
  const list = (env.DEMO_SCENARIOS || 'red-light-runners,car-in-motorbike-lane')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (env.DEMO_SCENARIO) list[0] = env.DEMO_SCENARIO;
  const base = Number(env.DEMO_CAMERA_PORT || 8554);
  const unique = [...new Set(list)];
  return unique.map((scenario, i) => {
    const place = PLACES[scenario] ?? { name: `Camera mô phỏng (${scenario})`, address: 'TP Mỹ Tho, Tiền Giang', lat: 10.36 + i * 0.004, lng: 106.36 };
    return { scenario, port: base + i, url: `rtsp://127.0.0.1:${base + i}/cam`, ...place };
  });
}

/** The rendered scene of a camera (<scenes folder>/<scenario>.mp4, .truth.json, .geometry.json); `rendered` when all three exist. */
export function demoScene(c: Pick<DemoCamera, 'scenario'>, dir = simOutDir()): { video: string; truth: string; geometry: string; rendered: boolean } {
  const base = join(dir, c.scenario);
  const files = { video: `${base}.mp4`, truth: `${base}.truth.json`, geometry: `${base}.geometry.json` };
  return { ...files, rendered: Object.values(files).every((f) => existsSync(f)) };
}

/** The address the seed once gave every camera (nothing ever served it); such cameras are switched off. */
const PLACEHOLDER_STREAM = 'rtsp://127.0.0.1:8554/demo';

/**
 * Creates or updates one camera per simulated scene in the demo agency, found by name: its stream address (which
 * follows DEMO_CAMERA_PORT) and the scene's geometry (stop line, lanes, signal head) when the scene is rendered.
 * Idempotent: a second run changes nothing but those two. Cameras of the agency left at the old placeholder
 * address are disabled. Returns the camera ids in the order of `cameras`.
 */
export async function upsertDemoCameras(q: Queryable, agencyId: string, cameras: DemoCamera[], dir = simOutDir()): Promise<string[]> {
  const ids: string[] = [];
  for (const c of cameras) {
    const scene = demoScene(c, dir);
    const geometry = existsSync(scene.geometry) ? readFileSync(scene.geometry, 'utf8') : null;
    const found = await q.query<{ id: string }>('SELECT id FROM cameras WHERE agency_id = $1 AND name = $2 ORDER BY created_at, id LIMIT 1', [
      agencyId,
      c.name,
    ]);
    const id = found.rows[0]?.id;
    if (id) {
      await q.query(
        `UPDATE cameras SET stream_url = $2, geometry = COALESCE($3::jsonb, geometry), enabled = true, updated_at = now()
          WHERE id = $1 AND (stream_url IS DISTINCT FROM $2 OR geometry IS DISTINCT FROM COALESCE($3::jsonb, geometry) OR NOT enabled)`,
        [id, c.url, geometry],
      );
      ids.push(id);
    } else {
      const inserted = await q.query<{ id: string }>(
        `INSERT INTO cameras (agency_id, name, address, lat, lng, stream_url, sample_fps, geometry) VALUES ($1, $2, $3, $4, $5, $6, 5, $7::jsonb) RETURNING id`,
        [agencyId, c.name, c.address, c.lat, c.lng, c.url, geometry],
      );
      ids.push(inserted.rows[0]!.id);
    }
  }
  await q.query('UPDATE cameras SET enabled = false, updated_at = now() WHERE agency_id = $1 AND stream_url = $2 AND enabled', [agencyId, PLACEHOLDER_STREAM]);
  return ids;
}
