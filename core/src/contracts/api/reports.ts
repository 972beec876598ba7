// Penalty decisions, payment reconciliation and reports: schemas shared by the api and the review UI.
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, Uuid, ViolationTypeSchema } from './common';
import { PAYMENT_SOURCES, REPORT_KINDS } from '../values';
export { PAYMENT_SOURCES, REPORT_KINDS, type PaymentSource, type ReportKind } from '../values';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** A calendar day, yyyy-mm-dd (Vietnam time when it bounds a period). */
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-mm-dd' });

/** Number and symbol of a penalty decision: `123/QĐ-XPHC`. */
export const DECISION_NUMBER_RE = /^\d{1,9}\/QĐ-[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*$/u;

export const RecordDecisionRequest = Type.Object(
  {
    /** Fine in VND; must lie within the schedule's range for the offence. */
    amount: Type.Integer({ minimum: 1 }),
    /** Licence points deducted; at most the schedule's points (default: the schedule's). */
    points: Type.Optional(Type.Integer({ minimum: 0, maximum: 12 })),
    /** Number with symbol when the paper decision has one already; default: the next of the unit's sequence. */
    number: Type.Optional(Type.String({ minLength: 5, maxLength: 40 })),
    /** Day of the decision (default: today, Vietnam time). */
    decidedOn: Type.Optional(IsoDate),
    /** The person with authority who signs it (default: the signed-in user) and the title printed above the name. */
    officerName: Type.Optional(Type.String({ minLength: 2, maxLength: 100 })),
    officerTitle: Type.Optional(Type.String({ minLength: 2, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type RecordDecisionRequest = Static<typeof RecordDecisionRequest>;

export const Decision = Type.Object({
  id: Uuid,
  caseId: Uuid,
  number: Type.String(),
  decidedOn: IsoDate,
  officerName: Type.String(),
  officerTitle: Type.String(),
  amount: Type.Integer(),
  points: Type.Integer(),
  fineMin: Type.Integer(),
  fineMax: Type.Integer(),
  payBy: IsoDate,
  lapsesOn: IsoDate,
  status: Type.Union([Type.Literal('unpaid'), Type.Literal('paid')]),
  paidAt: Nullable(IsoDateTime),
});
export type Decision = Static<typeof Decision>;

export const PAYMENT_CHANNELS = ['bank', 'portal', 'app', 'counter', 'post'] as const;
export type PaymentChannel = (typeof PAYMENT_CHANNELS)[number];
export const MISMATCH_KINDS = ['unknown_decision', 'wrong_amount', 'paid_twice', 'paid_after_lapse'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/**
 * Where a payment file comes from (docs/payments.md): the documented format, a payment gateway's transaction export,
 * the National Public Service Portal's payment results, a bank account statement.
 */
export const PaymentSourceSchema = Type.Union(PAYMENT_SOURCES.map((s) => Type.Literal(s)));

export const PaymentImport = Type.Object({
  id: Uuid,
  filename: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('json')]),
  source: PaymentSourceSchema,
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  total: Nullable(Type.Integer()),
  processed: Type.Integer(),
  matched: Type.Integer(),
  duplicates: Type.Integer(),
  mismatched: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), message: Type.String() })),
  createdAt: IsoDateTime,
  finishedAt: Nullable(IsoDateTime),
});
export type PaymentImport = Static<typeof PaymentImport>;
export const PaymentImportList = Type.Object({ items: Type.Array(PaymentImport) });

export const Mismatch = Type.Object({
  id: Uuid,
  importId: Uuid,
  line: Type.Integer(),
  kind: Type.Union(MISMATCH_KINDS.map((k) => Type.Literal(k))),
  decisionNumber: Type.String(),
  amount: Type.Integer(),
  expectedAmount: Nullable(Type.Integer()),
  paidAt: IsoDateTime,
  channel: Type.String(),
  reference: Type.String(),
  resolution: Nullable(Type.Union([Type.Literal('accepted'), Type.Literal('dismissed')])),
  resolutionNote: Nullable(Type.String()),
});
export type Mismatch = Static<typeof Mismatch>;
export const MismatchList = Type.Object({ items: Type.Array(Mismatch) });

export const ResolveMismatchRequest = Type.Object(
  {
    /** accepted: the payment settles the decision (closing its case); dismissed: it does not (refund, not ours). */
    action: Type.Union([Type.Literal('accept'), Type.Literal('dismiss')]),
    /** For an unknown decision accepted: the decision the payment was meant for. */
    decisionNumber: Type.Optional(Type.String({ minLength: 5, maxLength: 40 })),
    note: Type.String({ minLength: 3, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type ResolveMismatchRequest = Static<typeof ResolveMismatchRequest>;

export const ReportKindSchema = Type.Union(REPORT_KINDS.map((k) => Type.Literal(k)));

export const ReportQuery = Type.Object(
  {
    from: IsoDate,
    to: IsoDate,
    /** before-after: the first day of "after" (e.g. when notices started). */
    split: Type.Optional(IsoDate),
    /** outcomes: the period each row covers. */
    period: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('month'), Type.Literal('year')])),
    /** before-after: one violation type only (e.g. red_light). */
    type: Type.Optional(ViolationTypeSchema),
    agencyId: Type.Optional(Uuid),
    /** Language of the file's headings. */
    lang: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('pdf')])),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuery>;

/**
 * The agencies a user may report on: every agency for admins and operators (who may also ask for all of them at once,
 * \`all\`), the supervisor's own agency only for a supervisor.
 */
export const ReportAgencyList = Type.Object({
  all: Type.Boolean(),
  items: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
});
export type ReportAgencyList = Static<typeof ReportAgencyList>;

/**
 * A report as a table: column keys with their kind (int: a count; number: an average such as cases per day; share: a
 * fraction shown as a percentage; date: yyyy-mm-dd); rows of plain values; the totals row.
 */
export const ReportColumn = Type.Object({
  key: Type.String(),
  kind: Type.Union((['text', 'date', 'int', 'number', 'share'] as const).map((k) => Type.Literal(k))),
});
export const ReportTable = Type.Object({
  kind: ReportKindSchema,
  from: IsoDate,
  to: IsoDate,
  columns: Type.Array(ReportColumn),
  rows: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()]))),
  totals: Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()])),
});
export type ReportTable = Static<typeof ReportTable>;

