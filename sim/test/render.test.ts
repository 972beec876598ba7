import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateChars } from '@phatnguoi/core/plates/format';
import { findScenario } from '../src/scenario/catalogue';
import { parseScenario, type Scenario } from '../src/scenario/schema';
import { planScenario, renderScenarioVideo } from '../src/render/video';
import { SceneRenderer } from '../src/render/compose';
import { simulate } from '../src/world/simulate';
import { cameraGeometry } from '../src/geometry';
import { readTruth } from '../src/truth';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-render-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function small(name: string, o: Partial<Scenario> = {}): Scenario {
  return parseScenario({ ...findScenario(name)!, width: 320, height: 180, durationS: 1.2, ...o });
}

describe('rendering', () => {
  it('is deterministic: two renders of one scenario and seed are byte-identical (video and truth); another seed differs', async () => {
    // effects on: noise, blur, flicker, JPEG round trip, occluder
    const s = small('flicker-blur-jpeg');
    const a = await renderScenarioVideo(s, { videoPath: join(dir, 'a.mp4'), truthPath: join(dir, 'a.json') });
    const b = await renderScenarioVideo(s, { videoPath: join(dir, 'b.mp4'), truthPath: join(dir, 'b.json') });
    const c = await renderScenarioVideo({ ...s, seed: s.seed + 1 }, { videoPath: join(dir, 'c.mp4'), truthPath: join(dir, 'c.json') });
    const [va, vb, vc] = await Promise.all([a, b, c].map((r) => readFile(r.videoPath)));
    expect(va!.length).toBeGreaterThan(1000);
    expect(va!.equals(vb!)).toBe(true);
    expect(va!.equals(vc!)).toBe(false);
    expect((await readFile(a.truthPath)).equals(await readFile(b.truthPath))).toBe(true);
    const truth = await readTruth(a.truthPath);
    expect(truth.frames.length).toBe(12);
    // a real H.264 mp4 with one video frame per truth frame
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height,nb_read_frames',
      '-of',
      'csv=p=0',
      a.videoPath,
    ]);
    expect(stdout.trim()).toBe('h264,320,180,12');
    expect(truth.video).toMatchObject({ width: 320, height: 180, fps: 10 });
  });

  it('truth boxes lie on rendered vehicles (pixels differ from the empty scene)', async () => {
    const s = parseScenario({ ...findScenario('red-light-runners')!, width: 640, height: 360 });
    const r = await SceneRenderer.create(simulate(s), { clean: true });
    const bg = r.backgroundRgb();
    let checked = 0;
    for (const k of [40, 150, 170]) {
      const { rgb, truth } = await r.render(k);
      for (const o of truth.objects) {
        const [x1, y1, x2, y2] = o.box.map(Math.round) as [number, number, number, number];
        if (o.occluded > 0.05 || (x2 - x1) * (y2 - y1) < 150) continue;
        let changed = 0;
        for (let y = y1; y < y2; y++) {
          for (let x = x1; x < x2; x++) {
            const i = (y * s.width + x) * 3;
            const d = Math.abs(rgb[i]! - bg[i]!) + Math.abs(rgb[i + 1]! - bg[i + 1]!) + Math.abs(rgb[i + 2]! - bg[i + 2]!);
            if (d > 30) changed++;
          }
        }
        expect(changed / ((x2 - x1) * (y2 - y1)), `${o.trackId} in frame ${k}`).toBeGreaterThan(0.3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('plates: the drawn SVG carries the truth text, the plate region is painted in the plate colour', async () => {
    const s = parseScenario({ ...findScenario('red-light-runners')!, width: 1280, height: 720 });
    const sim = simulate(s);
    const r = await SceneRenderer.create(sim, { clean: true });
    const bg = r.backgroundRgb();
    let legible = 0;
    for (let k = 0; k < r.frameCount && legible < 4; k += 10) {
      const { rgb, truth } = await r.render(k);
      for (const o of truth.objects) {
        if (!o.plate?.legible) continue;
        legible++;
        const sprite = await r.sprite(sim.actors.get(o.trackId)!);
        const glyphs = [...sprite.plateSvg!.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]).join('');
        expect(glyphs).toBe(plateChars(o.plate.text));
        expect(o.plate.text).toBe(sim.actors.get(o.trackId)!.plate.text);
        // the plate region differs from the road under it and has the plate's background colour
        const [x1, y1, x2, y2] = o.plate.box.map(Math.round) as [number, number, number, number];
        let changed = 0;
        const mean = [0, 0, 0];
        let n = 0;
        for (let y = y1; y < y2; y++) {
          for (let x = x1; x < x2; x++) {
            const i = (y * s.width + x) * 3;
            if (Math.abs(rgb[i]! - bg[i]!) + Math.abs(rgb[i + 1]! - bg[i + 1]!) + Math.abs(rgb[i + 2]! - bg[i + 2]!) > 30) changed++;
            for (let c = 0; c < 3; c++) mean[c]! += rgb[i + c]!;
            n++;
          }
        }
        expect(changed / n).toBeGreaterThan(0.5);
        const [R, G, B] = mean.map((v) => v / n) as [number, number, number];
        if (o.plate.colour === 'white') expect(Math.min(R, G, B)).toBeGreaterThan(110);
        if (o.plate.colour === 'yellow') expect(R > B + 40 && G > B + 30).toBe(true);
        if (o.plate.colour === 'blue') expect(B).toBeGreaterThan(R + 30);
        if (o.plate.colour === 'red') expect(R).toBeGreaterThan(G + 40);
      }
    }
    expect(legible).toBeGreaterThan(0);
  });

  it('light truth: the lamp the truth says is lit is the brightest in its colour channel', async () => {
    const s = parseScenario({ ...findScenario('green-arrow-right-turn')!, width: 1280, height: 720 });
    const sim = simulate(s);
    const geometry = cameraGeometry(sim);
    const r = await SceneRenderer.create(sim, { clean: true, noVehicles: true });
    const seen = new Set<string>();
    for (const k of [20, 110, 160]) {
      const { rgb, truth } = await r.render(k);
      const light = truth.lights[0]!;
      seen.add(light.round);
      const head = geometry.signalHeads[0]!;
      const level = (id: string) => {
        const [x1, y1, x2, y2] = head.lamps.find((l) => l.id === id)!.region.map(Math.round) as [number, number, number, number];
        let sum = 0;
        let n = 0;
        for (let y = y1; y < y2; y++)
          for (let x = x1; x < x2; x++, n++) sum += rgb[(y * s.width + x) * 3]! + rgb[(y * s.width + x) * 3 + 1]! + rgb[(y * s.width + x) * 3 + 2]!;
        return sum / n;
      };
      const lit = level(light.round);
      for (const other of ['red', 'yellow', 'green'].filter((c) => c !== light.round))
        expect(lit, `${light.round} vs ${other} at frame ${k}`).toBeGreaterThan(level(other) * 1.3);
      expect(light.arrow).toBe(light.round === 'red' ? 'green' : 'off');
    }
    expect([...seen].sort()).toEqual(['green', 'red', 'yellow']);
  });

  it('the geometry of every catalogue scenario validates and puts the lamps inside the image', () => {
    for (const name of ['red-light-runners', 't-junction-left-1080p', 'road-motorbike-lane']) {
      const g = planScenario(findScenario(name)!).geometry;
      for (const h of g.signalHeads) for (const l of h.lamps) expect(l.region[2] - l.region[0]).toBeGreaterThan(3);
      expect(g.lanes.length).toBeGreaterThan(2);
    }
    // A lane with text painted in it is named by it (cases print the name, not the id).
    const moto = planScenario(findScenario('road-motorbike-lane')!).geometry.lanes.find((l) => l.id === 'moto');
    expect(moto?.name).toBe('làn xe máy');
  });
});
