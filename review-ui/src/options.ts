// Option lists for selects and radio groups. The contracts export these lists too, but importing a
// value from a contract module pulls TypeBox (~11 kB gzip) into the page; so the lists are written
// here and checked against the contract types both ways: a value the contract lacks fails `satisfies`,
// a value the contract adds fails `Exhaustive` — either way `tsc -p review-ui` breaks, never the UI.
import type { CaseStatus, RejectReason } from '@phatnguoi/core/contracts/api/cases';
import type { CaseVehicleType, PlateColour, ViolationType } from '@phatnguoi/core/contracts/api/common';
import type { LampColour, LampShape, Turn } from '@phatnguoi/core/contracts/camera-geometry';

type Exhaustive<Union, List extends readonly unknown[]> = [Exclude<Union, List[number]>] extends [never]
  ? true
  : ['missing from the list:', Exclude<Union, List[number]>];

export const STATUS_OPTIONS = [
  'detected',
  'confirmed',
  'approved',
  'notified',
  'resolved',
  'escalated',
  'lapsed',
  'rejected',
] as const satisfies readonly CaseStatus[];
export const REJECT_REASONS = [
  'stopped_before_line',
  'emergency_vehicle',
  'plate_unreadable',
  'image_unclear',
  'duplicate',
  'not_violation',
  'other',
] as const satisfies readonly RejectReason[];
export const TYPE_OPTIONS = ['red_light', 'wrong_lane', 'wrong_way', 'speeding'] as const satisfies readonly ViolationType[];
export const CASE_VEHICLE_TYPES = ['car', 'motorbike', 'bus', 'truck', 'bicycle', 'unknown'] as const satisfies readonly CaseVehicleType[];
export const PLATE_COLOURS = ['white', 'yellow', 'blue', 'red'] as const satisfies readonly PlateColour[];
export const TURNS = ['straight', 'left', 'right', 'u_turn'] as const satisfies readonly Turn[];
export const LAMP_COLOURS = ['red', 'yellow', 'green'] as const satisfies readonly LampColour[];
export const LAMP_SHAPES = ['round', 'arrow_left', 'arrow_straight', 'arrow_right', 'arrow_u_turn'] as const satisfies readonly LampShape[];

// Compile-time only: each line fails to type-check when the contract grows a value the list lacks.
export const optionListsAreComplete: [
  Exhaustive<CaseStatus, typeof STATUS_OPTIONS>,
  Exhaustive<RejectReason, typeof REJECT_REASONS>,
  Exhaustive<ViolationType, typeof TYPE_OPTIONS>,
  Exhaustive<CaseVehicleType, typeof CASE_VEHICLE_TYPES>,
  Exhaustive<PlateColour, typeof PLATE_COLOURS>,
  Exhaustive<Turn, typeof TURNS>,
  Exhaustive<LampColour, typeof LAMP_COLOURS>,
  Exhaustive<LampShape, typeof LAMP_SHAPES>,
] = [true, true, true, true, true, true, true, true];
