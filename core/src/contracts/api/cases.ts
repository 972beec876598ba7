// Case, review queue and supervisor workflow schemas of the back-office API.
import { Type, type Static } from '@sinclair/typebox';
import { CaseVehicleTypeSchema, IsoDateTime, PlateColourSchema, Uuid, ViolationTypeSchema } from './common';
import { BoxSchema, RuleDetailSchema, SignalStateSchema } from '../violation-event';

/**
 * detected → confirmed (officer) → approved (a different supervisor) → notified (notice issued)
 * → resolved | escalated (20 days without response) | lapsed (1 year); detected → rejected (officer);
 * confirmed → detected (supervisor returns it); escalated → resolved | lapsed.
 */
export const CASE_STATUSES = ['detected', 'confirmed', 'approved', 'notified', 'resolved', 'escalated', 'lapsed', 'rejected'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CaseStatusSchema = Type.Union(CASE_STATUSES.map((s) => Type.Literal(s)));

export const REJECT_REASONS = ['stopped_before_line', 'emergency_vehicle', 'plate_unreadable', 'image_unclear', 'duplicate', 'not_violation', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export const RejectReasonSchema = Type.Union(REJECT_REASONS.map((s) => Type.Literal(s)));

export { DEADLINE_KINDS, type DeadlineKind } from '../values';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CasePlate = Type.Object({
  text: Nullable(Type.String()),
  colour: Nullable(PlateColourSchema),
  confidence: Type.Number(),
  needsManualEntry: Type.Boolean(),
  /** Detector's original read when an officer corrected it. */
  originalText: Nullable(Type.String()),
});
export type CasePlate = Static<typeof CasePlate>;

export const CaseSummary = Type.Object({
  id: Uuid,
  status: CaseStatusSchema,
  type: ViolationTypeSchema,
  cameraId: Type.String(),
  cameraName: Type.String(),
  place: Type.String(),
  agencyId: Type.String(),
  occurredAt: IsoDateTime,
  createdAt: IsoDateTime,
  vehicleType: CaseVehicleTypeSchema,
  plate: CasePlate,
  /** Unknown plate in the registry or no plate read: needs manual handling. */
  manualHandling: Type.Boolean(),
  manualReason: Nullable(Type.String()),
  claimedBy: Nullable(Type.String({ description: 'username holding the claim' })),
  claimedUntil: Nullable(IsoDateTime),
  noticeDueAt: IsoDateTime,
  atRisk: Type.Boolean({ description: 'notice deadline near and no notice yet' }),
  overdue: Type.Boolean({ description: 'notice deadline passed without a notice' }),
  /** The last check of an evidence file of this case found it replaced or gone (the case detail checks them again). */
  evidenceTampered: Type.Boolean(),
});
export type CaseSummary = Static<typeof CaseSummary>;

export const QueueQuery = Type.Object(
  {
    status: Type.Optional(CaseStatusSchema),
    cameraId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Part of the camera's name (case-insensitive). */
    cameraName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** Whole or partial plate (punctuation ignored); without `status` it searches every status of the agency's cases. */
    plate: Type.Optional(Type.String({ minLength: 2, maxLength: 20 })),
    type: Type.Optional(ViolationTypeSchema),
    from: Type.Optional(IsoDateTime),
    to: Type.Optional(IsoDateTime),
    minConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    maxConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    manualOnly: Type.Optional(Type.Boolean()),
    atRiskOnly: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
  },
  { additionalProperties: false },
);
export type QueueQuery = Static<typeof QueueQuery>;

/** Ordered by notice deadline, then by age (oldest first). */
export const QueueResponse = Type.Object({ items: Type.Array(CaseSummary), total: Type.Integer() });
export type QueueResponse = Static<typeof QueueResponse>;

export const EvidenceItem = Type.Object({
  id: Uuid,
  kind: Type.String(),
  contentType: Type.String(),
  sha256: Type.String(),
  size: Type.Integer(),
  capturedAt: IsoDateTime,
  /** Short-lived signed URL; null when storage is not configured. */
  url: Nullable(Type.String()),
  /** The stored bytes against the SHA-256 recorded at capture, checked as the case is shown (absent without storage). */
  integrity: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('tampered'), Type.Literal('missing')])),
  /** The SHA-256 of the bytes found in storage, when they differ from `sha256` (tampered). */
  foundSha256: Type.Optional(Type.String()),
  /** The stored file's name (the last part of its key), to say which file an integrity problem is about. */
  fileName: Type.String(),
});
export type EvidenceItem = Static<typeof EvidenceItem>;

export const DeadlineItem = Type.Object({
  kind: Type.String(),
  dueAt: IsoDateTime,
  /** met: the duty was done in time (the notice reached the owner before notice_due). */
  status: Type.Union([Type.Literal('pending'), Type.Literal('fired'), Type.Literal('cancelled'), Type.Literal('met')]),
  firedAt: Nullable(IsoDateTime),
});
export type DeadlineItem = Static<typeof DeadlineItem>;

export const FineInfo = Type.Object({
  offence: Type.String(),
  description: Type.String(),
  article: Type.String(),
  legalBasis: Type.String(),
  fineMin: Type.Integer(),
  fineMax: Type.Integer(),
  points: Type.Integer(),
});
export type FineInfo = Static<typeof FineInfo>;

