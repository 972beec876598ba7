// Login, session and user schemas of the back-office API.
import { Type, type Static } from '@sinclair/typebox';
import { IsoDateTime, RoleSchema, Uuid } from './common';

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const UserSummary = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  agencyId: Type.Union([Type.String(), Type.Null()]),
  agencyName: Type.Union([Type.String(), Type.Null()]),
});
export type UserSummary = Static<typeof UserSummary>;

/**
 * The session token is only in the HttpOnly cookie `pn_session` (never in the body, where a script could read it);
 * clients that are not browsers take it from the cookie and may send it as `Authorization: Bearer <token>`.
 */
export const LoginResponse = Type.Object({
  expiresAt: IsoDateTime,
  user: UserSummary,
});
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateUserRequest = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z0-9._-]+$' }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 10, maxLength: 256 }),
    role: RoleSchema,
    agencyId: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const UserList = Type.Object({ items: Type.Array(UserSummary) });
export type UserList = Static<typeof UserList>;

/** The admin's user list: each user with whether they may sign in. */
export const AdminUserList = Type.Object({ items: Type.Array(Type.Composite([UserSummary, Type.Object({ active: Type.Boolean() })])) });
export type AdminUserList = Static<typeof AdminUserList>;

/** After deactivate / activate / revoke sessions: the user's state and how many live sessions were ended. */
export const UserStateResponse = Type.Object({ id: Uuid, active: Type.Boolean(), sessionsRevoked: Type.Integer() });
export type UserStateResponse = Static<typeof UserStateResponse>;

/** A worker API token as listed (never the token itself). */
export const ApiTokenItem = Type.Object({
  id: Uuid,
  name: Type.String(),
  role: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoDateTime,
  revokedAt: Type.Union([IsoDateTime, Type.Null()]),
});
export type ApiTokenItem = Static<typeof ApiTokenItem>;
export const ApiTokenList = Type.Object({ items: Type.Array(ApiTokenItem) });
export type ApiTokenList = Static<typeof ApiTokenList>;

export const CreateApiTokenRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Union([Type.Literal('worker')]),
  },
  { additionalProperties: false },
);
export type CreateApiTokenRequest = Static<typeof CreateApiTokenRequest>;

/** The token is shown once; only its hash is stored. */
export const CreateApiTokenResponse = Type.Object({ id: Uuid, name: Type.String(), token: Type.String() });
export type CreateApiTokenResponse = Static<typeof CreateApiTokenResponse>;

export const AGENCY_KINDS = ['traffic_police', 'commune_police', 'inspection', 'registration'] as const;
export const Agency = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  kind: Type.Union(AGENCY_KINDS.map((k) => Type.Literal(k))),
  provinceCode: Type.String(),
  commune: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
});
export type Agency = Static<typeof Agency>;
export const AgencyList = Type.Object({ items: Type.Array(Agency) });
export type AgencyList = Static<typeof AgencyList>;
export const CreateAgencyRequest = Type.Object(
  {
    code: Type.String({ minLength: 2, maxLength: 32, pattern: '^[A-Z0-9-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Union(AGENCY_KINDS.map((k) => Type.Literal(k))),
    provinceCode: Type.String({ pattern: '^[0-9]{2}$' }),
    commune: Type.Optional(Type.String({ maxLength: 200 })),
    phone: Type.Optional(Type.String({ maxLength: 50 })),
    address: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type CreateAgencyRequest = Static<typeof CreateAgencyRequest>;
