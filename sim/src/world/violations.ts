// Ground-truth violations, derived by rule from the simulated trajectories (never copied from the script):
// a scripted violation that did not actually happen on screen is not listed, and a background vehicle
// that broke a rule would be. The rules follow the design brief, measured at the vehicle's ground point
// nearest the camera (the bottom edge of its box: the rear for traffic driving away).
import type { Box } from '@phatnguoi/core/contracts/detection';
import { laneAt } from './layout';
import { clipBox, footprintRef, projectVehicle } from './project';
import { signalAt } from './signal';
import type { ActorState, SimActor, SimResult } from './simulate';

export const VIOLATION_TYPES = ['red_light', 'wrong_lane', 'wrong_way', 'speeding'] as const;
export type ViolationType = (typeof VIOLATION_TYPES)[number];

/** Seconds after red onset during which a crossing is not counted (design brief: configurable, e.g. 0.3 s). */
export const RED_GRACE_S = 0.3;
/** A lane or direction condition must hold this long to count (filters jitter). */
export const SUSTAIN_S = 0.5;
/** Same type on the same vehicle closer than this counts once. */
export const MERGE_GAP_S = 2;

export interface TruthViolation {
  id: string;
  type: ViolationType;
  trackId: string;
  /** When it happened: the crossing instant (red light, solid line) or the start of the offending interval. */
  timeS: number;
  startS: number;
  endS: number;
  frame: number;
  box: Box | null;
  plateText: string;
  rule: string;
  /** Speeding: the true average speed over the zone, km/h. */
  speedKmh?: number;
}

/** A vehicle's true passage through the speed zone (every one, fined or not): what a speed measurement is scored on. */
export interface SpeedPassage {
  trackId: string;
  cls: string;
  /** True average speed between entering and leaving the zone, km/h. */
  speedKmh: number;
  enterS: number;
  exitS: number;
  /** Speed over the limit after the measurement tolerance, km/h (fined from 5 km/h). */
  excessKmh: number;
  /**
   * Where the vehicle was along the road at each frame from 1 s before it entered the zone to 1 s after it left:
   * [seconds, metres]. A measurement that covers only part of the zone (the vehicle lost before it left) is scored
   * against the true average speed over the stretch of time it covered (`trueSpeedBetween`).
   */
  path?: [number, number][];
}

/** True average speed (km/h) over [t0, t1] from a passage's path; null outside the path or without one. */
export function trueSpeedBetween(p: Pick<SpeedPassage, 'path'>, t0: number, t1: number): number | null {
  const path = p.path;
  if (!path || path.length < 2 || !(t1 > t0) || t0 < path[0]![0] - 1e-6 || t1 > path[path.length - 1]![0] + 1e-6) return null;
  const at = (t: number) => {
    let i = 1;
    while (i < path.length - 1 && path[i]![0] < t) i++;
    const [ta, za] = path[i - 1]!;
    const [tb, zb] = path[i]!;
    return tb === ta ? za : za + ((zb - za) * (t - ta)) / (tb - ta);
  };
  return (Math.abs(at(t1) - at(t0)) / (t1 - t0)) * 3.6;
}

/** Enforcement practice the truth is judged by (as the detector's defaults): 3 km/h tolerance below 100 km/h, 3 % above; fines from 5 km/h over. */
export const SPEED_TOLERANCE = { kmh: 3, percent: 3, percentAboveKmh: 100 };
export const SPEED_FIRST_BAND_KMH = 5;

export function speedExcessKmh(speedKmh: number, limitKmh: number): number {
  const tolerance = speedKmh >= SPEED_TOLERANCE.percentAboveKmh ? (speedKmh * SPEED_TOLERANCE.percent) / 100 : SPEED_TOLERANCE.kmh;
  return speedKmh - tolerance - limitKmh;
}

export interface NearMiss {
  trackId: string;
  behaviour: string;
  timeS: number | null;
  note: string;
}

interface Sample {
  t: number;
  st: ActorState;
}

