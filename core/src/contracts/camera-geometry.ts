// Camera geometry: where the stop lines, lanes, solid lines and signal lamps are in a camera's image.
// Written by the administrator (camera setup UI) or the simulator, read by the detector's rules.
// All coordinates are image pixels at `reference` resolution (origin top-left, x right, y down);
// the detector scales them to the frame size it actually receives.
import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from './values';
import { Value } from '@sinclair/typebox/value';
import { VEHICLE_CLASSES } from './detection';
import { calibrateGround, CalibrationError } from '../geometry/ground-calibration';

const strict = { additionalProperties: false } as const;

const Id = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

const PointOf = (description: string) =>
  Type.Tuple([Type.Number({ description: 'x in reference pixels' }), Type.Number({ description: 'y in reference pixels' })], { description });
export const PointSchema = PointOf('A point [x, y] in reference-resolution image pixels.');
export type Point = Static<typeof PointSchema>;

const RectOf = (description: string) =>
  Type.Tuple(
    [
      Type.Number({ description: 'x1 (left)' }),
      Type.Number({ description: 'y1 (top)' }),
      Type.Number({ description: 'x2 (right), > x1' }),
      Type.Number({ description: 'y2 (bottom), > y1' }),
    ],
    { description },
  );
export const RectSchema = RectOf('An axis-aligned rectangle [x1, y1, x2, y2] in reference pixels (same layout as a detection Box).');
export type Rect = Static<typeof RectSchema>;

export const TURNS = ['straight', 'left', 'right', 'u_turn'] as const;
export type Turn = (typeof TURNS)[number];
export const TurnSchema = Type.Union(
  TURNS.map((t) => Type.Literal(t)),
  { description: 'A movement through the intersection, as seen by the driver.' },
);

export const LAMP_COLOURS = ['red', 'yellow', 'green'] as const;
export type LampColour = (typeof LAMP_COLOURS)[number];

export const LAMP_SHAPES = ['round', 'arrow_left', 'arrow_straight', 'arrow_right', 'arrow_u_turn'] as const;
export type LampShape = (typeof LAMP_SHAPES)[number];

export const VehicleClassSchema = Type.Union(
  VEHICLE_CLASSES.map((c) => Type.Literal(c)),
  { description: 'A vehicle class (see contracts/detection.ts).' },
);

export const StopLineSchema = Type.Object(
  {
    id: Id('Unique id of the stop line within this camera, referenced by lanes.'),
    approach: Type.String({ minLength: 1, maxLength: 64, description: 'Human name of the approach it governs, e.g. "north" or "Lê Lợi eastbound".' }),
    a: PointOf('First end of the stop-line segment.'),
    b: PointOf('Second end of the stop-line segment.'),
    beforePoint: PointOf('Any point on the side vehicles come from (before the line). Fixes which side is "before" without relying on segment orientation.'),
  },
  { ...strict, description: 'A stop line: crossing it from the before side while the signal forbids it is a red-light violation.' },
);
export type StopLine = Static<typeof StopLineSchema>;

export const ArrowPermitSchema = Type.Object(
  {
    lampId: Id("Id of a green arrow lamp on the lane's signal head."),
    turn: TurnSchema,
  },
  { ...strict, description: 'While this green arrow lamp is lit, vehicles of this lane making `turn` may cross even when the round light is red.' },
);
export type ArrowPermit = Static<typeof ArrowPermitSchema>;

export const LaneSchema = Type.Object(
  {
    id: Id('Unique id of the lane within this camera.'),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Human name of the lane as cases and notices print it, Vietnamese first, e.g. "làn xe máy".' }),
    ),
    polygon: Type.Array(PointSchema, { minItems: 3, description: 'Lane area as a closed polygon (at least 3 points, not self-intersecting).' }),
    direction: PointOf('Direction of travel as a vector [dx, dy] in image pixels (length irrelevant, not zero), e.g. [0, -1] for traffic moving up the image.'),
    allowedClasses: Type.Array(VehicleClassSchema, { minItems: 1, uniqueItems: true, description: 'Vehicle classes allowed to drive in this lane.' }),
    turns: Type.Array(TurnSchema, { minItems: 1, uniqueItems: true, description: 'Movements this lane leads to (e.g. ["straight", "right"]).' }),
    stopLineId: Type.Optional(Id('Stop line governing this lane (omit for lanes with no stop line, e.g. a road section).')),
    signalHeadId: Type.Optional(Id('Signal head governing this lane; required when stopLineId is set.')),
    arrowPermits: Type.Optional(Type.Array(ArrowPermitSchema, { description: 'Green arrows that permit a movement while the round light is red.' })),
  },
  { ...strict, description: 'A lane: where it is, which way traffic flows, who may use it and which signal governs it.' },
);
export type Lane = Static<typeof LaneSchema>;

