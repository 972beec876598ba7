import type { CaseSummary } from '@phatnguoi/core/contracts/api/cases';
import { useI18n } from '../i18n';

const DAY = 86_400_000;

/** Days left to the 10-day notice deadline, coloured by urgency; the words carry the meaning, not only the colour. */
export function DeadlineBadge({ c, now = Date.now() }: { c: Pick<CaseSummary, 'noticeDueAt' | 'atRisk' | 'overdue' | 'status'>; now?: number }) {
  const { t, formatDateTime } = useI18n();
  const noticeDone = !['detected', 'confirmed', 'approved'].includes(c.status);
  if (noticeDone) return null;
  const ms = new Date(c.noticeDueAt).getTime() - now;
  const days = Math.ceil(ms / DAY);
  const level = c.overdue || ms < 0 ? 'overdue' : c.atRisk ? 'risk' : 'ok';
  const text = level === 'overdue' ? t('deadline.overdue', { days: Math.max(1, -Math.floor(ms / DAY)) }) : t('deadline.daysLeft', { days });
  return (
    <span className={`badge deadline-${level}`} title={t('deadline.due', { at: formatDateTime(c.noticeDueAt) })} data-deadline={level}>
      {text}
    </span>
  );
}

export function StatusBadge({ status }: { status: CaseSummary['status'] }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

export function ConfidenceMeter({ value }: { value: number }) {
  const { t } = useI18n();
  const pct = Math.round(value * 100);
  const level = value >= 0.9 ? 'high' : value >= 0.6 ? 'mid' : 'low';
  return (
    <span className={`confidence confidence-${level}`} aria-label={t('plate.confidence', { pct })}>
      <meter min={0} max={100} low={60} high={90} optimum={100} value={pct} aria-hidden="true" /> {pct}%
    </span>
  );
}
