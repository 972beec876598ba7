// Plates of the benchmark database; the SQL seeding in lookup-load.ts uses the same formula.
/** The k-th plate, the same formula as the SQL seeding: 70% motorbikes, 30% cars. */
export function benchPlate(k: number): { plate: string; vehicleType: 'car' | 'motorbike' } {
  const province = String(11 + (k % 89)).padStart(2, '0');
  const letter = 'ABCDEFGHKLMNPSTUVXYZ'[Math.floor(k / 89) % 20]!;
  const digits = String(((k * 7919) % 99999) + 1).padStart(5, '0');
  const num = `${digits.slice(0, 3)}.${digits.slice(3)}`;
  return k % 10 < 7
    ? { plate: `${province}-${letter}${1 + (k % 9)} ${num}`, vehicleType: 'motorbike' }
    : { plate: `${province}${letter}-${num}`, vehicleType: 'car' };
}
