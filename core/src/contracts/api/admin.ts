// Administrator console schemas: cameras with their stream settings, the stream test, user changes, agency
// changes and registry imports run as background jobs.
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, RoleSchema, Uuid } from './common';
import { AGENCY_KINDS } from './auth';
import type { RetentionField } from '../values';

/** A camera as the administrator edits it. The stream's credentials are never sent: only whether it has some. */
export const AdminCamera = Type.Object({
  id: Uuid,
  name: Type.String(),
  address: Type.String(),
  agencyId: Uuid,
  agencyName: Type.String(),
  enabled: Type.Boolean(),
  /** Frames per second ingest samples from the stream. */
  sampleFps: Type.Number(),
  lat: Type.Union([Type.Number(), Type.Null()]),
  lng: Type.Union([Type.Number(), Type.Null()]),
  /** The stream URL without user information. */
  streamUrl: Type.String(),
  /** Whether a user name and password are stored for the stream (never shown). */
  hasCredentials: Type.Boolean(),
  hasGeometry: Type.Boolean(),
  /** Ingest state from `camera_status`, `unknown` without a report. */
  state: Type.String(),
  /** Online and reported within the last minute. */
  online: Type.Boolean(),
  updatedAt: IsoDateTime,
});
export type AdminCamera = Static<typeof AdminCamera>;
export const AdminCameraList = Type.Object({ items: Type.Array(AdminCamera) });
export type AdminCameraList = Static<typeof AdminCameraList>;

export const StreamCredentialsSchema = Type.Object(
  { username: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);

/**
 * A new camera, or the fields of one to change (PATCH: any subset). Checked field by field by the service, so
 * every problem comes back as `errors: [{ path, message }]` naming its field.
 * `credentials`: absent keeps the stored ones, null removes them; credentials typed into the URL are moved here.
 */
export const CameraInput = Type.Object({
  name: Type.Optional(Type.String({ description: '1 to 200 characters' })),
  address: Type.Optional(Type.String({ description: 'up to 500 characters' })),
  agencyId: Type.Optional(Type.String({ description: 'an existing agency' })),
  streamUrl: Type.Optional(Type.String({ description: 'rtsp:// or rtsps:// URL with a host' })),
  credentials: Type.Optional(Type.Union([StreamCredentialsSchema, Type.Null()])),
  sampleFps: Type.Optional(Type.Number({ description: 'more than 0, at most 30' })),
  lat: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: '-90 to 90' })),
  lng: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: '-180 to 180' })),
  enabled: Type.Optional(Type.Boolean()),
});
export type CameraInput = Static<typeof CameraInput>;
/**
 * The body of a camera create or change: CameraInput's fields, a field left empty sent as null; accepted as anything
 * by the route and checked by the service, which names each field that is wrong or missing.
 */
export const CameraInputBody = Type.Unsafe<{ [K in keyof CameraInput]?: CameraInput[K] | null }>(
  Type.Unknown({ description: 'CameraInput (any subset to change one)' }),
);