export const ReportScheduleRequest = Type.Object(
  {
    report: ReportKindSchema,
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('pdf')]),
    every: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
    recipients: Type.Array(Type.String({ format: 'email', maxLength: 200 }), { minItems: 1, maxItems: 50 }),
    split: Type.Optional(IsoDate),
    period: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('month'), Type.Literal('year')])),
  },
  { additionalProperties: false },
);
export type ReportScheduleRequest = Static<typeof ReportScheduleRequest>;
export const ReportSchedule = Type.Object({
  id: Uuid,
  report: ReportKindSchema,
  format: Type.String(),
  every: Type.String(),
  recipients: Type.Array(Type.String()),
  nextRunAt: IsoDateTime,
  lastRunAt: Nullable(IsoDateTime),
  lastError: Nullable(Type.String()),
});
export type ReportSchedule = Static<typeof ReportSchedule>;
export const ReportScheduleList = Type.Object({ items: Type.Array(ReportSchedule) });

/** A case's penalty decision, null before one is recorded. */
export const CaseDecisionResponse = Type.Object({ decision: Type.Union([Decision, Type.Null()]) });
export type CaseDecisionResponse = Static<typeof CaseDecisionResponse>;

/** A payment file upload: its name, and whose export it is (docs/payments.md; detected from the file when not given). */
export const PaymentImportQuery = Type.Object(
  { filename: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })), source: Type.Optional(PaymentSourceSchema) },
  { additionalProperties: false },
);
export type PaymentImportQuery = Static<typeof PaymentImportQuery>;

/** Mismatches of one import, or of all; open ones only unless `all`. */
export const MismatchQuery = Type.Object(
  { importId: Type.Optional(Type.String({ format: 'uuid' })), all: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type MismatchQuery = Static<typeof MismatchQuery>;

export const ReportKindParams = Type.Object({ kind: ReportKindSchema }, { additionalProperties: false });
export type ReportKindParams = Static<typeof ReportKindParams>;
