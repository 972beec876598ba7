// Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving): the day a case, a decision or a report belongs to.
export const VN_OFFSET_MS = 7 * 3600_000;

/** The instant seen on a Vietnamese wall clock, as a Date whose UTC fields are the local ones. */
export function vnWallClock(d: Date): Date {
  return new Date(d.getTime() + VN_OFFSET_MS);
}

/** YYYY-MM-DD of an instant in Vietnam. */
export function vnDay(d: Date): string {
  return vnWallClock(d).toISOString().slice(0, 10);
}

/** The instant the Vietnam day of `now` began (00:00 UTC+7). */
export function vietnamDayStart(now: Date): Date {
  const t = vnWallClock(now);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - VN_OFFSET_MS);
}
