// Stream discontinuities: a scenario can ask for hard cuts (the video jumps to another time of the same camera's
// footage, as in edited compilations of real clips) and loops (a demo camera replaying its file from the start).
// The video is then a sequence of segments, each a stretch of the simulated source time. The truth is stated in
// video time: a violation is judged only where its segment shows it whole, with a margin on either side of a
// discontinuity (no violation spans a cut); one cut in two, or seen again after a loop, becomes a near miss.
import type { Scenario } from '../scenario/schema';
import type { NearMiss, TruthViolation } from './violations';

/** Seconds a violation must be seen whole on each side of a discontinuity (the vehicle before and after its offence). */
export const CUT_MARGIN_S = 1;

/** One stretch of the video: video time [atS, atS + durationS) shows source time [fromS, fromS + durationS). */
export interface VideoSegment {
  atS: number;
  fromS: number;
  durationS: number;
}

/** A discontinuity as the truth file lists it: video time, source times on either side, and what it is. */
export interface TruthDiscontinuity {
  timeS: number;
  kind: 'cut' | 'loop';
  /** Source time shown just before and just after it. */
  fromS: number;
  toS: number;
}

/** The segments of a scenario's video (one when it has no discontinuities). */
export function videoSegments(s: Pick<Scenario, 'durationS' | 'discontinuities'>): VideoSegment[] {
  const cuts = s.discontinuities ?? [];
  const out: VideoSegment[] = [];
  let at = 0;
  let from = 0;
  for (const c of cuts) {
    out.push({ atS: at, fromS: from, durationS: c.atS - at });
    at = c.atS;
    from = c.toS;
  }
  out.push({ atS: at, fromS: from, durationS: s.durationS - at });
  return out;
}

/** How much source time the simulation must cover. */
export function sourceDurationS(segments: readonly VideoSegment[]): number {
  return Math.max(...segments.map((g) => g.fromS + g.durationS));
}

export function truthDiscontinuities(segments: readonly VideoSegment[]): TruthDiscontinuity[] {
  return segments.slice(1).map((g, i) => {
    const prev = segments[i]!;
    const before = prev.fromS + prev.durationS;
    return { timeS: g.atS, kind: g.fromS < before ? 'loop' : 'cut', fromS: before, toS: g.fromS };
  });
}

/** The source frame a video frame shows. */
export function sourceFrame(segments: readonly VideoSegment[], k: number, fps: number): number {
  const t = k / fps;
  const g = segments.findLast((x) => x.atS <= t + 1e-9) ?? segments[0]!;
  return Math.round((g.fromS + (t - g.atS)) * fps);
}

/** Problems with a scenario's discontinuities (for parseScenario). */
export function discontinuityErrors(s: Pick<Scenario, 'durationS' | 'discontinuities' | 'speedZone'>): string[] {
  const cuts = s.discontinuities ?? [];
  const errors: string[] = [];
  if (cuts.length > 0 && s.speedZone) errors.push('/discontinuities: not supported in a scene with a speed zone');
  let prevAt = 0;
  let source = 0; // source time shown at the previous discontinuity
  cuts.forEach((c, i) => {
    if (c.atS <= prevAt || c.atS >= s.durationS) errors.push(`/discontinuities/${i}/atS: must lie after the previous one and before the end of the video`);
    const shown = source + (c.atS - prevAt);
    if (Math.abs(c.toS - shown) < 1)
      errors.push(`/discontinuities/${i}/toS: must jump at least 1 s away from the source time ${shown.toFixed(1)} s shown there`);
    prevAt = c.atS;
    source = c.toS;
  });
  return errors;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Source-time truth in video time. A violation is judged in the first segment that shows it whole (with
 * CUT_MARGIN_S on any side that is a discontinuity); one that a discontinuity cuts, or that a loop shows again,
 * is a near miss with the reason.
 */
export function acrossDiscontinuities(
  segments: readonly VideoSegment[],
  violations: readonly TruthViolation[],
  nearMisses: readonly NearMiss[],
  fps: number,
  behaviourOf: (trackId: string) => string,
): { violations: TruthViolation[]; nearMisses: NearMiss[] } {
  if (segments.length === 1) return { violations: [...violations], nearMisses: [...nearMisses] };
  const judged = new Set<string>();
  const outV: TruthViolation[] = [];
  const outN: NearMiss[] = [];
  segments.forEach((g, i) => {
    const lo = g.fromS + (i > 0 ? CUT_MARGIN_S : 0);
    const hi = g.fromS + g.durationS - (i < segments.length - 1 ? CUT_MARGIN_S : 0);
    const toVideo = (t: number) => round3(g.atS + (t - g.fromS));
    for (const v of violations) {
      if (v.endS < g.fromS || v.startS > g.fromS + g.durationS) continue; // not in this segment at all
      const behaviour = behaviourOf(v.trackId);
      if (v.startS < lo || v.endS > hi) {
        const at = v.startS < lo ? g.atS : g.atS + g.durationS;
        outN.push({ trackId: v.trackId, behaviour, timeS: round3(at), note: `${v.type} spans the discontinuity at ${round3(at)} s: not judged` });
      } else if (judged.has(v.id)) {
        outN.push({ trackId: v.trackId, behaviour, timeS: toVideo(v.timeS), note: `${v.type} shown again after a loop: the same vehicle, one case` });
      } else {
        judged.add(v.id);
        outV.push({ ...v, timeS: toVideo(v.timeS), startS: toVideo(v.startS), endS: toVideo(v.endS), frame: v.frame + Math.round((g.atS - g.fromS) * fps) });
      }
    }
    for (const n of nearMisses) {
      if (n.timeS === null ? i === 0 : n.timeS >= g.fromS && n.timeS < g.fromS + g.durationS)
        outN.push({ ...n, timeS: n.timeS === null ? null : toVideo(n.timeS) });
    }
  });
  outV.sort((a, b) => a.timeS - b.timeS);
  return { violations: outV, nearMisses: outN };
}
