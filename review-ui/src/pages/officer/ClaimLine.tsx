import { ErrorNote } from '../../components/ErrorNote';
import { useI18n } from '../../i18n';
import type { Claim } from './useCaseClaim';

/** Who holds the case: this officer (until when, with a release link), someone else, or the claim being taken. */
export function ClaimLine({
  reviewable,
  claim,
  claimError,
  claimedBy,
  onRelease,
}: {
  reviewable: boolean;
  claim: Claim | null;
  claimError: Error | null;
  claimedBy: string | null;
  onRelease: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  return (
    <p className="claim" data-testid="claim" aria-live="polite">
      {!reviewable
        ? null
        : claim?.mine
          ? t('claim.mine', { until: claim.until ? formatDateTime(claim.until) : '' })
          : claim
            ? t('claim.other', { user: claimedBy ?? '—' })
            : t('claim.taking')}
      {claim?.mine && (
        <>
          {' '}
          <button type="button" className="link" onClick={onRelease}>
            {t('claim.release')}
          </button>
        </>
      )}
      {claimError && !claim?.mine && <ErrorNote error={claimError} />}
    </p>
  );
}
