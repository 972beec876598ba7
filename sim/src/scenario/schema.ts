// Scene description format: what a scenario asks for (layout, signals, conditions, traffic, scripted actors).
// Everything else (positions, plates of background traffic, truth) is derived from it and its seed.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { discontinuityErrors } from '../world/discontinuities';

const strict = { additionalProperties: false } as const;
const Lit = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

export const SIM_VEHICLE_KINDS = ['motorbike', 'car', 'taxi', 'bus', 'truck'] as const;
export type SimVehicleKind = (typeof SIM_VEHICLE_KINDS)[number];

export const BEHAVIOURS = [
  'obey',
  'run_red',
  'cross_on_yellow',
  'brake_on_yellow',
  'right_on_arrow',
  'creep_stop',
  'wrong_lane',
  'solid_line_cross',
  'wrong_way',
  'stalled',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export const LAYOUT_KINDS = ['intersection-4way', 'intersection-3way-left', 'intersection-3way-right', 'road'] as const;
export type LayoutKind = (typeof LAYOUT_KINDS)[number];

export const LaneSpecSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.:-]+$', maxLength: 32, description: 'Lane id (also used in the camera geometry).' }),
    widthM: Type.Number({ minimum: 2, maximum: 6, default: 3.5, description: 'Lane width in metres.' }),
    direction: Lit(['forward', 'oncoming'] as const, 'forward = away from the camera (rear plates visible); oncoming = towards it.'),
    allowed: Type.Array(Lit(SIM_VEHICLE_KINDS, 'vehicle kind'), { minItems: 1, uniqueItems: true, description: 'Vehicle kinds allowed in this lane.' }),
    turns: Type.Array(Lit(['straight', 'left', 'right'] as const, 'movement'), {
      minItems: 1,
      uniqueItems: true,
      description: 'Movements allowed from this lane (painted as arrows).',
    }),
    label: Type.Optional(Type.String({ maxLength: 16, description: 'Text painted in the lane, e.g. "XE MÁY".' })),
  },
  strict,
);
export type LaneSpec = Static<typeof LaneSpecSchema>;

export const SignalSpecSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.:-]+$', maxLength: 32, description: 'Signal head id.' }),
    greenS: Type.Number({ minimum: 2, maximum: 120 }),
    yellowS: Type.Number({ minimum: 1, maximum: 6 }),
    redS: Type.Number({ minimum: 2, maximum: 120 }),
    offsetS: Type.Number({ minimum: 0, description: 'Seconds into the cycle (green, yellow, red) at video start.' }),
    countdown: Type.Boolean({ description: 'Show a two-digit countdown next to the lamps.' }),
    rightArrow: Type.Boolean({ description: 'Has a green right-arrow lamp lit during the whole red phase.' }),
    side: Lit(['left', 'centre', 'right'] as const, 'Where the head hangs across the intersection.'),
  },
  strict,
);
export type SignalSpec = Static<typeof SignalSpecSchema>;

