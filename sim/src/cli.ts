// npm run sim -- <command>: list | render | serve | export | bench | heldout
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CATALOGUE } from './scenario/catalogue';
import { resolveScenario, type ScenarioOverrides } from './scenario/resolve';
import type { Scenario } from './scenario/schema';
import { planScenario, renderScenarioVideo } from './render/video';
import { runBench } from './bench';
import { runExport } from './export/export';
import { heldoutScenarios } from './heldout';
import { VIOLATION_TYPES } from './world/violations';
import { readTruth } from './truth';

const USAGE = `usage: npm run sim -- <command> [options]
  list                         the scenario catalogue with scripted violation counts
  heldout                      the held-out evaluation set (sim/heldout.json) with violation counts
  render <scenario>            render to <out>/<name>.mp4 + .truth.json + .geometry.json
  serve <scenario>             render (cached) and play it as a live RTSP camera (loops)
  export                       training data for the detector, light classifier and plate reader (see sim/EXPORT.md)
  bench                        render speed at 1280x720 and 1920x1080
<scenario>: a catalogue name, random:<seed>, or a scenario .json file
options: --out DIR (default sim/out)  --width N --height N --fps N --duration S --seed N  --port N (serve)`;

function overrides(v: Record<string, string | boolean | undefined>): ScenarioOverrides {
  const num = (k: string) => (typeof v[k] === 'string' ? Number(v[k]) : undefined);
  const o: ScenarioOverrides = {};
  if (num('width')) o.width = num('width')!;
  if (num('height')) o.height = num('height')!;
  if (num('fps')) o.fps = num('fps')!;
  if (num('duration')) o.durationS = num('duration')!;
  if (num('seed') !== undefined) o.seed = num('seed')!;
  return o;
}

function counts(s: Scenario): Record<string, number> {
  const { violations } = planScenario(s);
  return Object.fromEntries(VIOLATION_TYPES.map((t) => [t, violations.filter((v) => v.type === t).length]));
}

function table(rows: Scenario[]): void {
  const total: Record<string, number> = Object.fromEntries(VIOLATION_TYPES.map((t) => [t, 0]));
  console.log(`${'scenario'.padEnd(26)} ${'layout'.padEnd(24)} ${'time'.padEnd(5)} ${VIOLATION_TYPES.map((t) => t.padStart(10)).join(' ')}  description`);
  for (const s of rows) {
    const c = counts(s);
    for (const t of VIOLATION_TYPES) total[t]! += c[t]!;
    console.log(
      `${s.name.padEnd(26)} ${s.layout.kind.padEnd(24)} ${s.conditions.time.padEnd(5)} ${VIOLATION_TYPES.map((t) => String(c[t]).padStart(10)).join(' ')}  ${s.description}`,
    );
  }
  console.log(`${'total'.padEnd(57)} ${VIOLATION_TYPES.map((t) => String(total[t]).padStart(10)).join(' ')}`);
}

async function render(ref: string, out: string, o: ScenarioOverrides) {
  const s = await resolveScenario(ref, o);
  const videoPath = join(out, `${s.name}.mp4`);
  const truthPath = join(out, `${s.name}.truth.json`);
  let last = 0;
  const tty = process.stderr.isTTY;
  const r = await renderScenarioVideo(s, {
    videoPath,
    truthPath,
    // A line every 5 s when the output is not a terminal (e.g. `npm run demo` prefixing each line of the render).
    onProgress: (done, total) => {
      const now = Date.now();
      if (now - last > (tty ? 1000 : 5000) || done === total) {
        last = now;
        process.stderr.write(`${tty ? '\r' : ''}[render] ${s.name} frame ${done}/${total}${tty ? '' : '\n'}`);
      }
    },
  });
  if (tty) process.stderr.write('\n');
  const geometryPath = join(out, `${s.name}.geometry.json`);
  await writeFile(geometryPath, JSON.stringify(r.truth.geometry, null, 2));
  console.log(`video     ${r.videoPath}\ntruth     ${r.truthPath}\ngeometry  ${geometryPath}`);
  console.log(
    `${r.frames} frames ${s.width}x${s.height} in ${r.seconds.toFixed(1)} s (${(r.frames / r.seconds).toFixed(1)} fps); violations: ${r.truth.violations.map((v) => `${v.type}@${v.timeS}s(${v.trackId})`).join(', ') || 'none'}`,
  );
  return { ...r, geometryPath, scenario: s };
}

async function serve(ref: string, out: string, o: ScenarioOverrides, port: number) {
  const s = await resolveScenario(ref, o);
  const videoPath = join(out, `${s.name}.mp4`);
  const truthPath = join(out, `${s.name}.truth.json`);
  // Re-render unless the cached video was made from exactly this scenario (overrides included).
  const cached = existsSync(videoPath) && existsSync(truthPath) && JSON.stringify((await readTruth(truthPath)).scenario) === JSON.stringify(s);
  if (!cached) await render(ref, out, o);
  let mod: typeof import('@phatnguoi/ingest/test-camera');
  try {
    mod = await import('@phatnguoi/ingest/test-camera');
  } catch (e) {
    throw new Error(`the RTSP test camera (ingest/src/test-camera) is not available: ${(e as Error).message}`);
  }
  const cam = await mod.startTestCamera({ file: resolve(videoPath), port });
  console.log(`serving ${s.name} at ${cam.url} (loops every ${s.durationS} s; truth ${truthPath}); Ctrl-C to stop`);
  await new Promise<void>((done) => {
    const stop = () => void cam.stop().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      fps: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      frames: { type: 'string' },
      scenarios: { type: 'string' },
      'seed-base': { type: 'string' },
      every: { type: 'string' },
      'det-size': { type: 'string' },
      'det-quality': { type: 'string' },
      what: { type: 'string' },
      'plate-min-char': { type: 'string' },
      catalogue: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, arg] = positionals;
  const out = values.out ?? 'sim/out';
  const o = overrides(values);
  switch (cmd) {
    case 'list':
      table(CATALOGUE);
      break;
    case 'heldout':
      table(await heldoutScenarios());
      break;
    case 'render':
      if (!arg) throw new Error('render needs a scenario');
      await render(arg, out, o);
      break;
    case 'serve':
      if (!arg) throw new Error('serve needs a scenario');
      await serve(arg, out, o, Number(values.port ?? 0));
      break;
    case 'bench':
      await runBench({ frames: Number(values.frames ?? 60) });
      break;
    case 'export': {
      const detQuality = values['det-quality'] === undefined ? undefined : Number(values['det-quality']);
      if (detQuality !== undefined && !(Number.isInteger(detQuality) && detQuality >= 1 && detQuality <= 100)) {
        throw new Error(`--det-quality must be a JPEG quality from 1 to 100, got ${values['det-quality']}`);
      }
      await mkdir(out, { recursive: true });
      await runExport({
        out: values.out ?? 'sim/out/export',
        scenarios: Number(values.scenarios ?? 20),
        seedBase: Number(values['seed-base'] ?? 1000),
        every: Number(values.every ?? 5),
        detSize: (values['det-size'] ?? '640x360').split('x').map(Number) as [number, number],
        ...(detQuality !== undefined ? { detQuality } : {}),
        what: new Set((values.what ?? 'detector,lights,plates').split(',')),
        catalogue: values.catalogue ?? false,
        plateMinCharPx: Number(values['plate-min-char'] ?? 5),
        overrides: o,
      });
      break;
    }
    default:
      console.log(USAGE);
      if (cmd && !values.help) process.exitCode = 2;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
