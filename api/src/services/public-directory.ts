// Small reference data the public lookup needs (camera places, agency names and phones, offence labels),
// cached in memory and refreshed every minute, so the hot lookup query touches only the cases index.
import type { Queryable } from '@phatnguoi/core/db';

interface Agency {
  name: string;
  phone: string;
  address: string;
}
interface Offence {
  violationType: string;
  group: string;
  label: string;
  article: string;
  legalBasis: string;
  from: string;
  to: string | null;
  /** Band of excess speed the row fines (speeding); null for offences without bands. */
  band: { min: number; minInclusive: boolean; max: number | null; maxInclusive: boolean } | null;
}

export class PublicDirectory {
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  private places = new Map<string, string>();
  private agencies = new Map<string, Agency>();
  private offences: Offence[] = [];

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = 60_000,
  ) {}

  private async load(): Promise<void> {
    const [cams, ags, offs] = await Promise.all([
      this.db.query<{ id: string; name: string; address: string }>('SELECT id, name, address FROM cameras'),
      this.db.query<{ id: string; name: string; phone: string | null; address: string | null }>('SELECT id, name, phone, address FROM agencies'),
      this.db.query<{
        violation_type: string;
        vehicle_group: string;
        label_vi: string;
        article: string;
        legal_basis: string;
        effective_from: string;
        effective_to: string | null;
        excess_min_kmh: string | null;
        excess_min_inclusive: boolean;
        excess_max_kmh: string | null;
        excess_max_inclusive: boolean;
      }>(
        `SELECT o.violation_type, f.vehicle_group, o.label_vi, f.article, f.legal_basis, f.effective_from::text, f.effective_to::text,
                f.excess_min_kmh::text, f.excess_min_inclusive, f.excess_max_kmh::text, f.excess_max_inclusive
           FROM violation_offences o JOIN fine_schedule f ON f.offence = o.offence ORDER BY f.effective_from DESC`,
      ),
    ]);
    this.places = new Map(cams.rows.map((c) => [c.id, c.address ? `${c.name}, ${c.address}` : c.name]));
    this.agencies = new Map(ags.rows.map((a) => [a.id, { name: a.name, phone: a.phone ?? '', address: a.address ?? '' }]));
    this.offences = offs.rows.map((o) => ({
      violationType: o.violation_type,
      group: o.vehicle_group,
      label: o.label_vi,
      article: o.article,
      legalBasis: o.legal_basis,
      from: o.effective_from,
      to: o.effective_to,
      band:
        o.excess_min_kmh === null
          ? null
          : {
              min: Number(o.excess_min_kmh),
              minInclusive: o.excess_min_inclusive,
              max: o.excess_max_kmh === null ? null : Number(o.excess_max_kmh),
              maxInclusive: o.excess_max_inclusive,
            },
    }));
    this.loadedAt = Date.now();
  }

  /** Loads when stale, or when `mustHave` ids are missing (a camera or agency added since the last load). */
  async ensure(mustHave: { cameraIds?: string[]; agencyIds?: string[] } = {}): Promise<void> {
    const missing = (mustHave.cameraIds ?? []).some((id) => !this.places.has(id)) || (mustHave.agencyIds ?? []).some((id) => !this.agencies.has(id));
    if (!missing && Date.now() - this.loadedAt < this.ttlMs) return;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }

  place(cameraId: string): string {
    return this.places.get(cameraId) ?? '';
  }
  agency(id: string): Agency {
    return this.agencies.get(id) ?? { name: '', phone: '', address: '' };
  }
  /**
   * "Vượt đèn đỏ (Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP)" for the schedule row in force on that day (Vietnam
   * time); for an offence fined by band (speeding), the row of the band that holds `excessKmh` (as `fineFor` picks it).
   */
  offence(violationType: string, vehicleType: string, occurredAt: Date, excessKmh: number | null = null): string {
    const group = vehicleType === 'motorbike' ? 'motorbike' : 'car';
    const day = new Date(occurredAt.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
    const inForce = this.offences.filter((x) => x.violationType === violationType && x.group === group && x.from <= day && (x.to === null || x.to > day));
    const o = inForce.find((x) => inBand(x.band, excessKmh));
    // A banded offence without a readable measurement: its name, with no article (which one would be a guess).
    return o ? `${o.label} (${o.article} ${o.legalBasis})` : (inForce[0]?.label ?? violationType);
  }
}

/** Whether an excess speed falls in a schedule row's band (a row without a band holds any, a banded row needs one). */
export function inBand(band: Offence['band'], excessKmh: number | null): boolean {
  if (!band) return true;
  if (excessKmh === null) return false;
  const aboveMin = band.minInclusive ? excessKmh >= band.min : excessKmh > band.min;
  const belowMax = band.max === null || (band.maxInclusive ? excessKmh <= band.max : excessKmh < band.max);
  return aboveMin && belowMax;
}
