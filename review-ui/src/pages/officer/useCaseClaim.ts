import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClaimResponse } from '@phatnguoi/core/contracts/api/cases';
import { api, ApiError, apiUrl } from '../../api/client';
import { paths } from '../../api/paths';

const CLAIM_RENEW_MS = 120_000;

export interface Claim {
  mine: boolean;
  by: string | null;
  until: string | null;
}

/**
 * Claims the case while it is open and reviewable (renewed every 2 minutes), and releases the claim when leaving it
 * (the page closes, or another case opens). A claim held by someone else reloads the case to say who.
 * `decided()` tells the hook a decision ended the claim, so leaving must not release it again (409).
 */
export function useCaseClaim(
  id: string,
  reviewable: boolean,
  reloadDetail: () => void,
): { claim: Claim | null; claimError: Error | null; decided: () => void } {
  const [claim, setClaim] = useState<Claim | null>(null);
  const [claimError, setClaimError] = useState<Error | null>(null);
  // Whether this page still holds the claim.
  const holding = useRef(false);
  useEffect(() => {
    if (!reviewable) return;
    let live = true;
    const take = () =>
      api
        .post<ClaimResponse>(paths.claim(id))
        .then((r) => live && ((holding.current = true), setClaim({ mine: true, by: r.claimedBy, until: r.claimedUntil }), setClaimError(null)))
        .catch((e: unknown) => {
          if (!live) return;
          if (e instanceof ApiError && e.status === 409) {
            // held by someone else: say who (from a fresh read of the case), not the server's English text
            setClaim({ mine: false, by: null, until: null });
            setClaimError(null);
            reloadDetail();
          } else setClaimError(e instanceof Error ? e : new Error(String(e)));
        });
    void take();
    const timer = window.setInterval(take, CLAIM_RENEW_MS);
    const release = () => {
      if (!holding.current) return;
      holding.current = false;
      // keepalive lets the release go out even while the tab closes
      void fetch(apiUrl(paths.release(id)), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        credentials: 'same-origin',
        keepalive: true,
      }).catch(() => undefined);
    };
    window.addEventListener('pagehide', release);
    return () => {
      live = false;
      window.clearInterval(timer);
      window.removeEventListener('pagehide', release);
      release();
      setClaim(null);
    };
  }, [id, reviewable, reloadDetail]);
  const decided = useCallback(() => {
    holding.current = false;
  }, []);
  return { claim, claimError, decided };
}
