// The demo registry holds the owners of the simulated vehicles, so a case the live cameras make can be identified
// and carried to a notice. The plates come from the simulator: each demo scenario is simulated from its seed (the
// same actors and plates the rendered video shows), and every truth file already rendered in sim/out is read too.
// Owners are made up from the plate (same plate, same owner on every run); rows are marked `demo`.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Queryable } from '@phatnguoi/core/db';
import { isValidPlate, parseCanonical } from '@phatnguoi/core/plates/format';
import { resolveScenario } from '@phatnguoi/sim/scenario/resolve';
import { simulate } from '@phatnguoi/sim/world/simulate';
import { readTruth } from '@phatnguoi/sim/truth';
import { provinceOfPlateCode } from '../domain/provinces';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SIM_OUT = join(ROOT, 'sim/out');

export interface SimulatedVehicle {
  plate: string;
  vehicleType: 'car' | 'motorbike' | 'bus' | 'truck';
  plateColour: 'white' | 'yellow' | 'blue' | 'red';
}

/** The scenarios the demo serves (DEMO_SCENARIOS / DEMO_SCENARIO, as stack/src/stack.ts reads them). */
export function demoScenarioNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.DEMO_SCENARIOS || 'red-light-runners,car-in-motorbike-lane')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (env.DEMO_SCENARIO) list[0] = env.DEMO_SCENARIO;
  return list;
}

function vehicleTypeOf(cls: string): SimulatedVehicle['vehicleType'] {
  return cls === 'motorbike' || cls === 'bus' || cls === 'truck' ? cls : 'car';
}
function colourOf(c: string): SimulatedVehicle['plateColour'] {
  return c === 'yellow' || c === 'blue' || c === 'red' ? c : 'white';
}

/** Every vehicle of the demo scenes with a valid plate, once per plate. */
export async function simulatedVehicles(scenarios: string[], simOut = SIM_OUT): Promise<SimulatedVehicle[]> {
  const found = new Map<string, SimulatedVehicle>();
  const add = (plate: string, cls: string, colour: string) => {
    if (!isValidPlate(plate) || found.has(plate)) return;
    found.set(plate, { plate, vehicleType: vehicleTypeOf(cls), plateColour: colourOf(colour) });
  };
  for (const name of scenarios) {
    const scenario = await resolveScenario(name).catch(() => null);
    if (!scenario) continue;
    for (const a of simulate(scenario).actors.values()) add(a.plate.text, a.cls, a.plate.colour);
  }
  if (existsSync(simOut)) {
    for (const f of readdirSync(simOut)
      .filter((n) => n.endsWith('.truth.json'))
      .sort()) {
      const truth = await readTruth(join(simOut, f)).catch(() => null);
      for (const t of truth?.tracks ?? []) add(t.plate.text, t.cls, t.plate.colour);
    }
  }
  return [...found.values()];
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Hoàng', 'Võ', 'Phan', 'Trương', 'Bùi', 'Đặng', 'Đỗ', 'Ngô', 'Hồ', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Minh', 'Thanh', 'Quốc', 'Ngọc', 'Đức', 'Thu', 'Hoài'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dung',
  'Hà',
  'Hải',
  'Hạnh',
  'Hiếu',
  'Hoa',
  'Khoa',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Ngân',
  'Phúc',
  'Phương',
  'Quân',
  'Tâm',
  'Thảo',
  'Trí',
  'Tuấn',
  'Vy',
];
const STREETS = [
  'Lê Lợi',
  'Hùng Vương',
  'Nguyễn Huệ',
  'Trần Hưng Đạo',
  'Lý Thường Kiệt',
  'Hai Bà Trưng',
  'Nguyễn Trãi',
  'Quang Trung',
  'Lê Duẩn',
  'Điện Biên Phủ',
];
const BRANDS: Record<SimulatedVehicle['vehicleType'], string[]> = {
  motorbike: ['Honda Wave Alpha', 'Honda Vision', 'Yamaha Sirius', 'Honda Air Blade', 'Yamaha Exciter', 'SYM Elegant'],
  car: ['Toyota Vios', 'Hyundai Accent', 'Kia Morning', 'Mazda 3', 'VinFast VF 5', 'Honda City'],
  bus: ['Thaco Universe', 'Hyundai County'],
  truck: ['Hino 300', 'Isuzu QKR', 'Thaco Ollin'],
};
const COLOURS = ['Đỏ', 'Đen', 'Trắng', 'Xanh', 'Bạc', 'Xám', 'Vàng'];