function samplesByActor(sim: SimResult): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const f of sim.frames) {
    for (const st of f.actors) {
      let list = out.get(st.id);
      if (!list) out.set(st.id, (list = []));
      list.push({ t: f.t, st });
    }
  }
  return out;
}

function inView(sim: SimResult, a: SimActor, st: ActorState): boolean {
  const ref = footprintRef(st.x, st.z, st.heading, a.dims);
  const p = sim.camera.project(ref.x, 0, ref.z);
  return p.depth > 0.5 && p.u >= 0 && p.u < sim.scenario.width && p.v >= 0 && p.v < sim.scenario.height;
}

function boxAt(sim: SimResult, a: SimActor, samples: Sample[], t: number): { box: Box | null; frame: number } {
  let best = samples[0]!;
  for (const s of samples) if (Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  const pv = projectVehicle(sim.camera, best.st.x, best.st.z, best.st.heading, a.dims);
  return { box: clipBox(pv.box, sim.scenario.width, sim.scenario.height), frame: Math.round(best.t * sim.scenario.fps) };
}

/** Maximal runs of consecutive samples satisfying `pred`, at least SUSTAIN_S long. */
function sustained(samples: Sample[], dt: number, pred: (s: Sample) => boolean): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let start: number | null = null;
  let prevT = -Infinity;
  for (const s of samples) {
    const ok = pred(s);
    if (ok && start !== null && s.t - prevT > dt * 1.5) {
      runs.push({ start, end: prevT });
      start = s.t;
    } else if (ok && start === null) start = s.t;
    else if (!ok && start !== null) {
      runs.push({ start, end: prevT });
      start = null;
    }
    prevT = s.t;
  }
  if (start !== null) runs.push({ start, end: prevT });
  return runs.filter((r) => r.end - r.start + dt >= SUSTAIN_S);
}

/** When the vehicle's ground reference point crossed distance z from the camera on screen (linear between samples). */
function crossingTime(sim: SimResult, a: SimActor, samples: Sample[], z: number): number | null {
  for (let i = 1; i < samples.length; i++) {
    const p = footprintRef(samples[i - 1]!.st.x, samples[i - 1]!.st.z, samples[i - 1]!.st.heading, a.dims);
    const q = footprintRef(samples[i]!.st.x, samples[i]!.st.z, samples[i]!.st.heading, a.dims);
    if ((p.z - z) * (q.z - z) > 0 || p.z === q.z) continue;
    const f = (z - p.z) / (q.z - p.z);
    // The crossing itself must be on screen (the camera can only time what it sees).
    const at = sim.camera.project(p.x + (q.x - p.x) * f, 0, z);
    if (at.depth > 0.5 && at.u >= 0 && at.u < sim.scenario.width && at.v >= 0 && at.v < sim.scenario.height) {
      return samples[i - 1]!.t + f * (samples[i]!.t - samples[i - 1]!.t);
    }
  }
  return null;
}

/** Every complete passage through the scenario's speed zone, with its true average speed. */
export function speedPassages(sim: SimResult): SpeedPassage[] {
  const zone = sim.scenario.speedZone;
  if (!zone) return [];
  const out: SpeedPassage[] = [];
  for (const [id, samples] of samplesByActor(sim)) {
    const a = sim.actors.get(id)!;
    const t1 = crossingTime(sim, a, samples, zone.fromM);
    const t2 = crossingTime(sim, a, samples, zone.toM);
    if (t1 === null || t2 === null || t1 === t2) continue;
    const speedKmh = ((zone.toM - zone.fromM) / Math.abs(t2 - t1)) * 3.6;
    out.push({
      trackId: id,
      cls: a.cls,
      speedKmh: round3(speedKmh),
      enterS: round3(Math.min(t1, t2)),
      exitS: round3(Math.max(t1, t2)),
      excessKmh: round3(speedExcessKmh(speedKmh, zone.limitKmh)),
      path: samples
        .filter((x) => x.t >= Math.min(t1, t2) - 1 && x.t <= Math.max(t1, t2) + 1)
        .map((x) => [round3(x.t), round3(footprintRef(x.st.x, x.st.z, x.st.heading, a.dims).z)] as [number, number]),
    });
  }
  return out.sort((x, y) => x.exitS - y.exitS || (x.trackId < y.trackId ? -1 : 1));
}

