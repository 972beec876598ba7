// Render a scenario to an H.264 mp4 plus its truth file.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createH264Encoder } from '@phatnguoi/core/ffmpeg/encode';
import { cameraGeometry } from '../geometry';
import { parseScenario, type Scenario } from '../scenario/schema';
import { TRUTH_VERSION, tracksOf, type TruthFile } from '../truth';
import { simulate } from '../world/simulate';
import { deriveViolations, MERGE_GAP_S, RED_GRACE_S, speedPassages, SUSTAIN_S } from '../world/violations';
import { SceneRenderer, type TruthFrame } from './compose';
import { acrossDiscontinuities, sourceDurationS, sourceFrame, truthDiscontinuities, videoSegments } from '../world/discontinuities';

export interface RenderResult {
  videoPath: string;
  truthPath: string;
  truth: TruthFile;
  frames: number;
  seconds: number;
}

export interface RenderVideoOptions {
  videoPath: string;
  truthPath: string;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Everything known about a scenario without rendering pixels: simulation, violations, geometry. With cuts or loops
 * the simulation covers the source time the video's segments show, and the truth is stated in video time.
 */
export function planScenario(scenario: Scenario) {
  const s = parseScenario(scenario);
  const segments = videoSegments(s);
  const sim = simulate(segments.length > 1 ? { ...s, durationS: sourceDurationS(segments) } : s);
  const source = deriveViolations(sim);
  const behaviourOf = (id: string) => sim.actors.get(id)?.behaviour ?? 'obey';
  const { violations, nearMisses } = acrossDiscontinuities(segments, source.violations, source.nearMisses, s.fps, behaviourOf);
  return { scenario: s, sim, segments, violations, nearMisses, speeds: speedPassages(sim), geometry: cameraGeometry(sim) };
}

export async function renderScenarioVideo(scenario: Scenario, o: RenderVideoOptions): Promise<RenderResult> {
  const started = process.hrtime.bigint();
  const plan = planScenario(scenario);
  const s = plan.scenario;
  const renderer = await SceneRenderer.create(plan.sim);
  const frameCount = plan.segments.length > 1 ? Math.max(1, Math.round(s.durationS * s.fps)) : renderer.frameCount;
  await mkdir(dirname(o.videoPath), { recursive: true });
  await mkdir(dirname(o.truthPath), { recursive: true });
  const enc = createH264Encoder({ output: o.videoPath, width: s.width, height: s.height, fps: s.fps });
  const frames: TruthFrame[] = [];
  const seen = new Set<string>();
  try {
    for (let k = 0; k < frameCount; k++) {
      // Frame k of the video shows source frame sourceFrame(k) (itself, without cuts or loops).
      const { rgb, truth } = await renderer.render(Math.min(renderer.frameCount - 1, sourceFrame(plan.segments, k, s.fps)));
      await enc.write(rgb);
      frames.push(plan.segments.length > 1 ? { ...truth, index: k, t: Math.round((k / s.fps) * 1000) / 1000 } : truth);
      for (const obj of truth.objects) seen.add(obj.trackId);
      o.onProgress?.(k + 1, frameCount);
    }
    await enc.end();
  } catch (e) {
    enc.abort();
    throw e;
  }
  for (const v of plan.violations) seen.add(v.trackId);
  const truth: TruthFile = {
    version: TRUTH_VERSION,
    scenario: s,
    video: { width: s.width, height: s.height, fps: s.fps, frames: frames.length, durationS: frames.length / s.fps },
    geometry: plan.geometry,
    rules: {
      redGraceS: RED_GRACE_S,
      sustainS: SUSTAIN_S,
      mergeGapS: MERGE_GAP_S,
      crossing: 'a vehicle crosses a line when its ground point nearest the camera (the bottom-centre of its box; the rear for traffic driving away) passes it',
    },
    tracks: tracksOf(plan.sim, seen),
    violations: plan.violations,
    nearMisses: plan.nearMisses,
    ...(plan.speeds.length ? { speeds: plan.speeds } : {}),
    ...(plan.segments.length > 1 ? { discontinuities: truthDiscontinuities(plan.segments) } : {}),
    frames,
  };
  await writeFile(o.truthPath, JSON.stringify(truth));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { videoPath: o.videoPath, truthPath: o.truthPath, truth, frames: frames.length, seconds };
}
