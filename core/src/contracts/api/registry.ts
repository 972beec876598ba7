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

export const ImportReport = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() })),
});
export type ImportReport = Static<typeof ImportReport>;

export const RegistryQuery = Type.Object(
  { plate: Type.String({ minLength: 4, maxLength: 20 }) },
  { additionalProperties: false },
);
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
