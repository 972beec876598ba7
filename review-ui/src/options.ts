// Option lists shared by pages; the values come from the shared contracts.
export { CASE_STATUSES as STATUS_OPTIONS, REJECT_REASONS } from '@phatnguoi/core/contracts/api/cases';
export { VIOLATION_TYPES as TYPE_OPTIONS, CASE_VEHICLE_TYPES, PLATE_COLOURS } from '@phatnguoi/core/contracts/api/common';