export function deriveViolations(sim: SimResult): { violations: TruthViolation[]; nearMisses: NearMiss[] } {
  const { layout, scenario } = sim;
  const dt = 1 / scenario.fps;
  const violations: TruthViolation[] = [];
  const nearMisses: NearMiss[] = [];
  const byActor = samplesByActor(sim);
  const push = (a: SimActor, samples: Sample[], type: TruthViolation['type'], t: number, start: number, end: number, rule: string) => {
    const { box, frame } = boxAt(sim, a, samples, t);
    const n = violations.filter((v) => v.trackId === a.id && v.type === type).length;
    violations.push({
      id: `${type}:${a.id}:${n}`,
      type,
      trackId: a.id,
      timeS: round3(t),
      startS: round3(start),
      endS: round3(end),
      frame,
      box,
      plateText: a.plate.text,
      rule,
    });
  };

  for (const [id, samples] of byActor) {
    const a = sim.actors.get(id)!;
    // Red light: the vehicle's rear crosses the stop line while its round light is red (after the grace),
    // unless a green arrow permits its movement.
    if (a.sFrontAtLine !== null && a.headId !== null) {
      const sRear = a.sFrontAtLine + a.dims.l;
      const head = scenario.signals.find((h) => h.id === a.headId)!;
      for (let i = 1; i < samples.length; i++) {
        const p = samples[i - 1]!;
        const q = samples[i]!;
        if (p.st.s < sRear && q.st.s >= sRear) {
          const t = p.t + ((sRear - p.st.s) / Math.max(1e-9, q.st.s - p.st.s)) * (q.t - p.t);
          const sig = signalAt(head, t);
          const permitted = sig.round === 'red' && sig.arrow === 'green' && a.turn === 'right';
          if (sig.round === 'red' && sig.sincePhase >= RED_GRACE_S && !permitted) {
            push(
              a,
              samples,
              'red_light',
              t,
              t,
              t,
              `rear crossed stop line of head ${head.id} ${sig.sincePhase.toFixed(2)} s after red onset (grace ${RED_GRACE_S} s), movement ${a.turn}, no permitting arrow`,
            );
          } else if (a.scripted) {
            nearMisses.push({
              trackId: a.id,
              behaviour: a.behaviour,
              timeS: round3(t),
              note: permitted
                ? `crossed on red under green right arrow (legal)`
                : `crossed stop line on ${sig.round} (${sig.sincePhase.toFixed(2)} s into phase): legal`,
            });
          }
        }
      }
      if (a.scripted && !samples.some((s) => s.st.s >= sRear)) {
        const last = samples[samples.length - 1]!;
        const overLine = last.st.s + a.dims.l / 2 - (a.sFrontAtLine + a.dims.l / 2);
        nearMisses.push({
          trackId: a.id,
          behaviour: a.behaviour,
          timeS: null,
          note: `never crossed the stop line (front ${overLine >= 0 ? `${overLine.toFixed(1)} m past` : `${(-overLine).toFixed(1)} m before`} it at the end of the video)`,
        });
      }
    }
    // Lane and direction rules apply where lanes are marked: the approach up to the stop line (the whole
    // visible road section on a plain road), as in the camera geometry's lane polygons.
    const approach = (s: Sample) => {
      const ref = footprintRef(s.st.x, s.st.z, s.st.heading, a.dims);
      return ref.z < layout.markedToZ && inView(sim, a, s.st) ? ref : null;
    };
    for (const r of sustained(samples, dt, (s) => {
      const ref = approach(s);
      const lane = ref && laneAt(layout, ref.x);
      return !!lane && !lane.spec.allowed.includes(a.kind);
    })) {
      const lane = laneAt(layout, approach(samples.find((s) => s.t === r.start)!)!.x)!;
      push(a, samples, 'wrong_lane', r.start, r.start, r.end, `${a.kind} in lane ${lane.spec.id} which allows only ${lane.spec.allowed.join(', ')}`);
    }
    for (const r of sustained(samples, dt, (s) => {
      const ref = approach(s);
      const lane = ref && laneAt(layout, ref.x);
      if (!lane || s.st.v < 0.5) return false;
      const along = Math.cos(s.st.heading);
      return lane.forward ? along < -0.5 : along > 0.5;
    })) {
      const lane = laneAt(layout, approach(samples.find((s) => s.t === r.start)!)!.x)!;
      push(
        a,
        samples,
        'wrong_way',
        r.start,
        r.start,
        r.end,
        `moving against the direction of lane ${lane.spec.id} (${lane.forward ? 'away from' : 'towards'} the camera)`,
      );
    }
    // Solid line: the reference point crosses a solid or double separator on the approach.
    layout.lanes.slice(0, -1).forEach((lane, i) => {
      const kind = scenario.layout.separators[i];
      if (kind !== 'solid' && kind !== 'double') return;
      const sepX = lane.x1;
      for (let j = 1; j < samples.length; j++) {
        const p = approach(samples[j - 1]!);
        const q = approach(samples[j]!);
        if (!p || !q) continue;
        if ((p.x - sepX) * (q.x - sepX) < 0) {
          const t0 = samples[j - 1]!.t;
          const t = t0 + (Math.abs(p.x - sepX) / Math.abs(q.x - p.x)) * dt;
          push(a, samples, 'wrong_lane', t, t, t, `crossed the ${kind} line between lanes ${lane.spec.id} and ${layout.lanes[i + 1]!.spec.id}`);
        }
      }
    });
    if (a.scripted && a.behaviour === 'stalled') {
      const stopped = samples.find((s) => s.st.v === 0);
      nearMisses.push({ trackId: a.id, behaviour: a.behaviour, timeS: stopped ? round3(stopped.t) : null, note: 'stalled in its lane: not a violation' });
    }
  }
  // Speeding: the true average speed over the zone, less the tolerance, at least the first band over the limit.
  const limit = scenario.speedZone?.limitKmh;
  for (const p of speedPassages(sim)) {
    const a = sim.actors.get(p.trackId)!;
    if (!['motorbike', 'car', 'bus', 'truck'].includes(a.cls) || limit === undefined) continue;
    if (p.excessKmh >= SPEED_FIRST_BAND_KMH) {
      push(
        a,
        byActor.get(p.trackId)!,
        'speeding',
        p.exitS,
        p.enterS,
        p.exitS,
        `${p.speedKmh.toFixed(1)} km/h over the zone (limit ${limit}, ${p.excessKmh.toFixed(1)} km/h over after the tolerance)`,
      );
      violations[violations.length - 1]!.speedKmh = p.speedKmh;
    } else if (a.scripted && p.speedKmh > limit) {
      nearMisses.push({
        trackId: a.id,
        behaviour: a.behaviour,
        timeS: p.exitS,
        note: `${p.speedKmh.toFixed(1)} km/h in a ${limit} km/h zone: under the first band after the tolerance`,
      });
    }
  }
  violations.sort((x, y) => x.timeS - y.timeS || (x.id < y.id ? -1 : 1));
  // One offence per vehicle: the same type on the same track within MERGE_GAP_S is one violation
  // (e.g. crossing the solid line into the motorbike lane, then driving on in it).
  const merged: TruthViolation[] = [];
  for (const v of violations) {
    const prev = merged.find((m) => m.trackId === v.trackId && m.type === v.type && v.startS <= m.endS + MERGE_GAP_S);
    if (prev) {
      prev.endS = Math.max(prev.endS, v.endS);
      prev.rule = `${prev.rule}; then ${v.rule}`;
    } else merged.push({ ...v, id: `${v.type}:${v.trackId}:${merged.filter((m) => m.trackId === v.trackId && m.type === v.type).length}` });
  }
  violations.splice(0, violations.length, ...merged);
  nearMisses.sort((x, y) => (x.timeS ?? 1e9) - (y.timeS ?? 1e9) || (x.trackId < y.trackId ? -1 : 1));
  return { violations, nearMisses };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
