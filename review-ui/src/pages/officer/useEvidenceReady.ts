import { useCallback, useEffect, useState } from 'react';
import type { CaseEvidence } from './evidence';

/**
 * Evidence readiness: the clip's first frame and every still decoded. `readyAt` (performance.now() when the evidence
 * became visible) is exposed on the page for the case-open timing script.
 */
export function useEvidenceReady(id: string, ev: CaseEvidence | null): { markLoaded: (key: string) => void; ready: boolean; readyAt: number | null } {
  const [loaded, setLoaded] = useState<Set<string>>(new Set());
  const markLoaded = useCallback((k: string) => setLoaded((s) => (s.has(k) ? s : new Set(s).add(k))), []);
  useEffect(() => setLoaded(new Set()), [id]);
  const needed = ev ? [ev.clip ? 'clip' : null, ...ev.stills.map((s) => s.id)].filter(Boolean).length : 0;
  const ready = !!ev && loaded.size >= needed;
  const [readyAt, setReadyAt] = useState<number | null>(null);
  useEffect(() => setReadyAt(null), [id]);
  useEffect(() => {
    if (ready) setReadyAt((v) => v ?? performance.now());
  }, [ready]);
  return { markLoaded, ready, readyAt };
}