export const HistoryItem = Type.Object({
  at: IsoDateTime,
  actor: Nullable(Type.String()),
  action: Type.String(),
  data: Type.Unknown(),
});
export type HistoryItem = Static<typeof HistoryItem>;

export const OwnerInfo = Type.Object({
  fullName: Type.String(),
  address: Type.String(),
  provinceCode: Type.String(),
  commune: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
});
export type OwnerInfo = Static<typeof OwnerInfo>;

export const NoticeInfo = Type.Object({
  id: Uuid,
  number: Type.String(),
  issuedAt: IsoDateTime,
  resolveBy: IsoDateTime,
  sha256: Type.String(),
  deliveries: Type.Array(
    Type.Object({
      id: Uuid,
      channel: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      lastError: Nullable(Type.String()),
      sentAt: Nullable(IsoDateTime),
    }),
  ),
});
export type NoticeInfo = Static<typeof NoticeInfo>;

export const CaseDetail = Type.Composite([
  CaseSummary,
  Type.Object({
    ruleSummary: Type.String(),
    /** The signal state the rule used, as the detector's event carries it (null for a stored event that no longer matches its schema). */
    signal: Nullable(SignalStateSchema),
    /** Vehicle box [x1, y1, x2, y2] at the violation frame, in pixels of `ruleDetail.frameSize`. */
    box: Nullable(BoxSchema),
    /** The event's rule detail: where the rule looked (ids in the camera's geometry), the frame size the box refers to, the speed measured. */
    ruleDetail: Nullable(RuleDetailSchema),
    /** The detector's leading plate read when its vote was too weak to be the plate: shown to the officer as a suggestion, never stored as the plate. */
    plateSuggestion: Nullable(Type.String()),
    /** Frame rate of the evidence clip when known (frame stepping); null: unknown. */
    clipFps: Nullable(Type.Number({ exclusiveMinimum: 0 })),
    evidence: Type.Array(EvidenceItem),
    /** False when any evidence item does not hash as recorded: the case cannot be confirmed, approved or noticed. */
    evidenceIntact: Type.Optional(Type.Boolean()),
    confirmedBy: Nullable(Type.String()),
    confirmedAt: Nullable(IsoDateTime),
    approvedBy: Nullable(Type.String()),
    approvedAt: Nullable(IsoDateTime),
    rejection: Nullable(Type.Object({ reason: RejectReasonSchema, text: Nullable(Type.String()) })),
    fine: Nullable(FineInfo),
    owner: Nullable(OwnerInfo),
    resolvingAgencyId: Nullable(Type.String()),
    notice: Nullable(NoticeInfo),
    deadlines: Type.Array(DeadlineItem),
    warnings: Type.Array(Type.Object({ target: Type.String(), createdAt: IsoDateTime, liftedAt: Nullable(IsoDateTime) })),
    history: Type.Array(HistoryItem),
  }),
]);
export type CaseDetail = Static<typeof CaseDetail>;

export const ClaimResponse = Type.Object({ caseId: Uuid, claimedBy: Type.String(), claimedUntil: IsoDateTime });
export type ClaimResponse = Static<typeof ClaimResponse>;

/** Confirm one case (never bulk). Optional plate correction, validated against the plate formats. */
export const ConfirmRequest = Type.Object(
  {
    plateText: Type.Optional(Type.String({ minLength: 4, maxLength: 20 })),
    plateColour: Type.Optional(PlateColourSchema),
    vehicleType: Type.Optional(CaseVehicleTypeSchema),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type ConfirmRequest = Static<typeof ConfirmRequest>;

export const CorrectPlateRequest = Type.Object(
  {
    plateText: Type.String({ minLength: 4, maxLength: 20 }),
    plateColour: Type.Optional(PlateColourSchema),
    vehicleType: Type.Optional(CaseVehicleTypeSchema),
  },
  { additionalProperties: false },
);
export type CorrectPlateRequest = Static<typeof CorrectPlateRequest>;

/** `text` is required when reason is `other`. */
export const RejectRequest = Type.Object(
  { reason: RejectReasonSchema, text: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
  { additionalProperties: false },
);
export type RejectRequest = Static<typeof RejectRequest>;

export const ApproveRequest = Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
export type ApproveRequest = Static<typeof ApproveRequest>;

export const ReturnRequest = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export type ReturnRequest = Static<typeof ReturnRequest>;

export const IssueNoticeResponse = Type.Object({ noticeId: Uuid, number: Type.String(), sha256: Type.String(), resolveBy: IsoDateTime });
export type IssueNoticeResponse = Static<typeof IssueNoticeResponse>;

export const OwnerResponseRequest = Type.Object(
  {
    kind: Type.Union([Type.Literal('response'), Type.Literal('complaint')]),
    driverName: Type.Optional(Type.String({ maxLength: 200 })),
    text: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);
export type OwnerResponseRequest = Static<typeof OwnerResponseRequest>;

export const ResolveRequest = Type.Object(
  {
    outcome: Type.Union([Type.Literal('fine_paid'), Type.Literal('decision_issued'), Type.Literal('dismissed')]),
    text: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);
export type ResolveRequest = Static<typeof ResolveRequest>;

export const CaseActionResponse = Type.Object({ id: Uuid, status: CaseStatusSchema });
export type CaseActionResponse = Static<typeof CaseActionResponse>;
