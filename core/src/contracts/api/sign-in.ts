// Sign-in through OpenID Connect (staff and citizens) and what a signed-in citizen sees and may record.
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, Uuid, PlateColourSchema, CaseVehicleTypeSchema } from './common';
import { PublicViolation } from './lookup';

/** Which ways of signing in this deployment offers (the sign-in pages show only those). */
export const SignInOptions = Type.Object(
  {
    staffProvider: Type.Boolean({ description: 'staff may sign in through the province identity provider' }),
    local: Type.Union([Type.Literal('on'), Type.Literal('off'), Type.Literal('break_glass')], {
      description: 'password sign-in: everyone, nobody, break-glass names only',
    }),
    citizenProvider: Type.Boolean({ description: 'citizens may sign in (VNeID-backed provider) to see their own cases' }),
  },
  { additionalProperties: false },
);
export type SignInOptions = Static<typeof SignInOptions>;

/** After sign-out: where to send the browser to end the provider's session too (null: a local session). */
export const LogoutResponse = Type.Object({ ok: Type.Literal(true), endSessionUrl: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false });
export type LogoutResponse = Static<typeof LogoutResponse>;

/** The callback's query as the provider sends it (code, state, iss; or error). */
export const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 2048 })),
    state: Type.Optional(Type.String({ maxLength: 512 })),
    iss: Type.Optional(Type.String({ maxLength: 2048 })),
    session_state: Type.Optional(Type.String({ maxLength: 2048 })),
    error: Type.Optional(Type.String({ maxLength: 200 })),
    error_description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  // Providers add their own parameters (Keycloak: session_state); the client library reads what it needs.
  { additionalProperties: true },
);
export type CallbackQuery = Static<typeof CallbackQuery>;

export const CitizenVehicle = Type.Object(
  {
    plate: Type.String(),
    vehicleType: CaseVehicleTypeSchema,
    plateColour: PlateColourSchema,
    brand: Type.Union([Type.String(), Type.Null()]),
    colour: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const CitizenDeadline = Type.Object(
  {
    kind: Type.Union([Type.Literal('respond_by'), Type.Literal('resolve_by'), Type.Literal('limitation')], {
      description: "respond_by: 20 days after the notice (Art. 24.3); resolve_by: the notice's date; limitation: one year",
    }),
    dueAt: IsoDateTime,
  },
  { additionalProperties: false },
);

export const CitizenResponseItem = Type.Object(
  {
    kind: Type.Union([Type.Literal('driver'), Type.Literal('complaint')]),
    driverName: Type.Union([Type.String(), Type.Null()]),
    text: Type.String(),
    recordedAt: IsoDateTime,
  },
  { additionalProperties: false },
);

export const CitizenCase = Type.Object(
  {
    id: Uuid,
    violation: PublicViolation,
    noticeNumber: Type.Union([Type.String(), Type.Null()]),
    noticeIssuedAt: Type.Union([IsoDateTime, Type.Null()]),
    deadlines: Type.Array(CitizenDeadline),
    evidence: Type.Array(
      Type.Object({ kind: Type.String(), contentType: Type.String(), sha256: Type.String(), url: Type.String() }, { additionalProperties: false }),
    ),
    responses: Type.Array(CitizenResponseItem, { description: 'what this citizen recorded online about the case' }),
    canRespond: Type.Boolean({ description: 'a notice was sent and the case is not closed: the owner may name the driver or complain' }),
  },
  { additionalProperties: false },
);
export type CitizenCase = Static<typeof CitizenCase>;

/** The signed-in citizen's vehicles (from the registry) and every published case against them. */
export const CitizenOverview = Type.Object(
  {
    name: Type.String(),
    idNumberMasked: Type.String(),
    vehicles: Type.Array(CitizenVehicle),
    cases: Type.Array(CitizenCase),
    expiresInSeconds: Type.Integer({ description: 'how long the evidence links work' }),
  },
  { additionalProperties: false },
);
export type CitizenOverview = Static<typeof CitizenOverview>;

/** Art. 24.2: the owner names who was driving, or complains about the case. */
export const CitizenResponseRequest = Type.Object(
  {
    kind: Type.Union([Type.Literal('driver'), Type.Literal('complaint')]),
    driverName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    driverIdNumber: Type.Optional(Type.String({ pattern: '^[0-9]{12}$', description: "the driver's 12-digit identity number" })),
    text: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);
export type CitizenResponseRequest = Static<typeof CitizenResponseRequest>;
