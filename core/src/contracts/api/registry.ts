// Vehicle registry (owners) and CSV import schemas; back-office only.
import { Type, type Static } from '@sinclair/typebox';
import { CaseVehicleTypeSchema, PlateColourSchema } from './common';
import { OwnerInfo } from './cases';

/** CSV header: plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone */
export const REGISTRY_CSV_COLUMNS = [
  'plate',
  'plate_colour',
  'vehicle_type',
  'brand',
  'colour',
  'owner_name',
  'owner_id_number',
  'address',
  'province_code',
  'commune',
  'email',
  'phone',
] as const;

// An import's progress and report: RegistryImport in contracts/api/admin.ts.

export const RegistryQuery = Type.Object({ plate: Type.String({ minLength: 4, maxLength: 20 }) }, { additionalProperties: false });
export type RegistryQuery = Static<typeof RegistryQuery>;

export const RegistryVehicle = Type.Object({
  plate: Type.String(),
  plateColour: PlateColourSchema,
  vehicleType: CaseVehicleTypeSchema,
  brand: Type.Union([Type.String(), Type.Null()]),
  colour: Type.Union([Type.String(), Type.Null()]),
  owner: OwnerInfo,
});
export type RegistryVehicle = Static<typeof RegistryVehicle>;

export const FineScheduleRow = Type.Object({
  id: Type.Integer(),
  offence: Type.String(),
  vehicleGroup: Type.String(),
  description: Type.String(),
  legalBasis: Type.String(),
  article: Type.String(),
  fineMin: Type.Integer(),
  fineMax: Type.Integer(),
  points: Type.Integer(),
  effectiveFrom: Type.String(),
  effectiveTo: Type.Union([Type.String(), Type.Null()]),
});
export type FineScheduleRow = Static<typeof FineScheduleRow>;
export const FineSchedule = Type.Object({ items: Type.Array(FineScheduleRow) });
export type FineSchedule = Static<typeof FineSchedule>;

/** A new version of one schedule row: the row in force is closed the day before `effectiveFrom`. */
export const NewFineVersionRequest = Type.Object(
  {
    offence: Type.String({ minLength: 1, maxLength: 64 }),
    vehicleGroup: Type.Union([Type.Literal('car'), Type.Literal('motorbike')]),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    legalBasis: Type.String({ minLength: 1, maxLength: 200 }),
    article: Type.String({ minLength: 1, maxLength: 200 }),
    fineMin: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    fineMax: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    points: Type.Integer({ minimum: 0, maximum: 12 }),
    effectiveFrom: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
);
export type NewFineVersionRequest = Static<typeof NewFineVersionRequest>;

/** The offences the fine schedule knows (a new version picks one). */
export const OffenceList = Type.Object({ items: Type.Array(Type.String()) });
export type OffenceList = Static<typeof OffenceList>;