export const SolidLineSchema = Type.Object(
  {
    id: Id('Unique id of the solid line within this camera.'),
    points: Type.Array(PointSchema, { minItems: 2, description: 'The line as a polyline (at least 2 points).' }),
    kind: Type.Union([Type.Literal('single'), Type.Literal('double')], { description: 'Marking kind (both forbid crossing; kept for the evidence text).' }),
  },
  { ...strict, description: 'A solid lane marking that vehicles must not cross.' },
);
export type SolidLine = Static<typeof SolidLineSchema>;

export const LampSchema = Type.Object(
  {
    id: Id('Unique id of the lamp within its signal head, referenced by arrow permits.'),
    colour: Type.Union(
      LAMP_COLOURS.map((c) => Type.Literal(c)),
      { description: 'Colour the lamp shows when lit.' },
    ),
    shape: Type.Union(
      LAMP_SHAPES.map((s) => Type.Literal(s)),
      { description: 'Round lamp or arrow (direction as seen by the driver).' },
    ),
    region: RectOf('Rectangle around the lamp in the image; the detector measures its brightness and hue.'),
  },
  { ...strict, description: 'One lamp of a signal head.' },
);
export type Lamp = Static<typeof LampSchema>;

export const SignalHeadSchema = Type.Object(
  {
    id: Id("Unique id of the signal head within this camera; also the controller feed's head id."),
    lamps: Type.Array(LampSchema, { minItems: 1, description: 'Lamps of this head. A usable head has round red, yellow and green lamps.' }),
  },
  { ...strict, description: 'A traffic signal head visible in the image.' },
);
export type SignalHead = Static<typeof SignalHeadSchema>;

const GroundPointSchema = Type.Object(
  {
    image: PointOf('Where the marked road point is in the image (reference pixels).'),
    ground: Type.Tuple([Type.Number({ description: 'x, metres' }), Type.Number({ description: 'y, metres' })], {
      description: 'Where the point is on the road, metres, in any frame lying on the road surface (e.g. measured from one corner).',
    }),
  },
  { ...strict, description: 'One road point whose real position is known.' },
);

export const GroundCalibrationSchema = Type.Object(
  {
    points: Type.Array(GroundPointSchema, {
      minItems: 4,
      maxItems: 32,
      description: 'Four or more road points, no three on one line, spanning the road where speed is measured.',
    }),
    method: Type.Union([Type.Literal('measured_points'), Type.Literal('lane_markings')], {
      description: 'How the ground positions were obtained: measured on site, or read off lane markings of standard length.',
    }),
  },
  { ...strict, description: 'Ground-plane calibration: the homography from image pixels to road metres is fitted from these points.' },
);
export type GroundCalibrationInput = Static<typeof GroundCalibrationSchema>;

export const SpeedLimitSchema = Type.Object(
  {
    classes: Type.Array(VehicleClassSchema, { minItems: 1, uniqueItems: true, description: 'Vehicle classes this posted limit applies to.' }),
    limitKmh: Type.Integer({ minimum: 5, maximum: 150, description: 'Posted speed limit, km/h.' }),
  },
  { ...strict, description: 'A posted speed limit for some vehicle classes.' },
);

export const SpeedZoneSchema = Type.Object(
  {
    id: Id('Speed zone id, unique in this camera.'),
    polygon: Type.Array(PointSchema, { minItems: 3, description: 'Where speed is measured (a stretch of road inside the calibrated area).' }),
    limits: Type.Array(SpeedLimitSchema, { minItems: 1, description: 'Posted limits by vehicle class; a class not listed is not measured here.' }),
  },
  { ...strict, description: 'A stretch of road with posted speed limits.' },
);
export type SpeedZone = Static<typeof SpeedZoneSchema>;

export const CameraGeometrySchema = Type.Object(
  {
    version: Type.Literal(1, { description: 'Schema version of this document.' }),
    reference: Type.Object(
      {
        width: Type.Integer({ minimum: 16, maximum: 16384, description: 'Width in pixels of the image all coordinates refer to.' }),
        height: Type.Integer({ minimum: 16, maximum: 16384, description: 'Height in pixels of the image all coordinates refer to.' }),
      },
      { ...strict, description: "Reference resolution of the coordinates below (normally the camera's stream resolution)." },
    ),
    stopLines: Type.Array(StopLineSchema, { description: 'Stop lines, one per approach.' }),
    lanes: Type.Array(LaneSchema, { minItems: 1, description: 'Lanes in view.' }),
    solidLines: Type.Array(SolidLineSchema, { description: 'Solid lane markings that must not be crossed.' }),
    signalHeads: Type.Array(SignalHeadSchema, { description: 'Signal heads in view, with their lamp regions.' }),
    calibration: Type.Optional(GroundCalibrationSchema),
    speedZones: Type.Optional(Type.Array(SpeedZoneSchema, { description: 'Stretches of road with posted limits; speed is measured only with a calibration.' })),
  },
  { ...strict, description: 'Geometry of one camera view.' },
);

