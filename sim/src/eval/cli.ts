// npm run eval -- --truth <file.truth.json> (--pred <file.json> | --db <url> --camera <id> --start <iso>) [--out report.json]
// npm run eval -- --heldout [--fps 5] [--out report.json]
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { heldoutScenarios, speedHeldoutScenarios } from '../heldout';
import { resolveScenario, type ScenarioOverrides } from '../scenario/resolve';
import { planScenario, renderScenarioVideo } from '../render/video';
import type { Scenario } from '../scenario/schema';
import { readTruth, type TruthFile } from '../truth';
import { combine, DEFAULT_MATCH, evaluate, formatReport, type EvalReport, type MatchOptions, type PredictedLight, type PredictedViolation } from './match';
import { predictionsFromJson } from './predictions';
import { casesFromDatabase } from './from-db';
import { errorStats, scoreSpeeds, SPEED_BANDS, type SpeedReport } from './speed';
import { CachingDetector, modelFingerprint } from './detection-cache';
import { loadRealLabels, parseLightStates, perturbLamps, realTruth, scoreArrows } from './real';

const USAGE = `usage:
  npm run eval -- --truth T.truth.json --pred P.json [--start ISO] [--out report.json]
  npm run eval -- --truth T.truth.json --db postgres://... --camera CAM --start ISO [--end ISO] [--out report.json]
  npm run eval -- --heldout [--fps 5] [--limit N] [--from K] [--detector truth-replay] [--out report.json]   (renders sim/heldout.json into sim/out/heldout/, runs detector/src/offline.ts; --from: start at the K-th scene)
  npm run eval -- --speed [--limit N] [--from K] [--detector truth-replay] [--reuse-detections] [--out report.json]   (speed scenes speed:910001.. at 5 and 25 fps: speed error and speeding P/R per band)
      --reuse-detections: keep the model's detections per frame next to each video and replay them on the next run with the same model files (compare tracking, rules and measurement changes on identical detections)
  npm run eval -- --scenarios red-light-runners,car-in-motorbike-lane [--width N --height N] [same options]   (the same on named scenarios, e.g. the demo's, rendered into sim/out/eval/)
  npm run eval -- --real sim/real-labels --media DIR --light-states DIR [--lamps-only] [--lamp-shift DX,DY] [--lamp-pad P] [--fps 5] [--out report.json]
      (real clips: lamp state on every frame against the light-state CSVs, violations judged by eye; media never in the repository)
  npm run eval -- --real-speed sim/real-labels/<clip>.speed.json --media DIR [--fps N]
      (a real clip's speed calibration drawn by eye: every vehicle's speed through the speed zone with its uncertainty)
options: --tolerance S (default ${DEFAULT_MATCH.toleranceS})  --iou X (default ${DEFAULT_MATCH.iouMin})
P.json: { "violations": [{ "type", "timeS" | "time" | "occurredAt", "trackId"?, "box"?, "plateText"? }], "lights"?: [{ "timeS", "headId", "round" }] } or a bare array of violations`;

async function isCurrent(truthPath: string, s: Scenario): Promise<boolean> {
  try {
    const cached = await readTruth(truthPath);
    return JSON.stringify(cached.scenario) === JSON.stringify(s) && JSON.stringify(cached.violations) === JSON.stringify(planScenario(s).violations);
  } catch {
    return false;
  }
}

function print(title: string, r: Pick<EvalReport, 'byType' | 'overall' | 'plates' | 'lights'>) {
  console.log(`\n== ${title}\n${formatReport(r)}`);
}

/** Which scenes an evaluation run renders and scores. */
type EvalSet = { kind: 'heldout' } | { kind: 'speed' } | { kind: 'named'; names: string[]; size: ScenarioOverrides };

