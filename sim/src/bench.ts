// Render speed: frames per second of the compositor alone and with H.264 encoding, at 720p and 1080p.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createH264Encoder } from '@phatnguoi/core/ffmpeg/encode';
import { findScenario } from './scenario/catalogue';
import { parseScenario } from './scenario/schema';
import { SceneRenderer } from './render/compose';
import { simulate } from './world/simulate';

export interface BenchRow {
  scenario: string;
  size: string;
  frames: number;
  composeFps: number;
  encodeFps: number;
}

export async function runBench(o: { frames: number }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sim-bench-'));
  try {
    for (const name of ['red-light-runners', 'rush-hour-motorbikes', 'flicker-blur-jpeg']) {
      for (const [w, h] of [
        [1280, 720],
        [1920, 1080],
      ] as const) {
        const s = parseScenario({ ...findScenario(name)!, width: w, height: h });
        const r = await SceneRenderer.create(simulate(s));
        const start = 100; // mid-scene: traffic on screen
        const n = Math.min(o.frames, r.frameCount - start);
        // warm the sprite cache so both runs time the steady state
        for (let k = start; k < start + n; k += 10) await r.render(k);
        let t0 = process.hrtime.bigint();
        for (let k = start; k < start + n; k++) await r.render(k);
        const composeS = Number(process.hrtime.bigint() - t0) / 1e9;
        const enc = createH264Encoder({ output: join(dir, `${name}-${w}.mp4`), width: w, height: h, fps: s.fps });
        t0 = process.hrtime.bigint();
        for (let k = start; k < start + n; k++) await enc.write((await r.render(k)).rgb);
        await enc.end();
        const encodeS = Number(process.hrtime.bigint() - t0) / 1e9;
        const row = { scenario: name, size: `${w}x${h}`, frames: n, composeFps: n / composeS, encodeFps: n / encodeS };
        rows.push(row);
        console.log(
          `${row.scenario.padEnd(22)} ${row.size.padEnd(10)} ${String(n).padStart(4)} frames  render ${row.composeFps.toFixed(1).padStart(6)} fps  render+encode ${row.encodeFps.toFixed(1).padStart(6)} fps`,
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
