// Speed-enforcement scenes: a straight road seen from a pole, a calibrated speed zone, and scripted cars and
// motorbikes at known speeds drawn from the seed: steady ones from 20 to 80 km/h, some a few km/h around the fine
// threshold, some accelerating or braking through the zone. `speed:<seed>[:<fps>[:<limit>]]` on the command line;
// a limit of 5 km/h makes every vehicle "speeding", so every measurement is reported (speed-error evaluation).
import { pickOne, subRng, uniform } from '../random';
import { Camera } from '../world/camera';
import type { ActorSpec, Scenario, SimVehicleKind } from './schema';

const ALL: SimVehicleKind[] = ['motorbike', 'car', 'taxi', 'bus', 'truck'];

export interface SpeedSceneOptions {
  fps?: number;
  limitKmh?: number;
}

export function speedScenario(seed: number, o: SpeedSceneOptions = {}): Scenario {
  const rng = subRng(seed, 'speed-scenario');
  const r = (a: number, b: number) => Math.round(uniform(rng, a, b) * 100) / 100;
  const limitKmh = o.limitKmh ?? pickOne(rng, [40, 50, 60]);
  const fps = o.fps ?? 5;
  const lanes: Scenario['layout']['lanes'] = [
    { id: 'car-1', widthM: r(3.3, 3.7), direction: 'forward', allowed: ALL, turns: ['straight'] },
    { id: 'car-2', widthM: r(3.3, 3.7), direction: 'forward', allowed: ALL, turns: ['straight'] },
    { id: 'moto', widthM: r(2.8, 3.3), direction: 'forward', allowed: ['motorbike'], turns: ['straight'], label: 'XE MÁY' },
  ];
  // One scripted vehicle every ~3 s, alternating lanes so the zone never holds two in one lane.
  const actors: ActorSpec[] = [];
  const count = 10;
  for (let i = 0; i < count; i++) {
    const moto = rng() < 0.5;
    const lane = moto ? 'moto' : pickOne(rng, ['car-1', 'car-2']);
    const kind: SimVehicleKind = moto ? 'motorbike' : pickOne(rng, ['car', 'car', 'taxi', 'truck']);
    const draw = rng();
    let speedKmh: number;
    let accelMs2: number | undefined;
    if (draw < 0.3)
      speedKmh = r(limitKmh + 3, limitKmh + 12); // near the threshold (limit + tolerance + 5 = limit + 8)
    else if (draw < 0.5) {
      speedKmh = r(30, 70);
      accelMs2 = r(-2.5, 2.5);
    } else speedKmh = r(20, 80);
    actors.push({
      id: `speed-${i + 1}`,
      kind,
      behaviour: 'obey',
      lane,
      atS: Math.round((1 + i * 3 + uniform(rng, 0, 1)) * 100) / 100,
      speedKmh,
      ...(accelMs2 !== undefined ? { accelMs2 } : {}),
    });
  }
  const width = 1280;
  const height = 720;
  const camera = { heightM: r(6, 8), pitchDeg: r(10, 14), hfovDeg: r(45, 55), offsetXM: r(-1, 1) };
  // The zone starts a few metres past the bottom of the picture, so its whole length is on screen.
  const fromM = Math.round((new Camera({ width, height, ...camera }).nearZ() + r(3, 6)) * 100) / 100;
  return {
    name: `speed-${seed}-${fps}fps-${limitKmh}`,
    description: `Speed zone ${limitKmh} km/h on a straight road, ${count} vehicles at known speeds (seed ${seed}).`,
    seed,
    width,
    height,
    fps,
    durationS: count * 3 + 6,
    camera,
    layout: { kind: 'road', lanes, separators: ['dashed', 'dashed'], stopLineM: 30, crossRoadWidthM: 10, zebra: false },
    signals: [],
    conditions: { time: rng() < 0.25 ? 'night' : 'day', rain: 0, noise: r(0, 0.2), motionBlur: r(0, 0.3), jpegQuality: 0, flicker: 0, occluder: false },
    traffic: { motorbikesPerMin: 0, carsPerMin: 0, taxisPerMin: 0, busesPerMin: 0, trucksPerMin: 0 },
    actors,
    speedZone: { fromM, toM: Math.round((fromM + r(22, 30)) * 100) / 100, limitKmh, calibrationErrorM: 0.03 },
  };
}