async function heldout(
  o: MatchOptions,
  fps: number | undefined,
  out: string | undefined,
  limit: number | null,
  replay: boolean,
  set: EvalSet = { kind: 'heldout' },
  from = 1,
  reuseDetections = false,
) {
  let offline: { detectViolationsInVideo?: unknown };
  try {
    offline = (await import('@phatnguoi/detector/offline')) as typeof offline;
  } catch (e) {
    console.error(`the detector's offline runner (detector/src/offline.ts) could not be loaded: ${(e as Error).message}`);
    process.exitCode = 3;
    return;
  }
  if (typeof offline.detectViolationsInVideo !== 'function') {
    console.error('detector/src/offline.ts does not export detectViolationsInVideo(videoPath, geometry, opts) yet; nothing to evaluate');
    process.exitCode = 3;
    return;
  }
  // --detector truth-replay: the simulator's own boxes stand in for the model, which measures the
  // tracking + rules + plates upper bound of the pipeline.
  const replayMod = replay
    ? ((await import('@phatnguoi/detector/pipeline/truth-replay-detector')) as typeof import('@phatnguoi/detector/pipeline/truth-replay-detector'))
    : null;
  // Simulated scenes are judged with the model trained on them (DETECTOR_CONFIG names another); the shipped default
  // is made for real cameras (models/real-detector).
  const { loadDetector, SIM_DETECTOR_CONFIG } = await import('@phatnguoi/detector/models/load-detector');
  const detectorConfig = process.env.DETECTOR_CONFIG || SIM_DETECTOR_CONFIG;
  const simDetector = replayMod ? null : await loadDetector(detectorConfig);
  const model = reuseDetections && simDetector ? await modelFingerprint(detectorConfig) : null;
  const detect = offline.detectViolationsInVideo as (video: string, geometry: unknown, opts: Record<string, unknown>) => Promise<unknown>;
  // Plates are read as the detector process reads them: the project's trained reader, voted over each track.
  const { createPlateReader } = await import('@phatnguoi/detector/plates/index');
  const { platePortFrom } = await import('@phatnguoi/detector/pipeline/plate-port');
  const plates = platePortFrom(await createPlateReader());
  const dir =
    set.kind === 'speed'
      ? 'sim/out/speed-heldout'
      : set.kind === 'named'
        ? `sim/out/eval${set.size.width || set.size.height ? `-${set.size.width ?? ''}x${set.size.height ?? ''}` : ''}`
        : 'sim/out/heldout';
  await mkdir(dir, { recursive: true });
  const reports: { scenario: string; report: EvalReport; speed: SpeedReport | null }[] = [];
  const failed: string[] = [];
  const all =
    set.kind === 'speed'
      ? speedHeldoutScenarios()
      : set.kind === 'named'
        ? await Promise.all(set.names.map((n) => resolveScenario(n, set.size)))
        : await heldoutScenarios();
  const scenarios = all.slice(from - 1, limit ?? undefined);
  for (const [i, s] of scenarios.entries()) {
    const videoPath = join(dir, `${s.name}.mp4`);
    const truthPath = join(dir, `${s.name}.truth.json`);
    // Reuse a cached render only if it was made from this scenario under the current truth rules.
    const fresh = existsSync(videoPath) && existsSync(truthPath) && (await isCurrent(truthPath, s));
    if (!fresh) {
      await renderScenarioVideo(s, {
        videoPath,
        truthPath,
        onProgress: (d, t) => process.stderr.write(`\r[eval] ${i + 1}/${scenarios.length} render ${s.name} ${d}/${t}   `),
      });
    }
    const truth = await readTruth(truthPath);
    process.stderr.write(`\r[eval] ${i + 1}/${scenarios.length} detect ${s.name}...                 `);
    let result: unknown;
    const cached = model ? await CachingDetector.open(simDetector!, join(dir, `${s.name}.detections.json`), model) : null;
    const run = () =>
      detect(videoPath, truth.geometry, {
        // A speed scene is measured at the frame rate it was rendered at (its name says 5 or 25 fps); other scenes at
        // --fps, else the runner's default (5, the legal minimum for evidence).
        ...(fps ? { fps } : s.speedZone ? { fps: s.fps } : {}),
        cameraId: `sim-${s.name}`,
        // The speed set scores speeds, not plates: reading them on every frame at 25 fps would only cost time.
        ...(set.kind === 'speed' ? {} : { plates }),
        detector: replayMod ? new replayMod.TruthReplayDetector(replayMod.truthFramesFromSim(truth)) : (cached ?? simDetector!),
      });
    try {
      result = await run().catch(() => run()); // one retry: decoding can fail transiently under load
    } catch (e) {
      process.stderr.write('\n');
      console.error(`the detector failed on ${s.name} (${videoPath}): ${(e as Error).message}`);
      failed.push(s.name);
      // The model itself is missing or broken: no point going on.
      if (reports.length === 0 && failed.length >= 2) break;
      continue;
    }
    await cached?.save();
    const { violations, lights } = predictionsFromJson(result, null);
    const report = evaluate(truth, violations, lights, o);
    const speed = truth.speeds ? scoreSpeeds(truth, violations, report.matches) : null;
    reports.push({ scenario: s.name, report, speed });
    process.stderr.write('\n');
    const platesRead = report.matches.filter((m) => m.plateExact).length;
    console.log(
      `${s.name}: truth ${truth.violations.length}, predicted ${violations.length}, matched ${report.matches.length}, plates exact ${platesRead}/${report.matches.length}`,
    );
  }
  if (reports.length === 0) {
    console.error('no held-out scenario could be evaluated');
    process.exitCode = 3;
    return;
  }
  const total = combine(reports.map((r) => r.report));
  const title = set.kind === 'speed' ? 'speed held-out set' : set.kind === 'named' ? 'named scenarios' : 'held-out set';
  print(`${title} (${reports.length} of ${scenarios.length} scenarios${failed.length ? `; detector failed on ${failed.join(', ')}` : ''})`, total);
  if (reports.some((r) => r.speed)) printSpeeds(reports);
  if (failed.length) process.exitCode = 3;
  if (out) await writeFile(out, JSON.stringify({ match: o, detector: replay ? 'truth-replay' : 'default', total, failed, scenarios: reports }, null, 2));
}

