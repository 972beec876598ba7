import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import type { SignalState } from '@phatnguoi/core/contracts/violation-event';
import { fineText, ruleText } from '../../components/caseText';
import { useI18n } from '../../i18n';

/** What the case is about: vehicle, the rule in words, the signal, the measured speed, the fine, the rejection. */
export function CaseFacts({ c, signal, geometry }: { c: CaseDetail; signal: SignalState | null; geometry: CameraGeometry | null }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  return (
    <dl className="facts">
      <dt>{t('case.vehicle')}</dt>
      <dd>{t(`vehicle.${c.vehicleType}`)}</dd>
      <dt>{t('case.rule')}</dt>
      <dd data-testid="rule-text">{ruleText(c, t, formatNumber, geometry)}</dd>
      {signal && (
        <>
          <dt>{t('case.signal')}</dt>
          <dd>
            {t(`light.${signal.round}`)}
            {signal.since && ` · ${t('case.since', { at: formatDateTime(signal.since) })}`}
          </dd>
        </>
      )}
      {c.ruleDetail?.speed && (
        <>
          <dt>{t('case.speed')}</dt>
          <dd>
            {t('case.speedMeasured', {
              measured: formatNumber(c.ruleDetail.speed.measuredKmh, 1),
              sigma: formatNumber(c.ruleDetail.speed.uncertaintyKmh, 1),
              tolerance: formatNumber(c.ruleDetail.speed.toleranceKmh, 1),
              reduced: formatNumber(c.ruleDetail.speed.reducedKmh, 1),
              limit: c.ruleDetail.speed.limitKmh,
              distance: formatNumber(c.ruleDetail.speed.distanceM, 1),
              seconds: formatNumber(c.ruleDetail.speed.seconds, 2),
            })}
          </dd>
        </>
      )}
      {c.fine && (
        <>
          <dt>{t('case.fine')}</dt>
          <dd data-testid="fine-text">{fineText(c.fine, t, formatNumber)}</dd>
        </>
      )}
      {c.rejection && (
        <>
          <dt>{t('case.rejection')}</dt>
          <dd>
            {t(`reject.${c.rejection.reason}`)} {c.rejection.text}
          </dd>
        </>
      )}
    </dl>
  );
}
