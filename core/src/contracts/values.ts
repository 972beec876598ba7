// The value lists every side shares, schema-free (no TypeBox here): the TypeBox schemas in ./api, ./detection and
// ./violation-event build their unions from these, the jobs map types its payloads with them, and the review UI
// imports them for its choices and labels. A value added here is added everywhere at once.

/** Violation types; data-driven so speeding and others can be added without touching consumers' switch logic. */
export const VIOLATION_TYPES = ['red_light', 'wrong_lane', 'wrong_way', 'speeding'] as const;
export type ViolationType = (typeof VIOLATION_TYPES)[number];

/** Legal clocks of Circular 73/2024 Art. 24. notice_due: 10 days after the violation; response_due: 20 days after the notice; limitation: 1 year after the violation. */
export const DEADLINE_KINDS = ['notice_due', 'response_due', 'limitation'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** Background colours of Vietnamese plates. */
export const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red'] as const;
export type PlateColour = (typeof PLATE_COLOURS)[number];

/** Vehicle classes a case can carry (fine schedule groups bus and truck with car). */
export const CASE_VEHICLE_TYPES = ['car', 'motorbike', 'bus', 'truck', 'bicycle', 'unknown'] as const;
export type CaseVehicleType = (typeof CASE_VEHICLE_TYPES)[number];

export const EVIDENCE_KINDS = ['clip', 'scene_before', 'scene_after', 'vehicle_crop', 'plate_crop'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * One problem with one field of a request: `path` names the field, a JSON pointer into the body (`/stopLines/0/points`)
 * or, for camera geometry, a JSON path (`$.lanes[1].signalHeadId`). The one definition of the shape: the api's error
 * answers carry a list of these as `errors` (ErrorResponse, FieldErrorSchema in api/common.ts) and the UI reads it there.
 */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Retention, in days, and the legal floor of each (core/migrations/0421_admin_retention.up.sql): evidence and clips of a
 * case may be used for one year after the violation (limitation period), so neither goes sooner.
 */
export const RETENTION_LIMITS = {
  evidenceDays: { min: 365, max: 3650 },
  clipDays: { min: 365, max: 3650 },
  rejectedDays: { min: 30, max: 3650 },
  logDays: { min: 30, max: 3650 },
  publicDays: { min: 1, max: 3650 },
} as const;
export type RetentionField = keyof typeof RETENTION_LIMITS;
export const RETENTION_FIELDS = Object.keys(RETENTION_LIMITS) as RetentionField[];

/** Formats of a payment file the import understands (docs/payment-examples). */
export const PAYMENT_SOURCES = ['standard', 'gateway', 'portal', 'bank-statement'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

/** The reports the reports page offers. */
export const REPORT_KINDS = ['camera-daily', 'before-after', 'outcomes', 'vehicle-types', 'reviewers', 'deadlines'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
