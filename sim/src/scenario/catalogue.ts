// The named scenario catalogue: each one shows a rule being broken, or a near miss that must not be flagged.
import type { ActorSpec, LaneSpec, Scenario, SignalSpec } from './schema';

const ALL = ['motorbike', 'car', 'taxi', 'bus', 'truck'] as LaneSpec['allowed'];

export const STANDARD_LANES: LaneSpec[] = [
  { id: 'oncoming', widthM: 3.5, direction: 'oncoming', allowed: ALL, turns: ['straight'] },
  { id: 'left', widthM: 3.5, direction: 'forward', allowed: ALL, turns: ['left', 'straight'] },
  { id: 'middle', widthM: 3.5, direction: 'forward', allowed: ALL, turns: ['straight'] },
  { id: 'moto', widthM: 3.2, direction: 'forward', allowed: ['motorbike'], turns: ['straight', 'right'], label: 'XE MÁY' },
];

export const STANDARD_SIGNAL: SignalSpec = {
  id: 'main',
  greenS: 10,
  yellowS: 3,
  redS: 12,
  offsetS: 0,
  countdown: true,
  rightArrow: false,
  side: 'right',
};

type Overrides = Partial<Omit<Scenario, 'camera' | 'layout' | 'conditions' | 'traffic'>> & {
  camera?: Partial<Scenario['camera']>;
  layout?: Partial<Scenario['layout']>;
  conditions?: Partial<Scenario['conditions']>;
  traffic?: Partial<Scenario['traffic']>;
  signal?: Partial<SignalSpec>;
};

export function baseScenario(name: string, description: string, o: Overrides = {}): Scenario {
  const { camera, layout, conditions, traffic, signal, ...rest } = o;
  return {
    name,
    description,
    seed: 1,
    width: 1280,
    height: 720,
    fps: 10,
    durationS: 30,
    camera: { heightM: 6, pitchDeg: 12, hfovDeg: 50, offsetXM: 1.5, ...camera },
    layout: {
      kind: 'intersection-4way',
      lanes: STANDARD_LANES,
      separators: ['double', 'dashed', 'solid'],
      stopLineM: 24,
      crossRoadWidthM: 14,
      zebra: true,
      ...layout,
    },
    signals: [{ ...STANDARD_SIGNAL, ...signal }],
    conditions: { time: 'day', rain: 0, noise: 0.05, motionBlur: 0, jpegQuality: 0, flicker: 0, occluder: false, ...conditions },
    traffic: { motorbikesPerMin: 40, carsPerMin: 10, taxisPerMin: 2, busesPerMin: 0.5, trucksPerMin: 1, ...traffic },
    actors: [],
    ...rest,
  };
}

const actor = (a: ActorSpec): ActorSpec => a;

/**
 * A plate-readable enforcement camera, as the demo serves (red-light-runners, car-in-motorbike-lane): 1080p with a
 * 40° lens aimed at the stop-line approach, the signal head still in view at the top of the frame. By projection,
 * motorbike plate characters are ~6 px tall at the stop line and ~9 px where vehicles enter the view (cars ~1.5x);
 * the wide 720p view of the other scenes gives 3–5 px, which the plate reader cannot read. Pitched 8.5° instead
 * (to keep the lamps clear of the evidence stills' banner) the approach was too far: fewer plates read and the
 * wrong-lane car missed (`npm run eval -- --scenarios red-light-runners,car-in-motorbike-lane`).
 */
const PLATE_CAMERA: Overrides = { width: 1920, height: 1080, camera: { hfovDeg: 40, pitchDeg: 10.5 } };