/** Speed error per frame rate (scene names end in -<fps>fps-<limit>) and speeding precision/recall per band. */
function printSpeeds(reports: { scenario: string; speed: SpeedReport | null }[]) {
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  const byFps = new Map<string, SpeedReport['samples']>();
  for (const r of reports) {
    if (!r.speed) continue;
    const fps = /-(\d+)fps-/.exec(r.scenario)?.[1] ?? '?';
    byFps.set(fps, [...(byFps.get(fps) ?? []), ...r.speed.samples.filter((x) => x.trueKmh >= 20 && x.trueKmh <= 80)]);
  }
  for (const against of ['stretch', 'zone'] as const) {
    console.log(
      against === 'stretch'
        ? '\nspeed error, vehicles 20-80 km/h (measured − true average speed over the stretch the measurement covered):'
        : 'speed error, vehicles 20-80 km/h (measured − true average speed over the whole zone):',
    );
    for (const [fps, samples] of [...byFps].sort()) {
      const e = errorStats(samples, against);
      console.log(
        `  ${fps.padStart(2)} fps: n ${e.n}, median |err| ${f(e.medianAbsKmh)} km/h, p95 ${f(e.p95AbsKmh)}, worst ${f(e.worstKmh)}, bias ${f(e.biasKmh)}`,
      );
    }
  }
  console.log('speeding per band (excess after the tolerance): truth / predicted / correct band');
  for (const b of SPEED_BANDS) {
    const t = reports.reduce((n, r) => n + (r.speed?.bands[b].truth ?? 0), 0);
    const p = reports.reduce((n, r) => n + (r.speed?.bands[b].predicted ?? 0), 0);
    const c = reports.reduce((n, r) => n + (r.speed?.bands[b].correct ?? 0), 0);
    console.log(`  ${b.padEnd(6)} ${t} / ${p} / ${c}`);
  }
  console.log(`fined under the first band after the tolerance: ${reports.reduce((n, r) => n + (r.speed?.finedUnderThreshold ?? 0), 0)}`);
}