export const ActorSpecSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.:-]+$', maxLength: 32, description: 'Track id in the truth file.' }),
    kind: Lit(SIM_VEHICLE_KINDS, 'vehicle kind'),
    behaviour: Lit(BEHAVIOURS, 'scripted behaviour'),
    lane: Type.String({ description: 'Lane the actor starts in.' }),
    cue: Type.Optional(
      Type.Object(
        {
          phase: Lit(['green', 'yellow', 'red'] as const, 'signal phase'),
          cycle: Type.Integer({ minimum: 0, description: 'Which occurrence of that phase (0 = first in the video).' }),
          afterS: Type.Number({ description: 'Seconds after that phase starts.' }),
        },
        { ...strict, description: 'When the vehicle (unhindered) would reach the stop line; sets its entry time.' },
      ),
    ),
    atS: Type.Optional(Type.Number({ minimum: -30, description: 'Entry time in seconds (used when there is no cue).' })),
    speedKmh: Type.Optional(Type.Number({ minimum: 5, maximum: 120 })),
    accelMs2: Type.Optional(
      Type.Number({
        minimum: -4,
        maximum: 4,
        description: 'Constant acceleration (negative: braking) from entry, instead of free driving; speed stays at 5 km/h or more.',
      }),
    ),
    targetLane: Type.Optional(Type.String({ description: 'Lane to change into (solid_line_cross).' })),
    plate: Type.Optional(
      Type.Object(
        {
          text: Type.String(),
          colour: Lit(['white', 'yellow', 'blue', 'red'] as const, 'plate colour'),
          layout: Lit(['one-line', 'two-line'] as const, 'plate layout'),
        },
        strict,
      ),
    ),
  },
  strict,
);
export type ActorSpec = Static<typeof ActorSpecSchema>;

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.:-]*$', maxLength: 64 }),
    description: Type.String(),
    seed: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: 'Seeds background traffic, plates, noise.' }),
    width: Type.Integer({ minimum: 64, maximum: 3840, default: 1280 }),
    height: Type.Integer({ minimum: 64, maximum: 2160, default: 720 }),
    fps: Type.Integer({ minimum: 1, maximum: 60, default: 10 }),
    durationS: Type.Number({ minimum: 0.1, maximum: 600 }),
    camera: Type.Object(
      {
        heightM: Type.Number({ minimum: 2, maximum: 15 }),
        pitchDeg: Type.Number({ minimum: 2, maximum: 45, description: 'Downward tilt.' }),
        hfovDeg: Type.Number({ minimum: 20, maximum: 100 }),
        offsetXM: Type.Number({ minimum: -10, maximum: 10, description: 'Camera position across the road (0 = road centre).' }),
      },
      strict,
    ),
    layout: Type.Object(
      {
        kind: Lit(LAYOUT_KINDS, 'scene layout'),
        lanes: Type.Array(LaneSpecSchema, { minItems: 1, maxItems: 8, description: 'Lanes from left to right.' }),
        separators: Type.Array(Lit(['solid', 'dashed', 'double'] as const, 'marking'), {
          description: 'Markings between lane i and i+1 (length = lanes - 1). solid and double forbid crossing.',
        }),
        stopLineM: Type.Number({ minimum: 8, maximum: 60, description: 'Distance from the camera to the stop line along the road.' }),
        crossRoadWidthM: Type.Number({ minimum: 6, maximum: 30 }),
        zebra: Type.Boolean(),
      },
      strict,
    ),
    signals: Type.Array(SignalSpecSchema, { maxItems: 2, description: 'Signal heads; the first governs every forward lane.' }),
    conditions: Type.Object(
      {
        time: Lit(['day', 'night'] as const, 'lighting'),
        rain: Type.Number({ minimum: 0, maximum: 1 }),
        noise: Type.Number({ minimum: 0, maximum: 1, description: 'Sensor noise strength.' }),
        motionBlur: Type.Number({ minimum: 0, maximum: 1 }),
        jpegQuality: Type.Integer({ minimum: 0, maximum: 100, description: '0 = no JPEG round-trip; else quality of a JPEG round-trip per frame.' }),
        flicker: Type.Number({ minimum: 0, maximum: 1, description: 'Probability a lit LED lamp is caught dark in a frame.' }),
        occluder: Type.Boolean({ description: 'A pole and tree in the foreground hiding part of the view.' }),
        glare: Type.Optional(
          Type.Number({
            minimum: 0,
            maximum: 1,
            description:
              "Bright daylight on the signal head: unlit lamps reflect the sun and look bright, a lit lamp's centre is overexposed to white with only a ring of its colour (absent = 0).",
          }),
        ),
        arrowFlicker: Type.Optional(
          Type.Boolean({ description: 'LED arrows alias with the frame rate: a lit arrow shows lit on every other frame only (absent = false).' }),
        ),
      },
      strict,
    ),
    traffic: Type.Object(
      {
        motorbikesPerMin: Type.Number({ minimum: 0, maximum: 400 }),
        carsPerMin: Type.Number({ minimum: 0, maximum: 120 }),
        taxisPerMin: Type.Number({ minimum: 0, maximum: 60 }),
        busesPerMin: Type.Number({ minimum: 0, maximum: 20 }),
        trucksPerMin: Type.Number({ minimum: 0, maximum: 30 }),
      },
      { ...strict, description: 'Law-abiding background traffic (Poisson arrivals per forward lane group).' },
    ),
    actors: Type.Array(ActorSpecSchema, { description: 'Scripted vehicles (violations and near misses).' }),
    discontinuities: Type.Optional(
      Type.Array(
        Type.Object(
          {
            atS: Type.Number({ exclusiveMinimum: 0, description: 'Video time of the discontinuity, seconds.' }),
            toS: Type.Number({ minimum: 0, description: 'Source time the video jumps to: later for a hard cut, earlier (0: the start) for a loop.' }),
          },
          strict,
        ),
        {
          maxItems: 8,
          description:
            'Hard cuts and loops: at each atS the video jumps to source time toS of the same scene. The truth judges a violation only where one segment shows it whole (absent = none).',
        },
      ),
    ),
    speedZone: Type.Optional(
      Type.Object(
        {
          fromM: Type.Number({ minimum: 2, maximum: 200, description: 'Start of the zone, metres from the camera along the road.' }),
          toM: Type.Number({ minimum: 4, maximum: 250, description: 'End of the zone, metres from the camera.' }),
          limitKmh: Type.Integer({ minimum: 5, maximum: 150, description: 'Posted limit for every motor vehicle.' }),
          calibrationErrorM: Type.Number({
            minimum: 0,
            maximum: 0.5,
            default: 0.03,
            description: 'Seeded error of the surveyed calibration points, metres (tape and marking tolerance).',
          }),
        },
        { ...strict, description: 'A calibrated speed-enforcement zone: the camera geometry gets the calibration and the zone, the truth lists speeding.' },
      ),
    ),
  },
  { ...strict, description: 'A simulator scenario.' },
);
export type Scenario = Static<typeof ScenarioSchema>;

