// Traffic simulation: turns a scenario into per-frame vehicle states. Kinematic, car-following (IDM),
// signal-aware; scripted actors bend the rules the way their behaviour says. Pure and deterministic.
import { generatePlate } from '@phatnguoi/core/plates/generate';
import type { PlateColour, PlateLayout, VehicleClass } from '@phatnguoi/core/contracts/detection';
import type { ActorSpec, Behaviour, Scenario, SimVehicleKind } from '../scenario/schema';
import { nextArrival, pickOne, subRng, uniform, type Rng } from '../random';
import { Camera } from './camera';
import { buildLayout, type WorldLane, type WorldLayout } from './layout';
import { Path, PathBuilder } from './path';
import { phaseStart, signalAt, type SignalState } from './signal';
import { BODY_COLOURS, CLASS_OF, DIMS, SPEED_KMH, type VehicleDims } from './vehicles';

export type Turn = 'straight' | 'left' | 'right';

export interface SimPlate {
  text: string;
  layout: PlateLayout;
  colour: PlateColour;
}

export interface SimActor {
  id: string;
  kind: SimVehicleKind;
  cls: VehicleClass;
  dims: VehicleDims;
  behaviour: Behaviour;
  scripted: boolean;
  laneId: string;
  turn: Turn;
  path: Path;
  /** Arc length of the vehicle centre when its front reaches the stop line (null: never governed). */
  sFrontAtLine: number | null;
  headId: string | null;
  v0: number;
  amax: number;
  spawnT: number;
  plate: SimPlate;
  bodyColour: string;
  /** Moving towards the camera (front face visible). */
  towardsCamera: boolean;
  /** Arc length (centre) where a stalled vehicle stops for good. */
  stallAt: number | null;
  /** Scripted constant acceleration (m/s²) instead of free driving; null: car-following. */
  accel: number | null;
}

export interface ActorState {
  id: string;
  s: number;
  v: number;
  x: number;
  z: number;
  heading: number;
}

export interface SimFrame {
  index: number;
  t: number;
  actors: ActorState[];
  signals: Map<string, SignalState>;
}

export interface SimResult {
  scenario: Scenario;
  layout: WorldLayout;
  camera: Camera;
  actors: Map<string, SimActor>;
  frames: SimFrame[];
}

const CREEP_M = 1.2;
const STOP_MARGIN_M = 0.4;
const COMFORT_DECEL = 3.5;
const MAX_DECEL = 9;
/** A scripted braking vehicle slows to this and no further, m/s (5 km/h). */
const MIN_SCRIPTED_SPEED = 5 / 3.6;

export function cameraFor(s: Scenario): Camera {
  return new Camera({ width: s.width, height: s.height, ...s.camera });
}

interface Ctx {
  s: Scenario;
  layout: WorldLayout;
  nearZ: number;
}

function routeFor(ctx: Ctx, lane: WorldLane, x: number, dims: VehicleDims, turn: Turn, behaviour: Behaviour, target?: WorldLane): Path {
  const { layout } = ctx;
  const far = layout.farZ;
  if (!lane.forward || behaviour === 'wrong_way') {
    // Towards the camera, from far away to behind it.
    const z0 = Math.min(far, (layout.cross?.z1 ?? layout.stopZ) + 45);
    return new PathBuilder(x, z0, Math.PI).straight(z0 + dims.l + 8).build();
  }
  const z0 = ctx.nearZ - dims.l / 2 - 1.5;
  const b = new PathBuilder(x, z0, 0);
  if (behaviour === 'solid_line_cross' && target) {
    const start = Math.max(ctx.nearZ + 1.5, layout.stopZ - 15);
    const len = Math.max(4, Math.min(7, layout.stopZ - 2 - start));
    b.straight(start - z0).shift(target.centre - x, len);
    return b.straight(far - start - len).build();
  }
  const cross = layout.cross;
  if (cross && turn === 'right' && cross.right) {
    const zTurn = cross.z0 + 0.3;
    const r = Math.max(2.5, (cross.z1 - cross.z0) * 0.25 - 0.3);
    return b
      .straight(zTurn - z0)
      .arc(Math.PI / 2, r)
      .straight(70)
      .build();
  }
  if (cross && turn === 'left' && cross.left) {
    const zTurn = cross.z0 + 0.3;
    const r = Math.max(3, (cross.z1 - cross.z0) * 0.75 - 0.3);
    return b
      .straight(zTurn - z0)
      .arc(-Math.PI / 2, r)
      .straight(70)
      .build();
  }
  return b.straight(far - z0).build();
}

function possibleTurns(ctx: Ctx, lane: WorldLane): Turn[] {
  const c = ctx.layout.cross;
  const turns = lane.spec.turns.filter((t) => t === 'straight' || (t === 'right' && c?.right) || (t === 'left' && c?.left));
  return turns.length ? turns : ['straight'];
}