interface RealOptions {
  dir: string;
  media: string;
  lightStates: string;
  lampsOnly: boolean;
  shift: [number, number];
  pad: number;
  fps: number;
  out: string | undefined;
}

async function real(o: MatchOptions, r: RealOptions) {
  const offline = await import('@phatnguoi/detector/offline');
  const labels = await loadRealLabels(r.dir);
  const reports: { scenario: string; report: EvalReport; arrows: { judged: number; correct: number } | null }[] = [];
  const lampTotals = { judged: 0, correct: 0 };
  for (const [i, { name, label }] of labels.entries()) {
    const video = join(r.media, label.clip);
    if (!existsSync(video)) throw new Error(`${video}: clip not found (--media names the folder of the real clips)`);
    const rows = parseLightStates(await readFile(join(r.lightStates, label.lightStates), 'utf8'));
    const truth = realTruth(label, rows);
    const geometry = perturbLamps(label.geometry, r.shift[0], r.shift[1], r.pad);
    process.stderr.write(`[real] ${i + 1}/${labels.length} lamps ${name} (${rows.length} frames at ${label.fps} fps)\n`);
    const signals = await offline.readSignalsInVideo(video, geometry, { fps: label.fps });
    const lampReport = evaluate(
      { ...truth, violations: [] },
      [],
      signals.filter((s) => s.headId === label.headId),
      o,
    ).lights;
    const arrowLamp = label.geometry.signalHeads.find((h) => h.id === label.headId)?.lamps.find((l) => l.shape !== 'round');
    const arrows = arrowLamp
      ? scoreArrows(
          rows,
          signals.filter((s) => s.headId === label.headId),
          label.fps,
          arrowLamp.id,
        )
      : null;
    lampTotals.judged += lampReport.judged;
    lampTotals.correct += lampReport.correct;
    const pct = (c: number, n: number) => (n ? `${((100 * c) / n).toFixed(1)}%` : '-');
    console.log(
      `${name}: lamp state ${lampReport.correct}/${lampReport.judged} frames (${pct(lampReport.correct, lampReport.judged)})` +
        (arrows ? `; right arrow ${arrows.correct}/${arrows.judged} (${pct(arrows.correct, arrows.judged)})` : ''),
    );
    let report = evaluate(truth, [], [], o);
    if (!r.lampsOnly) {
      process.stderr.write(`[real] ${i + 1}/${labels.length} violations ${name} at ${r.fps} fps\n`);
      const result = await offline.detectViolationsInVideo(video, geometry, { fps: r.fps, cameraId: `real-${name}` });
      const { violations } = predictionsFromJson({ violations: result.violations.map((v) => ({ type: v.type, timeS: v.time, trackId: v.trackId })) }, null);
      report = evaluate(truth, violations, [], o);
      console.log(
        `  violations: truth ${truth.violations.length}, predicted ${violations.length}, matched ${report.matches.length}; suppressed as contradicted by their evidence: ${result.suppressed ?? 0}`,
      );
      for (const m of report.missed) console.log(`  missed      ${m.type} ${m.id} at ${m.timeS}s (${m.rule})`);
      for (const f of report.falseAlarms) console.log(`  false alarm ${f.type} at ${f.timeS.toFixed(2)}s (track ${f.trackId ?? '?'})`);
    }
    report.lights = lampReport;
    reports.push({ scenario: name, report, arrows });
  }
  const total = combine(reports.map((x) => x.report));
  const arrowTotal = reports.reduce((a, x) => ({ judged: a.judged + (x.arrows?.judged ?? 0), correct: a.correct + (x.arrows?.correct ?? 0) }), {
    judged: 0,
    correct: 0,
  });
  print(`real clips (${reports.length}; lamp regions moved ${r.shift.join(',')} px, grown ${r.pad} px${r.lampsOnly ? '; lamps only' : ''})`, total);
  console.log(`right arrow: ${arrowTotal.correct}/${arrowTotal.judged} frames`);
  if (r.out) await writeFile(r.out, JSON.stringify({ match: o, options: r, total, scenarios: reports }, null, 2));
}

