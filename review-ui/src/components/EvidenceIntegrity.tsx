// A case whose evidence no longer matches the SHA-256 recorded at capture (issue 22, item 3): the api checks the
// stored files whenever the case is shown or acted on and refuses confirm / approve / preview / issue. The alert
// says which file, the recorded and found hash prefixes, and what to do; the badge marks the case in the queues.
import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import { useI18n } from '../i18n';
import { evidenceLabel } from './evidenceLabel';

/** Hash prefixes shown to a person: enough to compare by eye. */
const PREFIX = 12;

/** Whether the case's evidence was just found replaced or gone (false without storage: nothing was checked). */
export function evidenceBroken(c: Pick<CaseDetail, 'evidenceIntact'>): boolean {
  return c.evidenceIntact === false;
}

export function EvidenceIntegrityAlert({ c }: { c: Pick<CaseDetail, 'evidence' | 'evidenceIntact'> }) {
  const { t } = useI18n();
  if (!evidenceBroken(c)) return null;
  const bad = c.evidence.filter((e) => e.integrity && e.integrity !== 'ok');
  return (
    <div role="alert" className="error integrity-alert" data-testid="evidence-tampered">
      <strong>{t('integrity.title')}</strong>
      <ul>
        {bad.map((e) => {
          const vars = { file: evidenceLabel(t, e.kind), name: e.fileName, expected: e.sha256.slice(0, PREFIX) };
          return (
            <li key={e.id} data-evidence-id={e.id}>
              {e.integrity === 'tampered' ? t('integrity.tampered', { ...vars, found: (e.foundSha256 ?? '').slice(0, PREFIX) }) : t('integrity.missing', vars)}
            </li>
          );
        })}
      </ul>
      <p>{t('integrity.blocked')}</p>
      <p>{t('integrity.todo')}</p>
    </div>
  );
}

export function TamperedBadge() {
  const { t } = useI18n();
  return (
    <span className="badge bad" title={t('integrity.badgeTitle')} data-testid="tampered-badge">
      {t('integrity.badge')}
    </span>
  );
}
