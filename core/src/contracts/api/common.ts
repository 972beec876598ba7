// Shared pieces of the back-office API contract (TypeBox). The api validates with these schemas and
// the review UI imports the same types, so a change that breaks the UI fails the type check.
import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from '../values';
export type { FieldError } from '../values';

/** The schema of values.ts's FieldError (the type check below keeps the two the same). */
export const FieldErrorSchema = Type.Object({ path: Type.String(), message: Type.String() });
const sameFieldError: [Static<typeof FieldErrorSchema>, FieldError] extends [FieldError, Static<typeof FieldErrorSchema>] ? true : never = true;
void sameFieldError;

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code, e.g. validation, forbidden, conflict, not_found' }),
    message: Type.String({ description: 'human-readable reason (4xx) or a generic message (5xx)' }),
    requestId: Type.String(),
    /** Field errors of a refused document (e.g. camera geometry), each named by JSON path. */
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
    /** Values the reader's sentence for this code names (the plate, the limit, the case status), for the UI's dictionaries. */
    params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
  },
  { $id: 'ErrorResponse' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('fail'), Type.Literal('absent')])),
});
export type HealthResponse = Static<typeof HealthResponse>;

export const Uuid = Type.String({ format: 'uuid' });
export const IsoDateTime = Type.String({ format: 'date-time' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** A file answered as it is (JPEG, PDF, CSV, XLSX): the bytes, never serialized. */
export const BinaryFile = Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' });

export const OkResponse = Type.Object({ ok: Type.Literal(true) });
export type OkResponse = Static<typeof OkResponse>;

export const ROLES = ['officer', 'supervisor', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));

import { CASE_VEHICLE_TYPES, PLATE_COLOURS, VIOLATION_TYPES } from '../values';
export { CASE_VEHICLE_TYPES, PLATE_COLOURS, VIOLATION_TYPES, type CaseVehicleType, type PlateColour, type ViolationType } from '../values';
export const ViolationTypeSchema = Type.Union(VIOLATION_TYPES.map((t) => Type.Literal(t)));

export const CaseVehicleTypeSchema = Type.Union(CASE_VEHICLE_TYPES.map((t) => Type.Literal(t)));

export const PlateColourSchema = Type.Union(PLATE_COLOURS.map((c) => Type.Literal(c)));