/**
 * --real-speed FILE --media DIR: a real clip's speed calibration (drawn by eye, e.g. from lane markings) and the speed
 * of every vehicle through its speed zone, with each one's uncertainty. FILE: { clip, fps?, geometry } where the
 * geometry has `calibration` and `speedZones`. The clip runs through the shipped detector (or DETECTOR_CONFIG's).
 */
async function realSpeed(file: string, media: string, fpsOption: number | undefined) {
  const label = JSON.parse(await readFile(file, 'utf8')) as { clip: string; fps?: number; note?: string; geometry: unknown };
  const { parseGeometry } = await import('@phatnguoi/core/contracts/camera-geometry');
  const { calibrateGround } = await import('@phatnguoi/core/geometry/ground-calibration');
  const geometry = parseGeometry(label.geometry);
  if (!geometry.calibration || !geometry.speedZones?.length) throw new Error(`${file}: the geometry needs a calibration and a speed zone`);
  const cal = calibrateGround(geometry.calibration.points);
  const fps = fpsOption ?? label.fps ?? 10;
  console.log(
    `${label.clip}: calibration from ${geometry.calibration.points.length} road points, reprojection rms ${(cal.rmsErrorM * 100).toFixed(1)} cm (largest ${(cal.maxErrorM * 100).toFixed(1)} cm) over a ${cal.spanM.toFixed(1)} m span; ${fps} fps`,
  );
  if (label.note) console.log(`  ${label.note}`);
  const { loadDetector } = await import('@phatnguoi/detector/models/load-detector');
  const { trackSpeedsInVideo } = await import('@phatnguoi/detector/speed-report');
  const detector = await loadDetector(process.env.DETECTOR_CONFIG || undefined);
  try {
    const speeds = await trackSpeedsInVideo(join(media, label.clip), label.geometry, { detector, fps });
    console.log(`  ${speeds.length} vehicles measured in zone(s) ${geometry.speedZones.map((z) => z.id).join(', ')}:`);
    for (const s of speeds)
      console.log(
        `  ${s.trackId.padEnd(8)} ${s.cls.padEnd(9)} ${s.fromS.toFixed(2).padStart(6)}-${s.toS.toFixed(2).padEnd(6)} s  ${s.distanceM.toFixed(1).padStart(5)} m  ${s.kmh.toFixed(1).padStart(5)} ± ${s.sigmaKmh.toFixed(1)} km/h  (${s.points} positions)`,
      );
  } finally {
    detector.dispose();
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      truth: { type: 'string' },
      pred: { type: 'string' },
      db: { type: 'string' },
      camera: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string' },
      tolerance: { type: 'string' },
      iou: { type: 'string' },
      heldout: { type: 'boolean' },
      speed: { type: 'boolean' },
      scenarios: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      fps: { type: 'string' },
      limit: { type: 'string' },
      from: { type: 'string' },
      detector: { type: 'string' },
      real: { type: 'string' },
      media: { type: 'string' },
      'light-states': { type: 'string' },
      'lamps-only': { type: 'boolean' },
      'lamp-shift': { type: 'string' },
      'lamp-pad': { type: 'string' },
      'reuse-detections': { type: 'boolean' },
      'real-speed': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const o: MatchOptions = { toleranceS: Number(values.tolerance ?? DEFAULT_MATCH.toleranceS), iouMin: Number(values.iou ?? DEFAULT_MATCH.iouMin) };
  if (values.help) return console.log(USAGE);
  if (values['real-speed']) {
    if (!values.media) throw new Error('--real-speed needs --media (folder of the clips)');
    return realSpeed(values['real-speed'], values.media, values.fps ? Number(values.fps) : undefined);
  }
  if (values.real) {
    if (!values.media || !values['light-states'])
      throw new Error('--real needs --media (folder of the clips) and --light-states (folder of the light-state CSVs)');
    const shift = (values['lamp-shift'] ?? '0,0').split(',').map(Number);
    if (shift.length !== 2 || shift.some((x) => !Number.isFinite(x))) throw new Error(`--lamp-shift: expected DX,DY, got ${values['lamp-shift']}`);
    const pad = Number(values['lamp-pad'] ?? 0);
    if (!Number.isFinite(pad)) throw new Error(`--lamp-pad: not a number: ${values['lamp-pad']}`);
    return real(o, {
      dir: values.real,
      media: values.media,
      lightStates: values['light-states'],
      lampsOnly: values['lamps-only'] ?? false,
      shift: shift as [number, number],
      pad,
      fps: Number(values.fps ?? 5),
      out: values.out,
    });
  }
  const limit = values.limit ? Number(values.limit) : null;
  const replay = values.detector === 'truth-replay';
  const reuse = values['reuse-detections'] ?? false;
  if (values.speed) return heldout(o, undefined, values.out, limit, replay, { kind: 'speed' }, values.from ? Number(values.from) : 1, reuse);
  const named = values.scenarios
    ? values.scenarios
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : null;
  if (named) {
    const size = { ...(values.width ? { width: Number(values.width) } : {}), ...(values.height ? { height: Number(values.height) } : {}) };
    return heldout(o, values.fps ? Number(values.fps) : undefined, values.out, limit, replay, { kind: 'named', names: named, size }, 1, reuse);
  }
  const from = values.from ? Number(values.from) : 1;
  if (!Number.isInteger(from) || from < 1) {
    console.error(`--from must be a scene number from 1 (got ${values.from})`);
    process.exitCode = 2;
    return;
  }
  if (values.heldout) return heldout(o, values.fps ? Number(values.fps) : undefined, values.out, limit, replay, { kind: 'heldout' }, from);
  if (!values.truth || (!values.pred && !values.db)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const truth: TruthFile = await readTruth(values.truth);
  const start = values.start ? new Date(values.start) : null;
  if (start && Number.isNaN(start.getTime())) throw new Error(`--start: not a date: ${values.start}`);
  let violations: PredictedViolation[];
  let lights: PredictedLight[] = [];
  if (values.db) {
    if (!values.camera || !start) throw new Error('--db needs --camera and --start (the wall-clock time of video second 0)');
    const end = values.end ? new Date(values.end) : new Date(start.getTime() + truth.video.durationS * 1000 + 60_000);
    violations = await casesFromDatabase({ url: values.db, cameraId: values.camera, start, end });
  } else {
    ({ violations, lights } = predictionsFromJson(JSON.parse(await readFile(values.pred!, 'utf8')), start));
  }
  const report = evaluate(truth, violations, lights, o);
  print(`${truth.scenario.name}: ${violations.length} predicted, ${truth.violations.length} true violations`, report);
  for (const m of report.missed) console.log(`  missed      ${m.type} ${m.trackId} at ${m.timeS}s (${m.rule})`);
  for (const f of report.falseAlarms) console.log(`  false alarm ${f.type} at ${f.timeS}s${f.likelyTruth ? ` (is ${f.likelyTruth})` : ''}`);
  for (const m of report.matches.filter((x) => !x.plateExact))
    console.log(`  plate       ${m.truthId}: read ${m.platePred ?? '(none)'}, truth ${m.plateTruth}`);
  if (values.out) {
    await writeFile(values.out, JSON.stringify({ scenario: truth.scenario.name, match: o, report }, null, 2));
    console.log(`report → ${values.out}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
