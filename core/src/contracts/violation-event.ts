// Violation event: what the detector emits (BullMQ job `violation.created`, jobId = idempotencyKey)
// and the api turns into a case. Evidence files are already in object storage, hashed at capture.
import { FormatRegistry, Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PLATE_COLOURS, PLATE_LAYOUTS, VEHICLE_CLASSES } from './detection';

const strict = { additionalProperties: false } as const;

import { EVIDENCE_KINDS, VIOLATION_TYPES } from './values';
export { EVIDENCE_KINDS, VIOLATION_TYPES, type EvidenceKind, type ViolationType } from './values';

export const SIGNAL_COLOURS = ['red', 'yellow', 'green', 'unknown'] as const;
export type SignalColour = (typeof SIGNAL_COLOURS)[number];

// TypeBox knows no formats by itself; register ISO date-time unless another module already did.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)));
}

const Iso = (description: string) => Type.String({ format: 'date-time', description });
const lit = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

export const EvidenceFileSchema = Type.Object(
  {
    kind: lit(EVIDENCE_KINDS, 'What the file shows.'),
    bucket: Type.String({ minLength: 1, description: 'Object-storage bucket (the `evidence` or `clips` bucket of core storage).' }),
    key: Type.String({ minLength: 1, description: 'Object key inside the bucket.' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the stored bytes, lowercase hex, computed at capture.' }),
    size: Type.Integer({ minimum: 1, description: 'Size in bytes.' }),
    contentType: Type.String({ description: 'MIME type, e.g. image/jpeg or video/mp4.' }),
    capturedAt: Iso('Wall-clock time the still was taken, or the start of the clip.'),
  },
  { ...strict, description: 'One evidence file in object storage.' },
);
export type EvidenceFile = Static<typeof EvidenceFileSchema>;

export const TrackPlateSchema = Type.Object(
  {
    text: Type.Union([Type.String(), Type.Null()], { description: 'Canonical plate text (e.g. 30A-123.45) or null when unread.' }),
    layout: Type.Union([lit(PLATE_LAYOUTS, 'Plate layout.'), Type.Null()], { description: 'one-line (car) or two-line (motorbike), null when unread.' }),
    colour: Type.Union([lit(PLATE_COLOURS, 'Plate colour.'), Type.Null()], { description: 'Plate background colour, null when unread.' }),
    confidence: Type.Number({ minimum: 0, maximum: 1, description: 'Confidence of the vote, 0..1.' }),
    needsManualEntry: Type.Boolean({ description: 'True when the officer must read the plate from the evidence.' }),
    reads: Type.Integer({ minimum: 0, description: 'Number of plate reads that went into the vote.' }),
    suggestion: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: 'The leading read when the vote was too weak to decide: shown to the officer as a suggestion, never used as the plate.',
      }),
    ),
  },
  { ...strict, description: "A track's voted plate (TrackPlate in contracts/detection.ts)." },
);

export const SignalStateSchema = Type.Object(
  {
    signalHeadId: Type.Union([Type.String(), Type.Null()], { description: "Signal head governing the vehicle's lane; null when none." }),
    round: lit(SIGNAL_COLOURS, 'Colour of the round light at the time of the violation.'),
    arrows: Type.Array(
      Type.Object(
        {
          lampId: Type.String({ description: 'Arrow lamp id from the camera geometry.' }),
          shape: Type.String({ description: 'Arrow shape, e.g. arrow_left.' }),
          lit: Type.Boolean({ description: 'Whether the green arrow was lit.' }),
        },
        strict,
      ),
      { description: 'Green arrow lamps of the head and whether each was lit.' },
    ),
    since: Type.Union([Iso('When the round light took its current colour (e.g. red onset).'), Type.Null()], {
      description: 'When the round light took its current colour; null when unknown.',
    }),
    source: Type.Union([Type.Literal('vision'), Type.Literal('controller'), Type.Literal('none')], {
      description: 'vision: read from the lamp regions; controller: from the signal-controller feed; none: lane has no signal.',
    }),
  },
  { ...strict, description: 'Signal state used by the rule.' },
);
export type SignalState = Static<typeof SignalStateSchema>;

const BoxSchema = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], {
  description: 'Vehicle box [x1, y1, x2, y2] in frame pixels at the violation frame.',
});

const FrameBoxSchema = Type.Object(
  {
    seq: Type.Integer({ description: 'Ingest sequence number of the frame.' }),
    box: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()], { description: 'Vehicle box in that frame, frame pixels.' }),
  },
  { ...strict, description: 'Where the vehicle was in one frame.' },
);

