import { useEffect, useState } from 'react';
import type { CameraStatusMessage, StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { call, liveStream } from '../../api/client';

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
    const es = liveStream(
      '/api/stats/stream',
      {
        snapshot: (s) => setState((st) => ({ stats: s, connected: true, error: null, updates: st.updates + 1 })),
        camera: (m) => setState((st) => (st.stats ? { ...st, stats: applyCameraStatus(st.stats, m), updates: st.updates + 1 } : st)),
      },
      { open: () => setState((st) => ({ ...st, connected: true })), error: () => setState((st) => ({ ...st, connected: false })) },
    );
    return () => {
      ctl.abort();
      es.close();
    };
  }, []);
  return state;
}