/** Validates untrusted JSON as a scenario (schema and cross references); throws one error listing every problem. */
export function parseScenario(json: unknown): Scenario {
  const errors = [...Value.Errors(ScenarioSchema, json)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (errors.length === 0) {
    const s = json as Scenario;
    const lanes = new Set(s.layout.lanes.map((l) => l.id));
    if (s.layout.separators.length !== s.layout.lanes.length - 1) errors.push('/layout/separators: needs lanes - 1 entries');
    if (lanes.size !== s.layout.lanes.length) errors.push('/layout/lanes: duplicate lane id');
    if (s.layout.kind !== 'road' && s.signals.length === 0) errors.push('/signals: an intersection needs a signal head');
    if (s.speedZone && s.speedZone.toM - s.speedZone.fromM < 8) errors.push('/speedZone: toM must be at least 8 m beyond fromM');
    errors.push(...discontinuityErrors(s));
    const ids = new Set<string>();
    s.actors.forEach((a, i) => {
      if (!lanes.has(a.lane)) errors.push(`/actors/${i}/lane: no lane "${a.lane}"`);
      if (a.targetLane !== undefined && !lanes.has(a.targetLane)) errors.push(`/actors/${i}/targetLane: no lane "${a.targetLane}"`);
      if (a.cue && s.signals.length === 0) errors.push(`/actors/${i}/cue: no signal to cue on`);
      if (!a.cue && a.atS === undefined) errors.push(`/actors/${i}: needs cue or atS`);
      if (ids.has(a.id)) errors.push(`/actors/${i}/id: duplicate "${a.id}"`);
      ids.add(a.id);
    });
  }
  if (errors.length > 0) throw new Error(`invalid scenario:\n  ${[...new Set(errors)].join('\n  ')}`);
  return json as Scenario;
}