/** Test a stream before saving: the URL typed, with credentials typed or (for a saved camera) the stored ones. */
export const StreamTestRequest = Type.Object(
  {
    streamUrl: Type.String({ maxLength: 2000 }),
    credentials: Type.Optional(Type.Union([StreamCredentialsSchema, Type.Null()])),
    /** A saved camera whose stored credentials are used when `credentials` is absent. */
    cameraId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type StreamTestRequest = Static<typeof StreamTestRequest>;

/** The stream's first picture (a JPEG data URL), or why there is none (ingest's error codes, credentials redacted). */
export const StreamTestResult = Type.Object({
  ok: Type.Boolean(),
  image: Type.Union([Type.String(), Type.Null()]),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
});
export type StreamTestResult = Static<typeof StreamTestResult>;

/** Changes to a user (any subset): display name, role, agency. */
export const UpdateUserRequest = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Type.Optional(RoleSchema),
    agencyId: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

/** A new password set by the administrator; every session of the user ends. */
export const ResetPasswordRequest = Type.Object({ password: Type.String({ minLength: 10, maxLength: 256 }) }, { additionalProperties: false });
export type ResetPasswordRequest = Static<typeof ResetPasswordRequest>;

/** Changes to an agency and its jurisdiction (province, commune) and contact (any subset). */
export const UpdateAgencyRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    kind: Type.Optional(Type.Union(AGENCY_KINDS.map((k) => Type.Literal(k)))),
    provinceCode: Type.Optional(Type.String({ pattern: '^[0-9]{2}$' })),
    commune: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
    address: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateAgencyRequest = Static<typeof UpdateAgencyRequest>;

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A registry import: the uploaded file is read by a background job; progress and the report as it goes. */
export const RegistryImport = Type.Object({
  id: Uuid,
  status: Type.Union(IMPORT_STATUSES.map((s) => Type.Literal(s))),
  fileName: Type.String(),
  bytesTotal: Type.Integer(),
  bytesRead: Type.Integer(),
  /** Data lines read so far (the header not counted). */
  rowsRead: Type.Integer(),
  accepted: Type.Integer(),
  rejectedCount: Type.Integer(),
  /** The first 100 rejected lines with their reasons. */
  rejected: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })),
  /** Why the whole import failed (a bad header), else null. */
  error: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoDateTime,
  finishedAt: Type.Union([IsoDateTime, Type.Null()]),
});
export type RegistryImport = Static<typeof RegistryImport>;
/** A registry CSV upload: the file's name, for the import list. */
export const RegistryImportQuery = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })) });
export type RegistryImportQuery = Static<typeof RegistryImportQuery>;

export const RegistryImportList = Type.Object({ items: Type.Array(RegistryImport) });
export type RegistryImportList = Static<typeof RegistryImportList>;

export { RETENTION_FIELDS, RETENTION_LIMITS, type RetentionField } from '../values';

/** What one run of the retention.purge job removed. */
export const RetentionRun = Type.Object({
  at: IsoDateTime,
  evidenceObjects: Type.Integer({ description: 'stills and crops of closed cases removed from storage' }),
  clipObjects: Type.Integer({ description: 'clips of closed cases removed from storage' }),
  rejectedObjects: Type.Integer({ description: 'evidence of rejected cases removed from storage' }),
  rejectedCasesScrubbed: Type.Integer({ description: 'rejected cases whose plate was erased' }),
  logRows: Type.Integer({ description: 'ended sessions, sign-in attempts and demo outbox messages deleted' }),
  unpublished: Type.Integer({ description: 'closed cases taken off the public lookup' }),
  heldCases: Type.Integer({ description: 'cases past their time kept for a legal hold' }),
});
export type RetentionRun = Static<typeof RetentionRun>;

export const RetentionSettings = Type.Object({
  evidenceDays: Type.Integer(),
  clipDays: Type.Integer(),
  rejectedDays: Type.Integer(),
  logDays: Type.Integer(),
  publicDays: Type.Integer(),
  updatedAt: IsoDateTime,
  lastRun: Type.Union([RetentionRun, Type.Null()]),
});
export type RetentionSettings = Static<typeof RetentionSettings>;
/** Any subset of the retention days; checked by the service, which names a field sent as text or out of its range. */
export const RetentionBody = Type.Unsafe<Partial<Record<RetentionField, number | string>>>(Type.Unknown({ description: 'any subset of the retention days' }));

export const LegalHoldRequest = Type.Object({ hold: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type LegalHoldRequest = Static<typeof LegalHoldRequest>;
export const LegalHoldResponse = Type.Object({ caseId: Uuid, legalHold: Type.Boolean(), reason: Type.Union([Type.String(), Type.Null()]) });
export type LegalHoldResponse = Static<typeof LegalHoldResponse>;
