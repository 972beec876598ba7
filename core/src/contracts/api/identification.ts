// Vehicle identification (Circular 73/2024/TT-BCA Art. 24): a case whose plate the registry does not know is
// identified by an officer or supervisor (registry search, owner entered by hand) or routed to the police of
// the owner's locality. Back-office only; every read of personal data and every change is audited.
import { Type, type Static } from '@sinclair/typebox';
import { CaseVehicleTypeSchema, PlateColourSchema, Uuid } from './common';
import { OwnerInfo } from './cases';

/** Where the identification of a case stands. */
export const IDENTIFICATION_STATES = ['identified', 'not_in_registry', 'plate_unread'] as const;
export type IdentificationState = (typeof IDENTIFICATION_STATES)[number];

/** The registry's description of the vehicle, for the officer to compare with the plate crop. */
export const RegistryVehicleInfo = Type.Object({
  plate: Type.String(),
  plateColour: PlateColourSchema,
  vehicleType: CaseVehicleTypeSchema,
  brand: Type.Union([Type.String(), Type.Null()]),
  colour: Type.Union([Type.String(), Type.Null()]),
  source: Type.String({ description: 'import | manual | demo' }),
});
export type RegistryVehicleInfo = Static<typeof RegistryVehicleInfo>;

export const CaseIdentification = Type.Object({
  state: Type.Union(IDENTIFICATION_STATES.map((s) => Type.Literal(s))),
  vehicle: Type.Union([RegistryVehicleInfo, Type.Null()]),
  resolvingAgency: Type.Union([Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }), Type.Null()]),
  /** True when the resolving agency is not the detecting one (the owner lives elsewhere). */
  routed: Type.Boolean(),
});
export type CaseIdentification = Static<typeof CaseIdentification>;

export const RegistrySearchQuery = Type.Object(
  {
    /** A whole or partial plate; punctuation and case are ignored (`123.4`, `63a`, `63A-123`). */
    plate: Type.Optional(Type.String({ minLength: 2, maxLength: 20, pattern: '^[0-9A-Za-zĐđ .-]+$' })),
    vehicleType: Type.Optional(CaseVehicleTypeSchema),
    /** Vehicle colour as registered (free text, e.g. "Đỏ"), matched as a substring. */
    colour: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    plateColour: Type.Optional(PlateColourSchema),
    /** The case the search is made for (audited with it). */
    caseId: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
  },
  { additionalProperties: false },
);
export type RegistrySearchQuery = Static<typeof RegistrySearchQuery>;

export const RegistrySearchHit = Type.Object({
  vehicle: RegistryVehicleInfo,
  owner: OwnerInfo,
});
export type RegistrySearchHit = Static<typeof RegistrySearchHit>;
export const RegistrySearchResponse = Type.Object({ items: Type.Array(RegistrySearchHit), truncated: Type.Boolean() });
export type RegistrySearchResponse = Static<typeof RegistrySearchResponse>;

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

/** Identify a case: either a vehicle found in the registry, or the owner entered from the registration papers. */
export const IdentifyRequest = Type.Union([
  Type.Object({ method: Type.Literal('registry'), plate: Text(20), note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
  Type.Object(
    {
      method: Type.Literal('manual'),
      plateColour: PlateColourSchema,
      brand: Type.Optional(Type.String({ maxLength: 100 })),
      colour: Type.Optional(Type.String({ maxLength: 40 })),
      owner: Type.Object(
        {
          fullName: Text(200),
          idNumber: Type.String({ pattern: '^[0-9]{9}$|^[0-9]{12}$', description: 'CMND (9 digits) or CCCD (12 digits)' }),
          address: Text(300),
          provinceCode: Type.String({ pattern: '^[1-9][0-9]$' }),
          commune: Type.Optional(Type.String({ maxLength: 100 })),
          email: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' })),
          phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 .]{8,15}$' })),
        },
        { additionalProperties: false },
      ),
      /** Where the officer read the owner from (registration papers, the registration agency by phone...). */
      note: Text(1000),
    },
    { additionalProperties: false },
  ),
]);
export type IdentifyRequest = Static<typeof IdentifyRequest>;

/** Route the case to the police of the owner's locality (they send the notice and resolve it). */
export const RouteRequest = Type.Object({ agencyId: Uuid, reason: Text(1000) }, { additionalProperties: false });
export type RouteRequest = Static<typeof RouteRequest>;

export const IdentifyResponse = Type.Object({ id: Uuid, identification: CaseIdentification });
export type IdentifyResponse = Static<typeof IdentifyResponse>;

export const AgencyOption = Type.Object({ id: Uuid, code: Type.String(), name: Type.String(), provinceCode: Type.String(), kind: Type.String() });
export type AgencyOption = Static<typeof AgencyOption>;
export const AgencyOptions = Type.Object({ items: Type.Array(AgencyOption) });
export type AgencyOptions = Static<typeof AgencyOptions>;
