// The endpoint table: each JSON endpoint of the back-office API under its method and path, with the schemas of its
// path parameters, query, body and answer. The api's routes use these same schema objects (api/test/endpoints.test.ts
// checks each entry against the registered route), and the review UI's client infers every request and answer type
// from this table (`call('GET /api/cases/:id', { params: { id } })`, type-only import), so a contract change breaks
// the UI's type check (review-ui/test/contract-types.test.ts).
// Files answered as bytes (PDF, JPEG, CSV) and event streams are links, not calls: they are not in the table.
import type { Static, TSchema } from '@sinclair/typebox';
import { IdParams, OkResponse } from './common';
import { AdminUserList, AgencyList, Agency, ApiTokenItem, ApiTokenList, CreateAgencyRequest, CreateApiTokenRequest, CreateApiTokenResponse } from './auth';
import { CreateUserRequest, LoginRequest, LoginResponse, UserStateResponse, UserSummary } from './auth';
import {
  AdminCamera,
  AdminCameraList,
  CameraInputBody,
  LegalHoldRequest,
  LegalHoldResponse,
  RegistryImport,
  RegistryImportList,
  RegistryImportQuery,
  ResetPasswordRequest,
  RetentionBody,
  RetentionSettings,
  StreamTestRequest,
  StreamTestResult,
  UpdateAgencyRequest,
  UpdateUserRequest,
} from './admin';
import { CameraGeometryBody, CameraLamps, CameraList, CameraSummary } from './cameras';
import {
  ApproveRequest,
  CaseActionResponse,
  CaseDetail,
  ClaimResponse,
  ConfirmRequest,
  CorrectPlateRequest,
  IssueNoticeResponse,
  OwnerResponseRequest,
  QueueQuery,
  QueueResponse,
  RejectRequest,
  ResolveRequest,
  ReturnRequest,
} from './cases';
import { CameraGeometrySchema } from '../camera-geometry';
import { DeliveryRetryResponse, DeskCameras, OutboxResponse, PostBatchResponse, SessionResponse, ThroughputResponse } from './desk';
import {
  AgencyOptions,
  CaseIdentification,
  IdentifyRequest,
  IdentifyResponse,
  RegistrySearchQuery,
  RegistrySearchResponse,
  RouteRequest,
} from './identification';
import { LookupChallengeResponse, LookupRequest, LookupResponse, PublicCaseResponse, PublicTokenParams } from './lookup';
import { FineSchedule, NewFineVersionRequest, OffenceList, RegistryQuery, RegistryVehicle } from './registry';
import {
  CaseDecisionResponse,
  Decision,
  Mismatch,
  MismatchList,
  MismatchQuery,
  PaymentImport,
  PaymentImportList,
  PaymentImportQuery,
  RecordDecisionRequest,
  ReportAgencyList,
  ReportKindParams,
  ReportQuery,
  ReportSchedule,
  ReportScheduleList,
  ReportScheduleRequest,
  ReportTable,
  ResolveMismatchRequest,
} from './reports';
import { CitizenOverview, CitizenResponseRequest, LogoutResponse, SignInOptions } from './sign-in';
import { StatsSnapshot } from './stats';

/** One endpoint: its schemas, and the status of a success when it is not 200. */
export interface Endpoint {
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /** The request body is a file sent as it is (CSV, JSON bytes), not a JSON document. */
  file?: true;
  response: TSchema;
  status?: 201 | 202;
}