export type CameraGeometry = Static<typeof CameraGeometrySchema>;

/** A geometry problem: its `path` is a JSON path of the offending field, e.g. `$.lanes[1].signalHeadId`. */
export type GeometryError = FieldError;

function pointerToPath(pointer: string): string {
  if (!pointer) return '$';
  return (
    '$' +
    pointer
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
  );
}

function dist(p: Point, q: Point): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1]);
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function segmentsCross(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

function polygonArea(poly: Point[]): number {
  let a = 0;
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i]!;
    const q = poly[(i + 1) % poly.length]!;
    a += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(a) / 2;
}

function semanticErrors(g: CameraGeometry): GeometryError[] {
  const errors: GeometryError[] = [];
  const { width, height } = g.reference;
  const inImage = (p: Point, path: string) => {
    if (p[0] < 0 || p[1] < 0 || p[0] > width || p[1] > height) {
      errors.push({ path, message: `point [${p[0]}, ${p[1]}] is outside the ${width}x${height} reference image` });
    }
  };
  const unique = (items: { id: string }[], base: string) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.id)) errors.push({ path: `${base}[${i}].id`, message: `duplicate id "${it.id}"` });
      seen.add(it.id);
    });
  };
  unique(g.stopLines, '$.stopLines');
  unique(g.lanes, '$.lanes');
  unique(g.solidLines, '$.solidLines');
  unique(g.signalHeads, '$.signalHeads');

  const stopLines = new Map(g.stopLines.map((s) => [s.id, s]));
  const heads = new Map(g.signalHeads.map((h) => [h.id, h]));

  g.stopLines.forEach((s, i) => {
    const base = `$.stopLines[${i}]`;
    inImage(s.a, `${base}.a`);
    inImage(s.b, `${base}.b`);
    inImage(s.beforePoint, `${base}.beforePoint`);
    const len = dist(s.a, s.b);
    if (len < 2) errors.push({ path: `${base}.b`, message: 'stop line is shorter than 2 pixels' });
    else if (Math.abs(cross(s.a, s.b, s.beforePoint)) / len < 1) {
      errors.push({ path: `${base}.beforePoint`, message: 'beforePoint lies on the stop line; it must be clearly on the approach side' });
    }
  });

  g.lanes.forEach((lane, i) => {
    const base = `$.lanes[${i}]`;
    lane.polygon.forEach((p, j) => inImage(p, `${base}.polygon[${j}]`));
    if (polygonArea(lane.polygon) < 1) errors.push({ path: `${base}.polygon`, message: 'polygon has no area' });
    const n = lane.polygon.length;
    for (let a = 0; a < n; a++) {
      for (let b = a + 2; b < n; b++) {
        if (a === 0 && b === n - 1) continue;
        if (segmentsCross(lane.polygon[a]!, lane.polygon[(a + 1) % n]!, lane.polygon[b]!, lane.polygon[(b + 1) % n]!)) {
          errors.push({ path: `${base}.polygon`, message: `polygon edges ${a} and ${b} intersect` });
        }
      }
    }
    if (lane.direction[0] === 0 && lane.direction[1] === 0) errors.push({ path: `${base}.direction`, message: 'direction vector is zero' });
    if (lane.stopLineId !== undefined && !stopLines.has(lane.stopLineId)) {
      errors.push({ path: `${base}.stopLineId`, message: `no stop line with id "${lane.stopLineId}"` });
    }
    if (lane.stopLineId !== undefined && lane.signalHeadId === undefined) {
      errors.push({ path: `${base}.signalHeadId`, message: 'a lane with a stop line needs the signal head that governs it' });
    }
    const head = lane.signalHeadId === undefined ? undefined : heads.get(lane.signalHeadId);
    if (lane.signalHeadId !== undefined && !head) {
      errors.push({ path: `${base}.signalHeadId`, message: `no signal head with id "${lane.signalHeadId}"` });
    }
    const stop = lane.stopLineId === undefined ? undefined : stopLines.get(lane.stopLineId);
    if (stop) {
      // Travelling in the lane's direction must go from the before side to the after side.
      const len = dist(stop.a, stop.b);
      const ex = (stop.b[0] - stop.a[0]) / (len || 1);
      const ey = (stop.b[1] - stop.a[1]) / (len || 1);
      const nx = -ey;
      const ny = ex;
      const beforeSign = Math.sign((stop.beforePoint[0] - stop.a[0]) * nx + (stop.beforePoint[1] - stop.a[1]) * ny);
      const dirSign = Math.sign(lane.direction[0] * nx + lane.direction[1] * ny);
      if (beforeSign !== 0 && dirSign === beforeSign) {
        errors.push({ path: `${base}.direction`, message: `direction points towards the before side of stop line "${stop.id}"` });
      }
    }
    (lane.arrowPermits ?? []).forEach((permit, j) => {
      const lamp = head?.lamps.find((l) => l.id === permit.lampId);
      if (head && !lamp) errors.push({ path: `${base}.arrowPermits[${j}].lampId`, message: `signal head "${head.id}" has no lamp "${permit.lampId}"` });
      else if (lamp && (lamp.colour !== 'green' || lamp.shape === 'round')) {
        errors.push({ path: `${base}.arrowPermits[${j}].lampId`, message: `lamp "${lamp.id}" is not a green arrow` });
      }
      if (!lane.turns.includes(permit.turn)) {
        errors.push({ path: `${base}.arrowPermits[${j}].turn`, message: `lane does not lead to "${permit.turn}"` });
      }
    });
  });

  g.solidLines.forEach((s, i) => s.points.forEach((p, j) => inImage(p, `$.solidLines[${i}].points[${j}]`)));

  g.signalHeads.forEach((h, i) => {
    const base = `$.signalHeads[${i}]`;
    unique(h.lamps, `${base}.lamps`);
    h.lamps.forEach((lamp, j) => {
      const r = lamp.region;
      if (r[2] <= r[0] || r[3] <= r[1]) errors.push({ path: `${base}.lamps[${j}].region`, message: 'region needs x2 > x1 and y2 > y1' });
      inImage([r[0], r[1]], `${base}.lamps[${j}].region`);
      inImage([r[2], r[3]], `${base}.lamps[${j}].region`);
    });
    for (const colour of LAMP_COLOURS) {
      if (!h.lamps.some((l) => l.shape === 'round' && l.colour === colour)) {
        errors.push({ path: `${base}.lamps`, message: `signal head has no round ${colour} lamp` });
      }
    }
  });

  if (g.calibration) {
    g.calibration.points.forEach((p, i) => inImage(p.image, `$.calibration.points[${i}].image`));
    try {
      calibrateGround(g.calibration.points);
    } catch (err) {
      if (!(err instanceof CalibrationError)) throw err;
      errors.push({ path: '$.calibration.points', message: err.message });
    }
  }
  unique(g.speedZones ?? [], '$.speedZones');
  (g.speedZones ?? []).forEach((zone, i) => {
    const base = `$.speedZones[${i}]`;
    zone.polygon.forEach((p, j) => inImage(p, `${base}.polygon[${j}]`));
    if (polygonArea(zone.polygon) < 1) errors.push({ path: `${base}.polygon`, message: 'polygon has no area' });
    if (!g.calibration) errors.push({ path: base, message: 'a speed zone needs the camera calibration ($.calibration)' });
    const seen = new Set<string>();
    zone.limits.forEach((limit, j) =>
      limit.classes.forEach((c) => {
        if (seen.has(c)) errors.push({ path: `${base}.limits[${j}].classes`, message: `class "${c}" has two limits in this zone` });
        seen.add(c);
      }),
    );
  });
  return errors;
}

export type GeometryValidation = { ok: true; geometry: CameraGeometry; errors: [] } | { ok: false; errors: GeometryError[] };

/**
 * Validates untrusted JSON as camera geometry: the strict schema first (unknown keys rejected), then
 * cross-references and shape checks. Every error names the field by JSON path.
 */
export function validateGeometry(json: unknown): GeometryValidation {
  const schemaErrors = [...Value.Errors(CameraGeometrySchema, json)].map((e) => ({
    path: pointerToPath(e.path),
    message: e.message,
  }));
  if (schemaErrors.length > 0) {
    // TypeBox reports a union mismatch once per member; keep one message per path.
    const seen = new Set<string>();
    return { ok: false, errors: schemaErrors.filter((e) => (seen.has(e.path) ? false : (seen.add(e.path), true))) };
  }
  const geometry = json as CameraGeometry;
  const errors = semanticErrors(geometry);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, geometry, errors: [] };
}

/** Like validateGeometry but throws one error listing every problem. */
export function parseGeometry(json: unknown): CameraGeometry {
  const result = validateGeometry(json);
  if (!result.ok) {
    throw new Error(`invalid camera geometry:\n${result.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  }
  return result.geometry;
}
