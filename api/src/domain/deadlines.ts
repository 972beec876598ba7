// Legal deadline arithmetic (Circular 73/2024 Art. 24). Pure: no I/O.
import type { DeadlineKind } from '@phatnguoi/core/jobs';

const DAY = 86_400_000;
export const NOTICE_DAYS = 10;
/** Cases still without a notice this many days after the violation are flagged at risk. */
export const NOTICE_RISK_DAYS = 7;

/** At risk: open (no notice yet) and the notice deadline is less than NOTICE_DAYS - NOTICE_RISK_DAYS days away. */
export function isAtRisk(status: string, noticeDueAt: Date, now: Date): boolean {
  return ['detected', 'confirmed', 'approved'].includes(status) && now.getTime() >= noticeDueAt.getTime() - (NOTICE_DAYS - NOTICE_RISK_DAYS) * DAY;
}
export const ESCALATION_DAYS = 20;
/** Days the owner is given on the notice to come and resolve the case. */
export const RESOLVE_DAYS = 20;

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY);
}

/** One calendar year later (limitation period for camera evidence). */
export function addOneYear(d: Date): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + 1);
  return r;
}

/** Deadlines that start at the violation. */
export function violationDeadlines(occurredAt: Date): { kind: DeadlineKind; dueAt: Date }[] {
  return [
    { kind: 'notice_due', dueAt: addDays(occurredAt, NOTICE_DAYS) },
    { kind: 'limitation', dueAt: addOneYear(occurredAt) },
  ];
}

/** Escalation starts at the notice. */
export function escalationDeadline(noticeAt: Date): Date {
  return addDays(noticeAt, ESCALATION_DAYS);
}

/**
 * Which warnings an escalation sends: the registration agency always; the inspection body (Đăng kiểm)
 * for vehicles that go through inspection; for motorbikes the notice goes to the commune police instead.
 */
export function escalationTargets(vehicleType: string): ('inspection' | 'registration' | 'commune_police')[] {
  return vehicleType === 'motorbike' ? ['registration', 'commune_police'] : ['inspection', 'registration'];
}