function makePlate(rng: Rng, kind: SimVehicleKind): SimPlate {
  const colour: PlateColour | undefined = kind === 'taxi' || kind === 'bus' ? 'yellow' : undefined;
  const p = generatePlate(rng, { vehicleClass: CLASS_OF[kind], ...(colour ? { colour } : {}) });
  return { text: p.text, layout: p.layout, colour: p.colour };
}

function makeActor(
  ctx: Ctx,
  rng: Rng,
  o: {
    id: string;
    kind: SimVehicleKind;
    behaviour: Behaviour;
    scripted: boolean;
    lane: WorldLane;
    turn?: Turn;
    speedKmh?: number;
    target?: WorldLane;
    plate?: SimPlate;
  },
): Omit<SimActor, 'spawnT'> {
  const dims = DIMS[o.kind];
  const [lo, hi] = SPEED_KMH[o.kind];
  const v0 = (o.speedKmh ?? uniform(rng, lo, hi)) / 3.6;
  const turns = possibleTurns(ctx, o.lane);
  const turn: Turn =
    o.turn ??
    (o.behaviour === 'right_on_arrow'
      ? 'right'
      : o.behaviour === 'obey'
        ? rng() < 0.7 && turns.includes('straight')
          ? 'straight'
          : pickOne(rng, turns)
        : 'straight');
  // Motorbikes ride anywhere across their lane; bigger vehicles keep to the middle.
  const slack = Math.max(0, (o.lane.x1 - o.lane.x0 - dims.w) / 2 - 0.25);
  const x = o.lane.centre + (o.kind === 'motorbike' ? uniform(rng, -slack, slack) : uniform(rng, -0.15, 0.15));
  const path = routeFor(ctx, o.lane, x, dims, turn, o.behaviour, o.target);
  const towardsCamera = !o.lane.forward || o.behaviour === 'wrong_way';
  const governed = !towardsCamera && ctx.layout.hasSignal;
  const sLine = governed ? path.sAtZ(ctx.layout.stopZ) : null;
  let stallAt: number | null = null;
  if (o.behaviour === 'stalled') {
    const zFront = ctx.layout.hasSignal ? ctx.layout.stopZ - 7 : ctx.nearZ + 14;
    stallAt = (path.sAtZ(zFront) ?? 10) - dims.l / 2;
  }
  return {
    id: o.id,
    kind: o.kind,
    cls: CLASS_OF[o.kind],
    dims,
    behaviour: o.behaviour,
    scripted: o.scripted,
    laneId: o.lane.spec.id,
    turn,
    path,
    sFrontAtLine: sLine === null ? null : sLine - dims.l / 2,
    headId: governed ? (ctx.s.signals[0]?.id ?? null) : null,
    v0,
    amax: o.kind === 'motorbike' ? 2.2 : o.kind === 'car' || o.kind === 'taxi' ? 1.8 : 1.2,
    plate: o.plate ?? makePlate(rng, o.kind),
    bodyColour: pickOne(rng, BODY_COLOURS[o.kind]),
    towardsCamera,
    stallAt,
    accel: null,
  };
}

function scriptedActor(ctx: Ctx, rng: Rng, spec: ActorSpec): SimActor {
  const lane = ctx.layout.lanes.find((l) => l.spec.id === spec.lane)!;
  const target = spec.targetLane ? ctx.layout.lanes.find((l) => l.spec.id === spec.targetLane) : undefined;
  const a = makeActor(ctx, rng, {
    id: spec.id,
    kind: spec.kind,
    behaviour: spec.behaviour,
    scripted: true,
    lane,
    ...(spec.speedKmh !== undefined ? { speedKmh: spec.speedKmh } : {}),
    ...(target ? { target } : {}),
    ...(spec.plate ? { plate: spec.plate } : {}),
  });
  let spawnT = spec.atS ?? 0;
  if (spec.cue) {
    const head = ctx.s.signals[0]!;
    const tc = phaseStart(head, spec.cue.phase, spec.cue.cycle) + spec.cue.afterS;
    const sLine = a.sFrontAtLine ?? a.path.sAtZ(ctx.layout.stopZ) ?? 0;
    spawnT = a.towardsCamera ? tc : tc - sLine / a.v0;
  }
  return { ...a, spawnT, accel: spec.accelMs2 ?? null };
}

interface Live {
  a: SimActor;
  s: number;
  v: number;
  x: number;
  z: number;
  heading: number;
  yellowDecision: Map<number, boolean>;
}

