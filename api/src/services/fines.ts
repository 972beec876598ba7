// Fine schedule lookup: the row in force on the day of the violation.
import { Value } from '@sinclair/typebox/value';
import { SpeedDetailSchema, storedEventParts, type SpeedDetail } from '@phatnguoi/core/contracts/violation-event';
import type { Queryable } from '@phatnguoi/core/db';

export interface FineRow {
  id: number;
  offence: string;
  description: string;
  article: string;
  legalBasis: string;
  fineMin: number;
  fineMax: number;
  points: number;
  label: string;
}

export function vehicleGroup(vehicleType: string): 'car' | 'motorbike' {
  return vehicleType === 'motorbike' ? 'motorbike' : 'car';
}

/**
 * The schedule row in force for the offence, vehicle group and day; for offences fined by band (speeding), the band
 * that holds `excessKmh` (the speed over the limit after the measurement tolerance). Null when none applies.
 */
export async function fineFor(q: Queryable, violationType: string, vehicleType: string, at: Date, excessKmh: number | null = null): Promise<FineRow | null> {
  const { rows } = await q.query<{
    id: number;
    offence: string;
    description_vi: string;
    article: string;
    legal_basis: string;
    fine_min: string;
    fine_max: string;
    points: number;
    label_vi: string;
  }>(
    `SELECT f.id, f.offence, f.description_vi, f.article, f.legal_basis, f.fine_min, f.fine_max, f.points, o.label_vi
       FROM violation_offences o JOIN fine_schedule f ON f.offence = o.offence
      WHERE o.violation_type = $1 AND f.vehicle_group = $2
        AND f.effective_from <= ($3::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
        AND (f.effective_to IS NULL OR f.effective_to > ($3::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
        AND (f.excess_min_kmh IS NULL OR ($4::numeric IS NOT NULL
             AND (CASE WHEN f.excess_min_inclusive THEN $4::numeric >= f.excess_min_kmh ELSE $4::numeric > f.excess_min_kmh END)
             AND (f.excess_max_kmh IS NULL OR CASE WHEN f.excess_max_inclusive THEN $4::numeric <= f.excess_max_kmh ELSE $4::numeric < f.excess_max_kmh END)))
      ORDER BY f.effective_from DESC LIMIT 1`,
    [violationType, vehicleGroup(vehicleType), at, excessKmh],
  );
  const r = rows[0];
  return r
    ? {
        id: r.id,
        offence: r.offence,
        description: r.description_vi,
        article: r.article,
        legalBasis: r.legal_basis,
        fineMin: Number(r.fine_min),
        fineMax: Number(r.fine_max),
        points: r.points,
        label: r.label_vi,
      }
    : null;
}

/** 18000000 → "18.000.000 đ" (Vietnamese grouping). */
export function formatVnd(n: number): string {
  return `${Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.')} đ`;
}

/** The speed measurement of a stored speeding event, when it carries a valid one (null for other offences). */
export function speedOf(event: unknown): SpeedDetail | null {
  return storedEventParts(event).ruleDetail?.speed ?? null;
}

/** A speed measurement read on its own (the public lookup reads only this part of the stored event). */
export function speedDetailOf(value: unknown): SpeedDetail | null {
  return Value.Check(SpeedDetailSchema, value) ? value : null;
}

/** The excess speed a stored speeding event was judged on (null for other offences). */
export function excessOf(event: unknown): number | null {
  return speedOf(event)?.excessKmh ?? null;
}
