// Random scenario generator: layout, camera, signal timing, conditions, traffic and 2–5 scripted
// actors, all drawn from one seed (same seed → same scenario → same bytes).
import { pickOne, subRng, uniform } from '../random';
import { Camera } from '../world/camera';
import { buildLayout } from '../world/layout';
import type { ActorSpec, Behaviour, LaneSpec, Scenario, SimVehicleKind } from './schema';

const ALL: SimVehicleKind[] = ['motorbike', 'car', 'taxi', 'bus', 'truck'];

export interface RandomOptions {
  width?: number;
  height?: number;
  fps?: number;
  durationS?: number;
}

export function randomScenario(seed: number, o: RandomOptions = {}): Scenario {
  const rng = subRng(seed, 'random-scenario');
  const r = (a: number, b: number) => Math.round(uniform(rng, a, b) * 100) / 100;
  const chance = (p: number) => rng() < p;
  const kind = pickOne(rng, ['intersection-4way', 'intersection-4way', 'intersection-3way-left', 'intersection-3way-right', 'road'] as const);
  const road = kind === 'road';
  const lanes: LaneSpec[] = [];
  const separators: Scenario['layout']['separators'] = [];
  const oncoming = Math.floor(uniform(rng, 0, road ? 2.99 : 1.99));
  for (let i = 0; i < oncoming; i++) {
    if (i > 0) separators.push('dashed');
    lanes.push({ id: `o${oncoming - i}`, widthM: r(3, 3.7), direction: 'oncoming', allowed: ALL, turns: ['straight'] });
  }
  const forward = 1 + Math.floor(uniform(rng, 0, 2.99));
  const motoLane = chance(0.75);
  for (let i = 0; i < forward; i++) {
    if (lanes.length) separators.push(i === 0 ? 'double' : chance(0.35) ? 'solid' : 'dashed');
    const turns: LaneSpec['turns'] = road
      ? ['straight']
      : i === 0
        ? ['left', 'straight']
        : i === forward - 1 && !motoLane
          ? ['straight', 'right']
          : ['straight'];
    const carOnly = road && motoLane && i === 0 && forward > 1 && chance(0.5);
    lanes.push({ id: `f${i + 1}`, widthM: r(3.2, 3.75), direction: 'forward', allowed: carOnly ? ['car', 'taxi', 'bus', 'truck'] : ALL, turns });
  }
  if (motoLane) {
    if (lanes.length) separators.push(chance(0.6) ? 'solid' : 'dashed');
    lanes.push({
      id: 'moto',
      widthM: r(2.6, 3.4),
      direction: 'forward',
      allowed: ['motorbike'],
      turns: road ? ['straight'] : ['straight', 'right'],
      label: 'XE MÁY',
    });
  }
  const totalW = lanes.reduce((s, l) => s + l.widthM, 0);
  const green = r(8, 14);
  const yellow = pickOne(rng, [3, 3, 4]);
  const red = r(10, 16);
  const redStart = r(8, 13); // first red onset within the clip
  const cycle = green + yellow + red;
  const signal = {
    id: 'main',
    greenS: green,
    yellowS: yellow,
    redS: red,
    offsetS: Math.round(((((green + yellow - redStart) % cycle) + cycle) % cycle) * 100) / 100,
    countdown: chance(0.6),
    rightArrow: motoLane && !road && kind !== 'intersection-3way-left' && chance(0.5),
    side: pickOne(rng, ['left', 'centre', 'right'] as const),
  };
  const durationS = o.durationS ?? Math.ceil(redStart + red + 6);
  const night = chance(0.3);
  const s: Scenario = {
    name: `random-${seed}`,
    description: `Random scenario from seed ${seed}`,
    seed,
    width: o.width ?? 1280,
    height: o.height ?? 720,
    fps: o.fps ?? 10,
    durationS,
    camera: { heightM: r(5, 8), pitchDeg: r(10, 14), hfovDeg: r(42, 58), offsetXM: r(-totalW / 4, totalW / 3) },
    layout: { kind, lanes, separators, stopLineM: r(20, 28), crossRoadWidthM: r(10, 18), zebra: chance(0.8) },
    signals: road ? [] : [signal],
    conditions: {
      time: night ? 'night' : 'day',
      rain: chance(0.2) ? r(0.3, 0.8) : 0,
      noise: r(0, 0.3),
      motionBlur: chance(0.3) ? r(0.2, 0.7) : 0,
      jpegQuality: chance(0.3) ? Math.round(uniform(rng, 30, 70)) : 0,
      flicker: chance(0.3) ? r(0.1, 0.3) : 0,
      occluder: chance(0.2),
    },
    traffic: {
      motorbikesPerMin: r(20, 150),
      carsPerMin: r(4, 20),
      taxisPerMin: r(0, 4),
      busesPerMin: r(0, 1.5),
      trucksPerMin: r(0, 3),
    },
    actors: [],
  };
  // Scripted actors: each gets its own lane slot in time so scripts do not block each other.
  const fwd = lanes.filter((l) => l.direction === 'forward');
  const solidPairs: [string, string][] = [];
  lanes.forEach((l, i) => {
    const next = lanes[i + 1];
    if (next && l.direction === 'forward' && next.direction === 'forward' && separators[i] === 'solid') solidPairs.push([l.id, next.id]);
  });
  const options: Behaviour[] = road
    ? ['wrong_way', 'stalled']
    : ['run_red', 'run_red', 'cross_on_yellow', 'brake_on_yellow', 'creep_stop', 'wrong_way', 'stalled'];
  if (motoLane) options.push('wrong_lane');
  if (solidPairs.length) options.push('solid_line_cross');
  if (signal.rightArrow && !road) options.push('right_on_arrow');
  const used: { lane: string; t: number }[] = [];
  const count = 2 + Math.floor(uniform(rng, 0, 3.99));
  for (let i = 0, tries = 0; s.actors.length < count && tries < 40; tries++, i++) {
    const behaviour = pickOne(rng, options);
    let lane: string;
    let k: SimVehicleKind = pickOne(rng, ['motorbike', 'motorbike', 'car', 'car', 'taxi', 'truck', 'bus'] as const);
    let targetLane: string | undefined;
    if (behaviour === 'wrong_lane') {
      lane = 'moto';
      k = pickOne(rng, ['car', 'taxi', 'truck'] as const);
    } else if (behaviour === 'solid_line_cross') {
      const pair = pickOne(rng, solidPairs);
      const flip = chance(0.5);
      lane = flip ? pair[1] : pair[0];
      targetLane = flip ? pair[0] : pair[1];
      if (lane === 'moto' || targetLane === 'moto') k = 'motorbike';
    } else if (behaviour === 'right_on_arrow') {
      lane = 'moto';
      k = 'motorbike';
    } else {
      const l = pickOne(rng, fwd);
      lane = l.id;
      if (!l.allowed.includes(k)) k = 'motorbike';
    }
    if (behaviour === 'stalled' && used.some((u) => u.lane === lane)) continue;
    const t =
      behaviour === 'wrong_way' || behaviour === 'stalled' || behaviour === 'wrong_lane' || behaviour === 'solid_line_cross' ? r(0, durationS - 12) : r(0, 1);
    if (used.some((u) => u.lane === lane && Math.abs(u.t - t) < 12)) continue;
    used.push({ lane, t });
    const cue: ActorSpec['cue'] | undefined =
      behaviour === 'run_red'
        ? { phase: 'red', cycle: 0, afterS: r(1, red - 3) }
        : behaviour === 'cross_on_yellow'
          ? { phase: 'yellow', cycle: 0, afterS: r(0.2, 0.6) }
          : behaviour === 'brake_on_yellow'
            ? { phase: 'yellow', cycle: 0, afterS: r(1.1, 1.6) }
            : behaviour === 'creep_stop' || behaviour === 'right_on_arrow'
              ? { phase: 'red', cycle: 0, afterS: r(1.5, red - 5) }
              : undefined;
    const id = `s${i + 1}-${behaviour.replace(/_/g, '-')}`;
    s.actors.push({
      id,
      kind: k,
      behaviour,
      lane,
      ...(cue ? { cue } : { atS: t }),
      ...(behaviour === 'wrong_way' ? { speedKmh: r(18, 28) } : {}),
      ...(targetLane ? { targetLane } : {}),
    });
  }
  s.description = `${kind}, lanes ${lanes.map((l) => l.id).join('/')}, ${s.conditions.time}${s.conditions.rain ? ', rain' : ''}; scripted: ${s.actors.map((a) => `${a.behaviour} ${a.kind}`).join(', ') || 'none'}`;
  // Keep the signal head in view: tilt the camera up until its lamps are inside the image.
  const head = buildLayout(s).heads[0];
  while (head && s.camera.pitchDeg > 3) {
    const cam = new Camera({ width: s.width, height: s.height, ...s.camera });
    const top = cam.project(head.housing.x1 + 0.3, head.housing.y1 + 0.3, head.z);
    const side = cam.project(head.housing.x0 - 1.2, head.housing.y0, head.z);
    if (top.v > s.height * 0.02 && top.u < s.width * 0.98 && side.u > s.width * 0.02) break;
    if (top.v <= s.height * 0.02) s.camera.pitchDeg = Math.round((s.camera.pitchDeg - 0.5) * 100) / 100;
    else s.camera.offsetXM = Math.round((s.camera.offsetXM + (top.u >= s.width * 0.98 ? 0.5 : -0.5)) * 100) / 100;
  }
  return s;
}