export const endpoints = {
  // sign-in and session
  'POST /api/auth/login': { body: LoginRequest, response: LoginResponse },
  'POST /api/auth/logout': { response: LogoutResponse },
  'GET /api/auth/me': { response: UserSummary },
  'GET /api/auth/options': { response: SignInOptions },
  'GET /api/session': { response: SessionResponse },

  // review queue and case (officer)
  'GET /api/cases': { query: QueueQuery, response: QueueResponse },
  'GET /api/cases/:id': { params: IdParams, response: CaseDetail },
  'POST /api/cases/:id/claim': { params: IdParams, response: ClaimResponse },
  'POST /api/cases/:id/release': { params: IdParams, response: CaseActionResponse },
  'POST /api/cases/:id/confirm': { params: IdParams, body: ConfirmRequest, response: CaseActionResponse },
  'POST /api/cases/:id/reject': { params: IdParams, body: RejectRequest, response: CaseActionResponse },
  'POST /api/cases/:id/plate': { params: IdParams, body: CorrectPlateRequest, response: CaseActionResponse },
  'GET /api/registry/vehicles': { query: RegistryQuery, response: RegistryVehicle },
  'GET /api/desk/throughput': { response: ThroughputResponse },
  'GET /api/desk/cameras': { response: DeskCameras },

  // identification
  'GET /api/registry/search': { query: RegistrySearchQuery, response: RegistrySearchResponse },
  'GET /api/cases/:id/identification': { params: IdParams, response: CaseIdentification },
  'POST /api/cases/:id/identify': { params: IdParams, body: IdentifyRequest, response: IdentifyResponse },
  'POST /api/cases/:id/route': { params: IdParams, body: RouteRequest, response: IdentifyResponse },
  'GET /api/police-units': { response: AgencyOptions },

  // supervisor
  'POST /api/cases/:id/approve': { params: IdParams, body: ApproveRequest, response: CaseActionResponse },
  'POST /api/cases/:id/return': { params: IdParams, body: ReturnRequest, response: CaseActionResponse },
  'POST /api/cases/:id/notice': { params: IdParams, response: IssueNoticeResponse },
  'POST /api/cases/:id/responses': { params: IdParams, body: OwnerResponseRequest, response: CaseActionResponse },
  'POST /api/cases/:id/resolve': { params: IdParams, body: ResolveRequest, response: CaseActionResponse },
  'POST /api/deliveries/:id/retry': { params: IdParams, response: DeliveryRetryResponse },
  'POST /api/post-batches': { response: PostBatchResponse },
  'GET /api/outbox': { response: OutboxResponse },

  // decisions and payments
  'GET /api/cases/:id/decision': { params: IdParams, response: CaseDecisionResponse },
  'POST /api/cases/:id/decision': { params: IdParams, body: RecordDecisionRequest, response: Decision, status: 201 },
  'POST /api/payments/imports': { query: PaymentImportQuery, file: true, response: PaymentImport, status: 202 },
  'GET /api/payments/imports': { response: PaymentImportList },
  'GET /api/payments/imports/:id': { params: IdParams, response: PaymentImport },
  'GET /api/payments/mismatches': { query: MismatchQuery, response: MismatchList },
  'POST /api/payments/mismatches/:id/resolve': { params: IdParams, body: ResolveMismatchRequest, response: Mismatch },

  // reports
  'GET /api/report-agencies': { response: ReportAgencyList },
  'GET /api/reports/:kind': { params: ReportKindParams, query: ReportQuery, response: ReportTable },
  'GET /api/report-schedules': { response: ReportScheduleList },
  'POST /api/report-schedules': { body: ReportScheduleRequest, response: ReportSchedule, status: 201 },
  'POST /api/report-schedules/:id/stop': { params: IdParams, response: OkResponse },

  // operations wall
  'GET /api/stats': { response: StatsSnapshot },

  // cameras and their geometry
  'GET /api/cameras': { response: CameraList },
  'GET /api/cameras/:id': { params: IdParams, response: CameraSummary },
  'GET /api/cameras/:id/geometry': { params: IdParams, response: CameraGeometrySchema },
  'PUT /api/cameras/:id/geometry': { params: IdParams, body: CameraGeometryBody, response: CameraGeometrySchema },
  'GET /api/cameras/:id/lamps': { params: IdParams, response: CameraLamps },

  // administrator console
  'GET /api/admin/cameras': { response: AdminCameraList },
  'GET /api/admin/cameras/:id': { params: IdParams, response: AdminCamera },
  'POST /api/admin/cameras': { body: CameraInputBody, response: AdminCamera, status: 201 },
  'PATCH /api/admin/cameras/:id': { params: IdParams, body: CameraInputBody, response: AdminCamera },
  'POST /api/admin/cameras/test-stream': { body: StreamTestRequest, response: StreamTestResult },
  'GET /api/admin/retention': { response: RetentionSettings },
  'PUT /api/admin/retention': { body: RetentionBody, response: RetentionSettings },
  'POST /api/admin/cases/:id/legal-hold': { params: IdParams, body: LegalHoldRequest, response: LegalHoldResponse },
  'GET /api/admin/users': { response: AdminUserList },
  'POST /api/admin/users': { body: CreateUserRequest, response: UserSummary, status: 201 },
  'PATCH /api/admin/users/:id': { params: IdParams, body: UpdateUserRequest, response: AdminUserList.properties.items.items },
  'POST /api/admin/users/:id/activate': { params: IdParams, response: UserStateResponse },
  'POST /api/admin/users/:id/deactivate': { params: IdParams, response: UserStateResponse },
  'POST /api/admin/users/:id/sessions/revoke': { params: IdParams, response: UserStateResponse },
  'POST /api/admin/users/:id/password': { params: IdParams, body: ResetPasswordRequest, response: UserStateResponse },
  'GET /api/admin/tokens': { response: ApiTokenList },
  'POST /api/admin/tokens': { body: CreateApiTokenRequest, response: CreateApiTokenResponse, status: 201 },
  'POST /api/admin/tokens/:id/revoke': { params: IdParams, response: ApiTokenItem },
  'POST /api/admin/registry/imports': { query: RegistryImportQuery, file: true, response: RegistryImport, status: 202 },
  'GET /api/admin/registry/imports': { response: RegistryImportList },
  'GET /api/admin/registry/imports/:id': { params: IdParams, response: RegistryImport },
  'GET /api/admin/fines': { response: FineSchedule },
  'GET /api/admin/fines/offences': { response: OffenceList },
  'POST /api/admin/fines': { body: NewFineVersionRequest, response: FineSchedule, status: 201 },
  'GET /api/admin/agencies': { response: AgencyList },
  'POST /api/admin/agencies': { body: CreateAgencyRequest, response: Agency, status: 201 },
  'PATCH /api/admin/agencies/:id': { params: IdParams, body: UpdateAgencyRequest, response: Agency },

  // citizens
  'GET /api/public/challenge': { response: LookupChallengeResponse },
  'POST /api/public/lookup': { body: LookupRequest, response: LookupResponse },
  'GET /api/public/cases/:token': { params: PublicTokenParams, response: PublicCaseResponse },
  'GET /api/citizen/me': { response: CitizenOverview },
  'POST /api/citizen/cases/:id/responses': { params: IdParams, body: CitizenResponseRequest, response: OkResponse },
  'POST /api/citizen/logout': { response: LogoutResponse },
} as const satisfies Record<string, Endpoint>;

export type Endpoints = typeof endpoints;
export type EndpointKey = keyof Endpoints;

type StaticOf<E, F extends string> = E extends { [P in F]: infer S extends TSchema } ? Static<S> : never;

/** What a call of the endpoint sends: path parameters and body when it has them (required), its query (optional). */
export type EndpointRequest<K extends EndpointKey> = ([StaticOf<Endpoints[K], 'params'>] extends [never]
  ? unknown
  : { params: StaticOf<Endpoints[K], 'params'> }) &
  ([StaticOf<Endpoints[K], 'query'>] extends [never] ? unknown : { query?: StaticOf<Endpoints[K], 'query'> }) &
  ([StaticOf<Endpoints[K], 'body'>] extends [never] ? unknown : { body: StaticOf<Endpoints[K], 'body'> }) &
  (Endpoints[K] extends { file: true } ? { file: { body: Blob; contentType: string } } : unknown);

/** What the endpoint answers on success. */
export type EndpointResponse<K extends EndpointKey> = Static<Endpoints[K]['response']>;