// Phase times with STANDARD_SIGNAL (offset 0): green 0–10, yellow 10–13, red 13–25, green 25–35.
export const CATALOGUE: Scenario[] = [
  baseScenario('red-light-runners', 'Daytime 4-way: a motorbike and a car run the red; everyone else stops.', {
    ...PLATE_CAMERA,
    seed: 101,
    actors: [
      actor({ id: 'runner-moto', kind: 'motorbike', behaviour: 'run_red', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 2 }, speedKmh: 38 }),
      actor({ id: 'runner-car', kind: 'car', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 5 }, speedKmh: 42 }),
      actor({ id: 'stopper', kind: 'car', behaviour: 'obey', lane: 'left', cue: { phase: 'red', cycle: 0, afterS: 1 } }),
    ],
  }),
  baseScenario('yellow-legal-crossing', 'A car crosses on yellow (legal) and a motorbike brakes hard on yellow.', {
    seed: 102,
    actors: [
      actor({ id: 'yellow-car', kind: 'car', behaviour: 'cross_on_yellow', lane: 'middle', cue: { phase: 'yellow', cycle: 0, afterS: 0.4 }, speedKmh: 45 }),
      actor({ id: 'brake-moto', kind: 'motorbike', behaviour: 'brake_on_yellow', lane: 'moto', cue: { phase: 'yellow', cycle: 0, afterS: 1.2 }, speedKmh: 40 }),
      actor({ id: 'late-runner', kind: 'motorbike', behaviour: 'run_red', lane: 'left', cue: { phase: 'red', cycle: 0, afterS: 3 } }),
    ],
  }),
  baseScenario('green-arrow-right-turn', 'Right turns on the green arrow while the round light is red (legal); one rider goes straight on red.', {
    seed: 103,
    signal: { rightArrow: true },
    actors: [
      actor({ id: 'arrow-moto', kind: 'motorbike', behaviour: 'right_on_arrow', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 3 } }),
      actor({ id: 'arrow-moto-2', kind: 'motorbike', behaviour: 'right_on_arrow', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 7 } }),
      actor({ id: 'straight-runner', kind: 'motorbike', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 5 } }),
    ],
  }),
  baseScenario('creep-over-line', 'Vehicles creep over the stop line on red and stop (rear still before it: not counted); one runs the red.', {
    seed: 104,
    actors: [
      actor({ id: 'creep-car', kind: 'car', behaviour: 'creep_stop', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 2 } }),
      actor({ id: 'creep-moto', kind: 'motorbike', behaviour: 'creep_stop', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 3 } }),
      actor({ id: 'runner-taxi', kind: 'taxi', behaviour: 'run_red', lane: 'left', cue: { phase: 'red', cycle: 0, afterS: 6 } }),
    ],
  }),
  baseScenario('car-in-motorbike-lane', 'A car and a truck drive in the motorbike lane.', {
    ...PLATE_CAMERA,
    seed: 105,
    actors: [
      actor({ id: 'lane-car', kind: 'car', behaviour: 'wrong_lane', lane: 'moto', atS: 2 }),
      actor({ id: 'lane-truck', kind: 'truck', behaviour: 'wrong_lane', lane: 'moto', atS: 18 }),
    ],
  }),
  baseScenario('solid-line-crossing', 'Lane changes across a solid line before the stop line (and one legal change across a dashed line).', {
    seed: 106,
    layout: { separators: ['double', 'solid', 'dashed'] },
    actors: [
      actor({ id: 'solid-car', kind: 'car', behaviour: 'solid_line_cross', lane: 'left', targetLane: 'middle', atS: 1 }),
      actor({ id: 'dashed-moto', kind: 'motorbike', behaviour: 'solid_line_cross', lane: 'moto', targetLane: 'middle', atS: 4 }),
    ],
  }),
  baseScenario('wrong-way-rider', 'A motorbike rides against traffic in the motorbike lane; a car drives the wrong way in the middle lane.', {
    seed: 107,
    traffic: { motorbikesPerMin: 25 },
    actors: [
      actor({ id: 'ww-moto', kind: 'motorbike', behaviour: 'wrong_way', lane: 'moto', atS: 3, speedKmh: 25 }),
      actor({ id: 'ww-car', kind: 'car', behaviour: 'wrong_way', lane: 'middle', atS: 16, speedKmh: 25 }),
    ],
  }),
  baseScenario('stalled-vehicle', 'A truck stalls before the stop line (not a violation); a motorbike runs the red beside it.', {
    seed: 108,
    actors: [
      actor({ id: 'stalled-truck', kind: 'truck', behaviour: 'stalled', lane: 'left', atS: 0 }),
      actor({ id: 'runner', kind: 'motorbike', behaviour: 'run_red', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 4 } }),
    ],
  }),
  baseScenario('night-rain', 'Night and rain with sensor noise: a car runs the red, a motorbike brakes on yellow.', {
    seed: 109,
    conditions: { time: 'night', rain: 0.7, noise: 0.35 },
    actors: [
      actor({ id: 'night-runner', kind: 'car', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 3 } }),
      actor({ id: 'night-brake', kind: 'motorbike', behaviour: 'brake_on_yellow', lane: 'moto', cue: { phase: 'yellow', cycle: 0, afterS: 1.2 } }),
    ],
  }),
  baseScenario('rush-hour-motorbikes', 'Dense motorbike traffic; two riders run the red in the crowd.', {
    seed: 110,
    traffic: { motorbikesPerMin: 160, carsPerMin: 8 },
    actors: [
      actor({ id: 'crowd-runner-1', kind: 'motorbike', behaviour: 'run_red', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 2.5 } }),
      actor({ id: 'crowd-runner-2', kind: 'motorbike', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 6 } }),
    ],
  }),
  baseScenario('t-junction-bus', 'T junction (road to the right): a bus runs the red, a truck stops.', {
    seed: 111,
    layout: { kind: 'intersection-3way-right', crossRoadWidthM: 12 },
    camera: { offsetXM: 2.5, pitchDeg: 11 },
    actors: [
      actor({ id: 'bus-runner', kind: 'bus', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 2 } }),
      actor({ id: 'truck-stop', kind: 'truck', behaviour: 'obey', lane: 'left', cue: { phase: 'red', cycle: 0, afterS: 1 } }),
    ],
  }),
  baseScenario(
    'road-motorbike-lane',
    'Multi-lane road with a motorbike lane (no signal): a car in the motorbike lane, a wrong-way rider, a solid-line crossing.',
    {
      seed: 112,
      layout: {
        kind: 'road',
        lanes: [
          { id: 'oncoming-2', widthM: 3.5, direction: 'oncoming', allowed: ALL, turns: ['straight'] },
          { id: 'oncoming-1', widthM: 3.5, direction: 'oncoming', allowed: ALL, turns: ['straight'] },
          { id: 'car-1', widthM: 3.5, direction: 'forward', allowed: ['car', 'taxi', 'bus', 'truck'], turns: ['straight'] },
          { id: 'car-2', widthM: 3.5, direction: 'forward', allowed: ['car', 'taxi', 'bus', 'truck', 'motorbike'], turns: ['straight'] },
          { id: 'moto', widthM: 3.0, direction: 'forward', allowed: ['motorbike'], turns: ['straight'], label: 'XE MÁY' },
        ],
        separators: ['dashed', 'double', 'dashed', 'solid'],
      },
      signals: [],
      camera: { offsetXM: 2, pitchDeg: 14 },
      actors: [
        actor({ id: 'road-car-moto-lane', kind: 'car', behaviour: 'wrong_lane', lane: 'moto', atS: 2 }),
        actor({ id: 'road-wrong-way', kind: 'motorbike', behaviour: 'wrong_way', lane: 'car-2', atS: 10, speedKmh: 25 }),
        actor({ id: 'road-solid', kind: 'taxi', behaviour: 'solid_line_cross', lane: 'car-2', targetLane: 'moto', atS: 20 }),
      ],
    },
  ),
  baseScenario('flicker-blur-jpeg', 'LED flicker, motion blur, heavy JPEG artefacts and a foreground tree: a car runs the red.', {
    seed: 113,
    conditions: { flicker: 0.3, motionBlur: 0.7, jpegQuality: 30, occluder: true, noise: 0.15 },
    actors: [
      actor({ id: 'blur-runner', kind: 'car', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 4 } }),
      actor({ id: 'blur-yellow', kind: 'motorbike', behaviour: 'cross_on_yellow', lane: 'moto', cue: { phase: 'yellow', cycle: 0, afterS: 0.3 } }),
    ],
  }),
  baseScenario('night-arrow-countdown', 'Night, green right arrow and countdown: legal right turns, one straight red-light run, one creep.', {
    seed: 114,
    conditions: { time: 'night', noise: 0.2 },
    signal: { rightArrow: true, side: 'centre' },
    actors: [
      actor({ id: 'night-arrow', kind: 'motorbike', behaviour: 'right_on_arrow', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 4 } }),
      actor({ id: 'night-straight', kind: 'motorbike', behaviour: 'run_red', lane: 'left', cue: { phase: 'red', cycle: 0, afterS: 6 } }),
      actor({ id: 'night-creep', kind: 'motorbike', behaviour: 'creep_stop', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 2 } }),
    ],
  }),
  baseScenario('t-junction-left-1080p', '1080p T junction (road to the left), trucks and buses: a truck runs the red, a taxi crosses on yellow.', {
    seed: 115,
    width: 1920,
    height: 1080,
    layout: { kind: 'intersection-3way-left' },
    traffic: { trucksPerMin: 4, busesPerMin: 2 },
    actors: [
      actor({ id: 'truck-runner', kind: 'truck', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 3 } }),
      actor({ id: 'taxi-yellow', kind: 'taxi', behaviour: 'cross_on_yellow', lane: 'left', cue: { phase: 'yellow', cycle: 0, afterS: 0.3 } }),
    ],
  }),
  baseScenario(
    'daylight-glare-arrow',
    'Bright daylight on the signal head (unlit lamps look bright, lit centres overexposed) and a right arrow that flickers (never lit two frames running): legal right turns on the arrow, one straight red-light run.',
    {
      seed: 116,
      signal: { rightArrow: true },
      conditions: { glare: 1, arrowFlicker: true, noise: 0.08, jpegQuality: 70 },
      actors: [
        actor({ id: 'glare-arrow-1', kind: 'motorbike', behaviour: 'right_on_arrow', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 3 } }),
        actor({ id: 'glare-arrow-2', kind: 'motorbike', behaviour: 'right_on_arrow', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 7 } }),
        actor({ id: 'glare-runner', kind: 'motorbike', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 5 } }),
      ],
    },
  ),
  baseScenario(
    'cut-and-loop',
    'A hard cut from green into the red phase (as in edited footage) and a loop back to the start (a demo camera replaying its file): a motorbike runs the red after the cut; a car that crosses just after the cut was never seen before the line (not judged).',
    {
      seed: 117,
      durationS: 24,
      // Video 0-8 s shows source 0-8 (green); 8-16 s shows 15-23 (red since 13); 16-24 s replays 0-8.
      discontinuities: [
        { atS: 8, toS: 15 },
        { atS: 16, toS: 0 },
      ],
      traffic: { motorbikesPerMin: 30, carsPerMin: 8 },
      actors: [
        actor({ id: 'cut-runner', kind: 'motorbike', behaviour: 'run_red', lane: 'moto', cue: { phase: 'red', cycle: 0, afterS: 6 }, speedKmh: 35 }),
        actor({ id: 'cut-crosser', kind: 'car', behaviour: 'run_red', lane: 'middle', cue: { phase: 'red', cycle: 0, afterS: 2.2 }, speedKmh: 40 }),
      ],
    },
  ),
];

export function findScenario(name: string): Scenario | undefined {
  return CATALOGUE.find((s) => s.name === name);
}
