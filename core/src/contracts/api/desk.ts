// Review-desk and outbox schemas of the back-office API: who is signed in, officer throughput, cameras by name,
// the outbox (caught e-mail and SMS, post batches) and a delivery retry.
import { Type, type Static } from '@sinclair/typebox';
import { UserSummary } from './auth';

export const SessionResponse = Type.Object({ user: Type.Union([UserSummary, Type.Null()]) });

export const ThroughputResponse = Type.Object({
  /** Decisions (confirm or reject) by this officer in the last hour, and today (Vietnam time). */
  lastHour: Type.Integer(),
  today: Type.Integer(),
  /** Decisions per hour over today's working span (first to last decision, at least one hour). */
  perHour: Type.Number(),
  /** Share of today's decisions that confirmed the case (0-1); null before the first decision. */
  approvalRate: Type.Union([Type.Number(), Type.Null()]),
  /** The same per officer of the agency today, busiest first. */
  officers: Type.Array(Type.Object({ username: Type.String(), decisions: Type.Integer(), perHour: Type.Number() })),
});

export const DeskCameras = Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) });
export type SessionResponse = Static<typeof SessionResponse>;
export type ThroughputResponse = Static<typeof ThroughputResponse>;
export type DeskCameras = Static<typeof DeskCameras>;

export const OutboxResponse = Type.Object({
  catcher: Type.Boolean({ description: 'whether this deployment delivers to the local mail catcher and SMS sink (development)' }),
  emails: Type.Array(
    Type.Object({
      id: Type.String(),
      to: Type.String(),
      from: Type.String(),
      subject: Type.String(),
      text: Type.String(),
      receivedAt: Type.String(),
      attachments: Type.Array(Type.Object({ n: Type.Integer(), filename: Type.String(), contentType: Type.String(), size: Type.Integer() })),
    }),
  ),
  sms: Type.Array(Type.Object({ id: Type.String(), to: Type.String(), text: Type.String(), receivedAt: Type.String() })),
  postBatches: Type.Array(Type.Object({ id: Type.String(), createdAt: Type.String(), notices: Type.Integer(), sha256: Type.String() })),
});
export type OutboxResponse = Static<typeof OutboxResponse>;

export const AttachmentParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), n: Type.Integer({ minimum: 0, maximum: 20 }) },
  { additionalProperties: false },
);

export const DeliveryRetryResponse = Type.Object({ id: Type.String(), status: Type.String() });
export type DeliveryRetryResponse = Static<typeof DeliveryRetryResponse>;

/** The post batch just made of the agency's printed notices not yet in one; batchId null when there were none. */
export const PostBatchResponse = Type.Object({
  batchId: Type.Union([Type.String(), Type.Null()]),
  count: Type.Integer(),
  sha256: Type.Union([Type.String(), Type.Null()]),
});
export type PostBatchResponse = Static<typeof PostBatchResponse>;