function idm(v: number, v0: number, gap: number, dv: number, amax: number, s0: number, T: number): number {
  const sStar = s0 + Math.max(0, v * T + (v * dv) / (2 * Math.sqrt(amax * COMFORT_DECEL)));
  return amax * (1 - Math.pow(v / v0, 4) - Math.pow(sStar / Math.max(gap, 0.05), 2));
}

/** Arc length where the vehicle's front must stop now (null = free to go). */
function stopPoint(l: Live, t: number, scenario: Scenario): number | null {
  const a = l.a;
  if (a.stallAt !== null) return a.stallAt + a.dims.l / 2;
  if (a.sFrontAtLine === null || a.headId === null) return null;
  const creep = a.behaviour === 'creep_stop';
  const point = a.sFrontAtLine + (creep ? CREEP_M : -STOP_MARGIN_M);
  const front = l.s + a.dims.l / 2;
  const lineFront = a.sFrontAtLine + a.dims.l / 2;
  if (front > point + a.dims.l / 2 + 0.5 || front > lineFront + (creep ? CREEP_M + 0.5 : 0.3)) return null; // already past
  if (a.behaviour === 'run_red' || a.behaviour === 'cross_on_yellow') return null;
  const head = scenario.signals.find((h) => h.id === a.headId)!;
  const sig = signalAt(head, t);
  if (sig.round === 'green') return null;
  if (sig.round === 'red' && sig.arrow === 'green' && a.turn === 'right') return null;
  if (sig.round === 'yellow' && a.behaviour !== 'brake_on_yellow') {
    const cycleKey = Math.floor((t + head.offsetS) / (head.greenS + head.yellowS + head.redS));
    let stop = l.yellowDecision.get(cycleKey);
    if (stop === undefined) {
      const gap = point + a.dims.l / 2 - front;
      stop = gap > (l.v * l.v) / (2 * COMFORT_DECEL) + 0.5;
      l.yellowDecision.set(cycleKey, stop);
    }
    if (!stop) return null;
  }
  return point + a.dims.l / 2;
}