export const SpeedDetailSchema = Type.Object(
  {
    zoneId: Type.String({ description: 'Speed zone of the camera geometry where the speed was measured.' }),
    measuredKmh: Type.Number({ minimum: 0, description: 'Speed fitted from the ground-plane positions over the measured distance, km/h.' }),
    uncertaintyKmh: Type.Number({ minimum: 0, description: 'One standard deviation of the measured speed (calibration, frame-time jitter, box noise), km/h.' }),
    toleranceKmh: Type.Number({ minimum: 0, description: 'Measurement tolerance deducted before the speed is judged, km/h.' }),
    reducedKmh: Type.Number({ description: 'Measured speed minus the tolerance: the speed the offence is judged on, km/h.' }),
    limitKmh: Type.Integer({ minimum: 1, description: 'Posted limit for the vehicle class in the zone, km/h.' }),
    excessKmh: Type.Number({ description: 'Reduced speed over the limit, km/h: selects the fine band.' }),
    distanceM: Type.Number({ minimum: 0, description: 'Road covered between the first and last position used, metres.' }),
    seconds: Type.Number({ minimum: 0, description: "Time between those positions from the stream's frame times, seconds." }),
    from: FrameBoxSchema,
    to: FrameBoxSchema,
    calibrationHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the camera calibration used.' }),
  },
  { ...strict, description: 'How a speed was measured (speeding).' },
);
export type SpeedDetail = Static<typeof SpeedDetailSchema>;

export const RuleDetailSchema = Type.Object(
  {
    rule: Type.String({ description: 'Name of the rule that fired (e.g. redLightRule, laneClassRule, solidLineRule, wrongWayRule).' }),
    summary: Type.String({ description: 'One-line human description of what happened, shown to the officer.' }),
    laneId: Type.Union([Type.String(), Type.Null()], { description: 'Lane the vehicle was in.' }),
    stopLineId: Type.Optional(Type.String({ description: 'Stop line crossed (red light).' })),
    solidLineId: Type.Optional(Type.String({ description: 'Solid line crossed (wrong lane).' })),
    secondsAfterRed: Type.Optional(Type.Number({ description: 'Seconds between red onset and the crossing (red light).' })),
    turn: Type.Optional(Type.String({ description: 'Movement the vehicle made, when known (red light with arrows).' })),
    distancePx: Type.Optional(Type.Number({ description: 'Distance travelled against the lane direction (wrong way), frame pixels.' })),
    speed: Type.Optional(SpeedDetailSchema),
    frameSize: Type.Tuple([Type.Integer(), Type.Integer()], { description: 'Width and height of the frames the box refers to.' }),
    frameSeq: Type.Integer({ description: 'Ingest sequence number of the violation frame.' }),
  },
  { ...strict, description: 'Rule-specific details, for the officer and for audits.' },
);
export type RuleDetail = Static<typeof RuleDetailSchema>;

export const ViolationEventSchema = Type.Object(
  {
    idempotencyKey: Type.String({ description: '`<cameraId>:<trackId>:<type>:<phaseId>`; BullMQ jobId and unique key of the case.' }),
    cameraId: Type.String({ minLength: 1, description: 'Camera that saw the violation.' }),
    trackId: Type.String({ minLength: 1, description: 'Tracker id of the vehicle, unique per camera over time (not reused after restarts).' }),
    type: lit(VIOLATION_TYPES, 'Violation type.'),
    phaseId: Type.String({
      minLength: 1,
      description:
        'What makes the violation unique per vehicle: red_light `<signalHeadId>@<red onset epoch ms>`; wrong_lane `lane:<laneId>` or `solid:<lineId>`; wrong_way `lane:<laneId>`; speeding `zone:<zoneId>`.',
    }),
    occurredAt: Iso('Wall-clock time of the violating frame (camera clock, synced).'),
    vehicleClass: lit(VEHICLE_CLASSES, 'Vehicle class from the detector (voted over the track).'),
    box: BoxSchema,
    signalState: SignalStateSchema,
    plate: TrackPlateSchema,
    evidence: Type.Array(EvidenceFileSchema, {
      description: 'Evidence files; a red-light case normally has a clip, two scene images, a vehicle crop and a plate crop.',
    }),
    ruleDetail: RuleDetailSchema,
    detector: Type.String({ description: 'Name of the vehicle detector that ran (model name and version).' }),
    createdAt: Iso('When the detector emitted the event.'),
  },
  { ...strict, description: 'A detected violation, ready to become a case.' },
);
export type ViolationEvent = Static<typeof ViolationEventSchema>;

export function violationIdempotencyKey(e: Pick<ViolationEvent, 'cameraId' | 'trackId' | 'type' | 'phaseId'>): string {
  return `${e.cameraId}:${e.trackId}:${e.type}:${e.phaseId}`;
}

/** Errors of an untrusted event, each with a JSON pointer; empty when valid (the idempotency key must match its parts). */
export function violationEventErrors(json: unknown): { path: string; message: string }[] {
  const errors = [...Value.Errors(ViolationEventSchema, json)].map((e) => ({ path: e.path || '/', message: e.message }));
  if (errors.length === 0) {
    const e = json as ViolationEvent;
    if (e.idempotencyKey !== violationIdempotencyKey(e)) {
      errors.push({ path: '/idempotencyKey', message: 'must equal <cameraId>:<trackId>:<type>:<phaseId>' });
    }
  }
  return errors;
}
