// Reading the system's violations from loosely shaped JSON (a predictions file, the offline runner's
// result) or database rows, into PredictedViolation. Defensive: unknown shapes give clear errors.
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { PredictedLight, PredictedViolation } from './match';

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function plateOf(v: Record<string, unknown>): string | null {
  const p = v.plateText ?? v.plate_text ?? v.plate;
  if (typeof p === 'string') return p;
  if (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string') return (p as { text: string }).text;
  return null;
}

function timeOf(v: Record<string, unknown>, start: Date | null): number {
  for (const k of ['timeS', 'time', 't']) if (typeof v[k] === 'number') return v[k] as number;
  const at = v.occurredAt ?? v.occurred_at;
  if (at !== undefined) {
    if (!start) throw new Error('predictions carry wall-clock times (occurredAt): pass --start with the wall-clock time of video second 0');
    const d = at instanceof Date ? at : new Date(String(at));
    if (Number.isNaN(d.getTime())) throw new Error(`bad occurredAt: ${String(at)}`);
    return (d.getTime() - start.getTime()) / 1000;
  }
  throw new Error(`a prediction has no time (timeS, time, t or occurredAt): ${JSON.stringify(v).slice(0, 200)}`);
}

function boxOf(v: unknown): Box | null {
  return Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number') ? (v as Box) : null;
}

export function toPrediction(v: Record<string, unknown>, start: Date | null): PredictedViolation {
  const type = str(v.type);
  if (!type) throw new Error(`a prediction has no type: ${JSON.stringify(v).slice(0, 200)}`);
  return {
    type,
    timeS: timeOf(v, start),
    trackId: str(v.trackId ?? v.track_id ?? v.track),
    box: boxOf(v.box),
    plateText: plateOf(v),
    ...(speedOf(v) ? { speed: speedOf(v) } : {}),
  };
}

/** The speed measurement of a speeding prediction (`speed`, or the event's `ruleDetail.speed`). */
function speedOf(v: Record<string, unknown>): PredictedViolation['speed'] {
  const event = v.event as { ruleDetail?: { speed?: unknown } } | undefined;
  const s = (v.speed ?? event?.ruleDetail?.speed) as { measuredKmh?: unknown; excessKmh?: unknown; seconds?: unknown } | undefined;
  if (!s || typeof s.measuredKmh !== 'number' || typeof s.excessKmh !== 'number') return null;
  return { measuredKmh: s.measuredKmh, excessKmh: s.excessKmh, ...(typeof s.seconds === 'number' ? { seconds: s.seconds } : {}) };
}

export function predictionsFromJson(json: unknown, start: Date | null): { violations: PredictedViolation[]; lights: PredictedLight[] } {
  const obj = json as { violations?: unknown; lights?: unknown };
  const list = Array.isArray(json) ? json : Array.isArray(obj?.violations) ? obj.violations : null;
  if (!list) throw new Error('predictions: expected an array of violations or an object with "violations"');
  const lights = Array.isArray(obj?.lights)
    ? (obj.lights as Record<string, unknown>[]).map((l) => ({
        timeS: timeOf(l, start),
        headId: String(l.headId ?? l.head_id ?? 'main'),
        round: String(l.round ?? l.state),
      }))
    : [];
  return { violations: (list as Record<string, unknown>[]).map((v) => toPrediction(v, start)), lights };
}

export function predictionsFromRows(rows: Record<string, unknown>[], start: Date): PredictedViolation[] {
  return rows.map((r) => toPrediction(r, start));
}