export function simulate(scenario: Scenario): SimResult {
  const layout = buildLayout(scenario);
  const camera = cameraFor(scenario);
  const ctx: Ctx = { s: scenario, layout, nearZ: camera.nearZ() };
  const dt = 1 / scenario.fps;
  const frameCount = Math.max(1, Math.round(scenario.durationS * scenario.fps));
  const rngScripted = subRng(scenario.seed, 'scripted');
  const actors: SimActor[] = scenario.actors.map((spec) => scriptedActor(ctx, rngScripted, spec));

  // Background traffic keeps out of a scripted actor's lane around its entry so the script plays as written.
  const quiet: { lane: string; from: number; to: number }[] = actors.map((a) => ({
    lane: a.laneId,
    from: a.spawnT - 14,
    to: a.behaviour === 'stalled' ? Infinity : a.spawnT + 5,
  }));
  for (const a of actors)
    if (a.behaviour === 'solid_line_cross') {
      const spec = scenario.actors.find((x) => x.id === a.id)!;
      if (spec.targetLane) quiet.push({ lane: spec.targetLane, from: a.spawnT - 14, to: a.spawnT + 5 });
    }
  const isQuiet = (lane: string, t: number) => quiet.some((q) => q.lane === lane && t >= q.from && t <= q.to);

  const rng = subRng(scenario.seed, 'traffic');
  const warmup = 25;
  const forward = layout.lanes.filter((l) => l.forward);
  const oncoming = layout.lanes.filter((l) => !l.forward);
  const kinds: [SimVehicleKind, number][] = [
    ['motorbike', scenario.traffic.motorbikesPerMin],
    ['car', scenario.traffic.carsPerMin],
    ['taxi', scenario.traffic.taxisPerMin],
    ['bus', scenario.traffic.busesPerMin],
    ['truck', scenario.traffic.trucksPerMin],
  ];
  let serial = 0;
  for (const [kind, rate] of kinds) {
    if (rate <= 0) continue;
    for (const group of [forward, oncoming]) {
      const groupRate = group === forward ? rate : rate * 0.35;
      const lanes = group.filter((l) => l.spec.allowed.includes(kind));
      if (!lanes.length) continue;
      const only = lanes.filter((l) => l.spec.allowed.length === 1);
      let t = -warmup + nextArrival(rng, groupRate);
      while (t < scenario.durationS) {
        const lane = kind === 'motorbike' && only.length && rng() < 0.7 ? pickOne(rng, only) : pickOne(rng, lanes);
        if (!isQuiet(lane.spec.id, t)) {
          const a = makeActor(ctx, rng, { id: `v${++serial}`, kind, behaviour: 'obey', scripted: false, lane });
          actors.push({ ...a, spawnT: t });
        }
        t += nextArrival(rng, groupRate);
      }
    }
  }
  actors.sort((a, b) => a.spawnT - b.spawnT || (a.id < b.id ? -1 : 1));

  const byId = new Map(actors.map((a) => [a.id, a]));
  const pending = [...actors];
  const live: Live[] = [];
  const frames: SimFrame[] = [];
  const kStart = Math.min(0, Math.floor(Math.min(0, ...actors.map((a) => a.spawnT)) * scenario.fps));
  for (let k = kStart; k < frameCount; k++) {
    const t = k * dt;
    // Spawn: a vehicle waits while its entry is occupied (queues spill out of view).
    for (let i = 0; i < pending.length;) {
      const a = pending[i]!;
      if (a.spawnT > t) break;
      const p = a.path.pose(0);
      const blocked = live.some((o) => {
        const dz = Math.abs(o.z - p.z);
        const dx = Math.abs(o.x - p.x);
        return dz < (o.a.dims.l + a.dims.l) / 2 + 2 && dx < (o.a.dims.w + a.dims.w) / 2 + 0.2 && Math.cos(o.heading - p.heading) > 0.5;
      });
      if (blocked && !a.scripted) {
        a.spawnT += 0.5;
        pending.splice(i, 1);
        const j = pending.findIndex((b) => b.spawnT > a.spawnT);
        pending.splice(j < 0 ? pending.length : j, 0, a);
        continue;
      }
      pending.splice(i, 1);
      if (!a.scripted && isQuiet(a.laneId, t)) continue;
      live.push({ a, s: 0, v: a.v0, x: p.x, z: p.z, heading: p.heading, yellowDecision: new Map() });
    }
    if (k >= 0) {
      const signals = new Map(scenario.signals.map((h) => [h.id, signalAt(h, t)]));
      frames.push({
        index: k,
        t,
        actors: live.map((l) => ({ id: l.a.id, s: l.s, v: l.v, x: l.x, z: l.z, heading: l.heading })),
        signals,
      });
    }
    // Accelerations from the current state, then move everyone at once.
    const acc = live.map((l) => {
      const a = l.a;
      const fx = Math.sin(l.heading);
      const fz = Math.cos(l.heading);
      let gap = Infinity;
      let vLead = 0;
      for (const o of live) {
        if (o === l || Math.cos(o.heading - l.heading) < 0.6) continue;
        const rx = o.x - l.x;
        const rz = o.z - l.z;
        const ahead = rx * fx + rz * fz;
        const lateral = Math.abs(rx * fz - rz * fx);
        if (ahead <= 0 || lateral > (a.dims.w + o.a.dims.w) / 2 + 0.15) continue;
        const g = ahead - (a.dims.l + o.a.dims.l) / 2;
        if (g < gap) {
          gap = g;
          vLead = o.v * Math.cos(o.heading - l.heading);
        }
      }
      const s0 = a.kind === 'motorbike' ? 0.7 : 1.5;
      const T = a.kind === 'motorbike' ? 0.6 : 1.1;
      let accel = gap === Infinity ? idm(l.v, a.v0, 1e9, 0, a.amax, s0, T) : idm(l.v, a.v0, gap, l.v - vLead, a.amax, s0, T);
      if (a.behaviour === 'run_red' || a.behaviour === 'cross_on_yellow') accel = Math.max(accel, Math.min(0, a.v0 - l.v));
      if (a.accel !== null) accel = a.accel < 0 && l.v + a.accel * dt < MIN_SCRIPTED_SPEED ? 0 : a.accel;
      const stopAt = stopPoint(l, t, scenario);
      if (stopAt !== null) {
        const gapStop = stopAt - (l.s + a.dims.l / 2);
        const aStop = idm(l.v, a.v0, gapStop + s0, l.v, a.amax, s0, T);
        const need = gapStop > 0.02 ? -(l.v * l.v) / (2 * gapStop) : -l.v / dt;
        accel = Math.min(accel, aStop, need < -COMFORT_DECEL * 0.5 ? need : aStop);
      }
      return Math.max(-MAX_DECEL, accel);
    });
    live.forEach((l, i) => {
      l.v = Math.max(0, l.v + acc[i]! * dt);
      if (l.a.stallAt !== null && l.s + l.v * dt >= l.a.stallAt) {
        l.s = Math.max(l.s, l.a.stallAt);
        l.v = 0;
      } else l.s += l.v * dt;
      const p = l.a.path.pose(l.s);
      l.x = p.x;
      l.z = p.z;
      l.heading = p.heading;
    });
    for (let i = live.length - 1; i >= 0; i--) if (live[i]!.s >= live[i]!.a.path.length) live.splice(i, 1);
  }
  return { scenario, layout, camera, actors: byId, frames };
}
