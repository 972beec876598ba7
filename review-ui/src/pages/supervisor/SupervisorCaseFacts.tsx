import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import { codeLabel } from '../../components/evidenceLabel';
import { fineText, ruleText } from '../../components/caseText';
import { useI18n } from '../../i18n';

/** The rule, fine, owner, deadlines and warnings of a case, as the supervisor sees them. */
export function SupervisorCaseFacts({ c }: { c: CaseDetail }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  return (
    <dl className="facts">
      <dt>{t('case.rule')}</dt>
      <dd data-testid="rule-text">{ruleText(c, t, formatNumber)}</dd>
      {c.fine && (
        <>
          <dt>{t('case.fine')}</dt>
          <dd data-testid="fine-text">{fineText(c.fine, t, formatNumber)}</dd>
        </>
      )}
      {c.owner && (
        <>
          <dt>{t('case.owner')}</dt>
          <dd>
            {c.owner.fullName}, {c.owner.address}
          </dd>
        </>
      )}
      {c.deadlines.length > 0 && (
        <>
          <dt>{t('sup.deadlines')}</dt>
          <dd>
            <ul>
              {c.deadlines.map((d, i) => (
                <li key={i}>
                  {codeLabel(t, 'dlkind', d.kind)}: {formatDateTime(d.dueAt)} · {codeLabel(t, 'dlstatus', d.status)}
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
      {c.warnings.length > 0 && (
        <>
          <dt>{t('sup.warnings')}</dt>
          <dd>
            <ul>
              {c.warnings.map((w, i) => (
                <li key={i}>
                  {codeLabel(t, 'warn', w.target)} · {formatDateTime(w.createdAt)}
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
    </dl>
  );
}