/** A made-up owner and vehicle description for a plate, the same on every run. */
export function demoOwnerOf(v: SimulatedVehicle): {
  fullName: string;
  idNumber: string;
  address: string;
  provinceCode: string;
  commune: string;
  email: string;
  phone: string;
  brand: string;
  colour: string;
} {
  const h = createHash('sha256').update(`demo-owner:${v.plate}`).digest();
  const pick = <T>(list: T[], i: number) => list[h[i]! % list.length]!;
  const province = parseCanonical(v.plate)?.province ?? '63';
  const provinceName = provinceOfPlateCode(province) ?? 'Tiền Giang';
  const fullName = `${pick(FAMILY, 0)} ${pick(MIDDLE, 1)} ${pick(GIVEN, 2)}`;
  const ward = (h[3]! % 12) + 1;
  const digits = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(h[from + i]! % 10)).join('');
  const slug = `${v.plate
    .replace(/[^0-9A-ZĐ]/g, '')
    .toLowerCase()
    .replace('đ', 'd')}`;
  return {
    fullName,
    // CCCD: three digits of the province, then nine
    idNumber: `0${province}${digits(4, 9)}`,
    address: `Số ${(h[13]! % 200) + 1} đường ${pick(STREETS, 14)}, phường ${ward}, ${provinceName}`,
    provinceCode: province,
    commune: `Phường ${ward}`,
    email: `chuxe.${slug}@example.vn`,
    phone: `09${digits(15, 8)}`,
    brand: pick(BRANDS[v.vehicleType], 23),
    colour: pick(COLOURS, 24),
  };
}

/**
 * Puts the owners of the simulated vehicles in the registry (plates already there are left alone).
 * Returns how many vehicles were added.
 */
export async function seedSimulatedOwners(
  q: Queryable,
  scenarios: string[] = demoScenarioNames(),
  simOut = SIM_OUT,
): Promise<{ added: number; vehicles: number }> {
  const vehicles = await simulatedVehicles(scenarios, simOut);
  return { added: await registerSimulatedVehicles(q, vehicles), vehicles: vehicles.length };
}

/** The simulated vehicles of a scene's truth tracks (plate, class, plate colour), valid plates only, once per plate. */
export function vehiclesOfTracks(tracks: { cls: string; plate: { text: string; colour: string } | null }[]): SimulatedVehicle[] {
  const found = new Map<string, SimulatedVehicle>();
  for (const t of tracks) {
    if (!t.plate || !isValidPlate(t.plate.text) || found.has(t.plate.text)) continue;
    found.set(t.plate.text, { plate: t.plate.text, vehicleType: vehicleTypeOf(t.cls), plateColour: colourOf(t.plate.colour) });
  }
  return [...found.values()];
}

/**
 * Registers vehicles with their made-up owners (demoOwnerOf: name, address in the plate's province, e-mail, phone,
 * brand, colour); plates already in the registry are left alone. Returns how many vehicles were added.
 */
export async function registerSimulatedVehicles(q: Queryable, vehicles: SimulatedVehicle[]): Promise<number> {
  let added = 0;
  for (const v of vehicles) {
    const o = demoOwnerOf(v);
    const owner = await q.query<{ id: string }>(
      `INSERT INTO registry_owners (full_name, id_number, address, province_code, commune, email, phone) VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (id_number) DO UPDATE SET full_name = EXCLUDED.full_name RETURNING id`,
      [o.fullName, o.idNumber, o.address, o.provinceCode, o.commune, o.email, o.phone],
    );
    const ins = await q.query(
      `INSERT INTO registry_vehicles (plate, plate_colour, vehicle_type, brand, colour, owner_id, source) VALUES ($1,$2,$3,$4,$5,$6,'demo')
       ON CONFLICT (plate) DO NOTHING`,
      [v.plate, v.plateColour, v.vehicleType, o.brand, o.colour, owner.rows[0]!.id],
    );
    added += ins.rowCount ?? 0;
  }
  return added;
}
