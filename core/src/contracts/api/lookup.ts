// Citizen lookup: published fields only (Circular 73/2024 Art. 24), never owner identity.
// The response schemas below are what the api serialises with, so undeclared fields cannot leak.
import { Type, type Static } from '@sinclair/typebox';
import { CaseVehicleTypeSchema, IsoDateTime, PlateColourSchema } from './common';

/** Proof of work: find `nonce` so that sha256(`${challenge}:${nonce}`) starts with `difficulty` zero bits. */
export const LookupChallengeResponse = Type.Object({
  challenge: Type.String(),
  difficulty: Type.Integer(),
  expiresAt: IsoDateTime,
});
export type LookupChallengeResponse = Static<typeof LookupChallengeResponse>;

export const LookupRequest = Type.Object(
  {
    plate: Type.String({ minLength: 4, maxLength: 20 }),
    vehicleType: Type.Union([Type.Literal('car'), Type.Literal('motorbike')]),
    challenge: Type.String({ minLength: 1, maxLength: 512 }),
    nonce: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type LookupRequest = Static<typeof LookupRequest>;

export const PUBLIC_STATUSES = ['pending_notice', 'notified', 'resolved', 'escalated', 'lapsed'] as const;
export type PublicStatus = (typeof PUBLIC_STATUSES)[number];

/** A speeding case's measurement as the citizen sees it: what was measured, the tolerance deducted, the speed judged, the limit. */
export const PublicSpeed = Type.Object(
  {
    measuredKmh: Type.Number({ description: 'speed measured over the stretch of road, km/h' }),
    uncertaintyKmh: Type.Number({ description: 'one standard deviation of the measurement, km/h' }),
    toleranceKmh: Type.Number({ description: 'measurement tolerance deducted, km/h' }),
    reducedKmh: Type.Number({ description: 'the speed judged (measured less the tolerance), km/h' }),
    limitKmh: Type.Integer({ description: 'posted limit for the vehicle, km/h' }),
  },
  { additionalProperties: false },
);
export type PublicSpeed = Static<typeof PublicSpeed>;

export const PublicViolation = Type.Object(
  {
    vehicleType: CaseVehicleTypeSchema,
    plate: Type.String(),
    plateColour: Type.Union([PlateColourSchema, Type.Null()]),
    occurredAt: IsoDateTime,
    place: Type.String(),
    offence: Type.String({ description: 'offence in Vietnamese with its legal article (for speeding, the band of the excess)' }),
    speed: Type.Optional(PublicSpeed),
    status: Type.Union(PUBLIC_STATUSES.map((s) => Type.Literal(s))),
    detectingUnit: Type.String(),
    resolvingUnit: Type.String(),
    resolvingPhone: Type.String(),
    resolvingAddress: Type.String(),
  },
  { additionalProperties: false },
);
export type PublicViolation = Static<typeof PublicViolation>;

export const LookupResponse = Type.Object(
  { plate: Type.String(), vehicleType: Type.String(), items: Type.Array(PublicViolation) },
  { additionalProperties: false },
);
export type LookupResponse = Static<typeof LookupResponse>;

/** What the QR code on a notice opens: the published fields plus short-lived evidence links. */
export const PublicCaseResponse = Type.Object(
  {
    violation: PublicViolation,
    evidence: Type.Array(
      Type.Object({ kind: Type.String(), contentType: Type.String(), sha256: Type.String(), url: Type.String() }, { additionalProperties: false }),
    ),
    expiresInSeconds: Type.Integer(),
  },
  { additionalProperties: false },
);
export type PublicCaseResponse = Static<typeof PublicCaseResponse>;

export const PublicTokenParams = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
export type PublicTokenParams = Static<typeof PublicTokenParams>;
