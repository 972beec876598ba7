// Money and calendar days as the reader's language writes them (reports, payments, decisions).
import type { Lang } from '../../i18n';

const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');

/** 5000000 → "5.000.000 ₫" (vi) or "₫5,000,000" (en). */
export function formatVnd(lang: Lang, n: number): string {
  return new Intl.NumberFormat(locale(lang), { style: 'currency', currency: 'VND' }).format(n);
}

/** A calendar day "yyyy-mm-dd" → "01/03/2022" (no time zone shift: it is a day, not an instant). */
export function formatDay(lang: Lang, day: string): string {
  return new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
}

/** 0.4286 → "42,9 %" (vi) or "42.9%" (en). */
export function formatShare(lang: Lang, x: number): string {
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(x);
}
