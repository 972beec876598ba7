import { useEffect, useState } from 'react';
import type { StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { api, apiUrl } from '../../api/client';
import { paths } from '../../api/paths';

export interface LiveStats {
  stats: StatsSnapshot | null;
  connected: boolean;
  error: Error | null;
  /** How many snapshots arrived over the live channel (not counting the first GET). */
  updates: number;
}

/**
 * The first snapshot comes from GET /stats, then the wall follows the SSE stream; EventSource
 * reconnects by itself after a drop, and `connected` says whether it is up right now.
 */
export function useLiveStats(): LiveStats {
  const [state, setState] = useState<LiveStats>({ stats: null, connected: false, error: null, updates: 0 });
  useEffect(() => {
    const ctl = new AbortController();
    api
      .get<StatsSnapshot>(paths.stats, undefined, ctl.signal)
      .then((s) => setState((st) => (st.stats && st.stats.at > s.at ? st : { ...st, stats: s, error: null })))
      .catch((e: unknown) => !ctl.signal.aborted && setState((st) => ({ ...st, error: e instanceof Error ? e : new Error(String(e)) })));
    const es = new EventSource(apiUrl(paths.statsStream), { withCredentials: true });
    const onSnapshot = (ev: MessageEvent<string>) => {
      try {
        const s = JSON.parse(ev.data) as StatsSnapshot;
        setState((st) => ({ stats: s, connected: true, error: null, updates: st.updates + 1 }));
      } catch {
        // a malformed event is skipped; the next snapshot replaces it
      }
    };
    es.onopen = () => setState((st) => ({ ...st, connected: true }));
    es.onerror = () => setState((st) => ({ ...st, connected: false }));
    es.onmessage = onSnapshot;
    es.addEventListener('stats', onSnapshot as EventListener);
    return () => {
      ctl.abort();
      es.close();
    };
  }, []);
  return state;
}
