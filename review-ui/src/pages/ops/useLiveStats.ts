import { useEffect, useState } from 'react';
import type { CameraStatusMessage, StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { apiUrl, call } from '../../api/client';
import { paths } from '../../api/paths';

export interface LiveStats {
  stats: StatsSnapshot | null;
  connected: boolean;
  error: Error | null;
  /** How many messages arrived over the live channel. */
  updates: number;
}

/** Applies one camera status message (ingest or detector) to the snapshot's camera list. */
export function applyCameraStatus(stats: StatsSnapshot, m: CameraStatusMessage): StatsSnapshot {
  return {
    ...stats,
    cameras: stats.cameras.map((c) =>
      c.cameraId === m.cameraId
        ? {
            ...c,
            online: m.online,
            state: m.state,
            fps: m.fps,
            framesDropped: m.framesDropped,
            lastError: m.lastError,
            lastErrorCode: m.lastErrorCode ?? null,
            detectionsPerSecond: m.detectionsPerSecond,
            detectionFault: m.detectionFault ?? null,
            detectionError: m.detectionError ?? null,
            updatedAt: new Date().toISOString(),
          }
        : c,
    ),
  };
}

/**
 * The first snapshot comes from GET /stats, then the wall follows the SSE stream (`snapshot` events
 * every few seconds, `camera` events as ingest reports); EventSource reconnects by itself after a drop.
 */
export function useLiveStats(): LiveStats {
  const [state, setState] = useState<LiveStats>({ stats: null, connected: false, error: null, updates: 0 });
  useEffect(() => {
    const ctl = new AbortController();
    call('GET /api/stats', { signal: ctl.signal })
      .then((s) => setState((st) => (st.stats && st.stats.at > s.at ? st : { ...st, stats: s, error: null })))
      .catch((e: unknown) => !ctl.signal.aborted && setState((st) => ({ ...st, error: e instanceof Error ? e : new Error(String(e)) })));
    const es = new EventSource(apiUrl(paths.statsStream), { withCredentials: true });
    es.onopen = () => setState((st) => ({ ...st, connected: true }));
    es.onerror = () => setState((st) => ({ ...st, connected: false }));
    es.addEventListener('snapshot', (ev: MessageEvent<string>) => {
      try {
        const s = JSON.parse(ev.data) as StatsSnapshot;
        setState((st) => ({ stats: s, connected: true, error: null, updates: st.updates + 1 }));
      } catch {
        // a malformed event is skipped; the next snapshot replaces it
      }
    });
    es.addEventListener('camera', (ev: MessageEvent<string>) => {
      try {
        const m = JSON.parse(ev.data) as CameraStatusMessage;
        setState((st) => (st.stats ? { ...st, stats: applyCameraStatus(st.stats, m), updates: st.updates + 1 } : st));
      } catch {
        // ignore a malformed status message
      }
    });
    return () => {
      ctl.abort();
      es.close();
    };
  }, []);
  return state;
}
