// Signal state per head over time. Raw per-frame readings (vision) are smoothed so that LED flicker
// or a dark frame does not flip the state; a signal-controller feed, when present, overrides vision.
// The result is a timeline of segments the rules query at any past time.
import type { SignalHead } from '@phatnguoi/core/contracts/camera-geometry';
import type { SignalColour } from '@phatnguoi/core/contracts/violation-event';
import type { LampReading } from './lamp-reader';

export interface SignalObservation {
  round: SignalColour;
  /** Ids of the green arrow lamps lit. */
  arrowsLit: string[];
}

export interface SignalSegment extends SignalObservation {
  /** Seconds (epoch) the state began: the first frame that showed it, not the frame that confirmed it. */
  start: number;
}

export interface SignalSmootherConfig {
  /** Consecutive frames a new colour must show before it is accepted. */
  confirmFrames: number;
  /**
   * How long dark or unreadable frames may last and still be bridged, seconds. A stretch of them is judged only
   * once the lamps are readable again: the same colour on both sides bridges it, a different one (the change
   * happened somewhere inside it) or a stretch longer than this makes the whole stretch unknown.
   */
  holdSeconds: number;
  /** Segments older than this are forgotten, seconds. */
  keepSeconds: number;
  /**
   * An arrow seen lit counts as lit until it has been dark this long, seconds: LED arrows driven by PWM alias with the
   * camera's frame rate and may never show lit in two consecutive frames. When it stays dark longer, it went off at
   * its first dark frame; the state after that frame is unsettled meanwhile (so a genuine change is dated right and
   * judged at most this late: keep it no longer than the red-light grace).
   */
  flickerHoldSeconds?: number;
  /**
   * No frame at all for longer than this (stream stalled, detector restarted), seconds: a whole signal cycle may have
   * passed unseen, so the state is established anew after it, as after a cut. Shorter gaps (a loaded detector skipping
   * frames) are judged like a dark stretch.
   */
  stallSeconds?: number;
}

export const DEFAULT_SMOOTHER_CONFIG: SignalSmootherConfig = {
  confirmFrames: 2,
  holdSeconds: 1.5,
  keepSeconds: 120,
  flickerHoldSeconds: 0.3,
  stallSeconds: 10,
};

/** Raw state of one frame from lamp readings: the brightest lit round lamp; unknown when none is lit (dark frame). */
export function observationFromLamps(head: SignalHead, readings: LampReading[]): SignalObservation {
  const byId = new Map(readings.map((r) => [r.lampId, r]));
  let round: SignalColour = 'unknown';
  let best = -1;
  for (const lamp of head.lamps) {
    const r = byId.get(lamp.id);
    if (!r?.lit || lamp.shape !== 'round') continue;
    if (r.brightness > best) {
      best = r.brightness;
      round = lamp.colour;
    }
  }
  const arrowsLit = head.lamps.filter((l) => l.shape !== 'round' && l.colour === 'green' && byId.get(l.id)?.lit).map((l) => l.id);
  return { round, arrowsLit: arrowsLit.sort() };
}

function same(a: SignalObservation, b: SignalObservation): boolean {
  return a.round === b.round && a.arrowsLit.join(',') === b.arrowsLit.join(',');
}

export interface SignalAt extends SignalObservation {
  /** When the round light took its current colour (seconds); for the first remembered segment, when it was first seen. */
  roundSince: number | null;
  /** Colour before the current one and when it began (e.g. yellow before red). */
  previousRound: SignalColour | null;
  previousSince: number | null;
  source: 'vision' | 'controller';
}

export interface SignalTimelineSnapshot {
  segments: SignalSegment[];
  knownUntil: number | null;
  source: 'vision' | 'controller';
  candidate: Candidate | null;
  /** Start of the current stretch of unreadable frames (absent in snapshots of older versions). */
  darkSince?: number | null;
  /** Per arrow lamp: when it was last seen lit, and its first dark frame since (absent in older snapshots). */
  arrows?: Record<string, ArrowFlicker>;
  /** Time of the last frame observed (absent in older snapshots). */
  lastObserved?: number | null;
}

interface ArrowFlicker {
  lastLit: number;
  darkSince: number | null;
}

interface Candidate {
  obs: SignalObservation;
  start: number;
  frames: number;
  /** Start of the unreadable stretch just before the candidate's first frame, if any. */
  darkBefore?: number | null;
}

/** Signal history of one head. */
export class SignalTimeline {
  readonly segments: SignalSegment[] = [];
  /** Latest time for which the state is settled (rules wait for it). */
  knownUntil = -Infinity;
  source: 'vision' | 'controller' = 'vision';

  private candidate: Candidate | null = null;
  private darkSince: number | null = null;
  private arrows = new Map<string, ArrowFlicker>();
  private lastObserved: number | null = null;

  constructor(readonly config: SignalSmootherConfig = DEFAULT_SMOOTHER_CONFIG) {}

  /**
   * Holds arrows across flicker gaps: the arrows to report for this frame, the time of the earliest change the
   * frame reveals (an arrow that went dark at its first dark frame), and the start of a gap still open.
   */
  private holdArrows(t: number, lit: string[]): { arrowsLit: string[]; changedAt: number | null; openGap: number | null } {
    const hold = this.config.flickerHoldSeconds ?? 0;
    for (const id of lit) this.arrows.set(id, { lastLit: t, darkSince: null });
    const held: string[] = [];
    let changedAt: number | null = null;
    let openGap: number | null = null;
    for (const [id, a] of this.arrows) {
      if (a.lastLit === t) {
        held.push(id);
        continue;
      }
      a.darkSince ??= t;
      if (t - a.lastLit <= hold + 1e-9) {
        held.push(id);
        openGap = openGap === null ? a.darkSince : Math.min(openGap, a.darkSince);
      } else {
        changedAt = changedAt === null ? a.darkSince : Math.min(changedAt, a.darkSince);
        this.arrows.delete(id);
      }
    }
    return { arrowsLit: held.sort(), changedAt, openGap };
  }

  private append(obs: SignalObservation, start: number) {
    const last = this.segments[this.segments.length - 1];
    if (last && same(last, obs)) return;
    this.segments.push({ ...obs, start });
    const horizon = start - this.config.keepSeconds;
    while (this.segments.length > 2 && this.segments[1]!.start < horizon) this.segments.shift();
  }

  /** A vision reading of one frame at time t (seconds). Ignored once a controller feeds this head. */
  observe(t: number, raw: SignalObservation): void {
    if (this.source === 'controller') return;
    // A stall: unknown from just after the last frame seen before it.
    if (this.lastObserved !== null && t - this.lastObserved > (this.config.stallSeconds ?? Infinity)) this.discontinuity(this.lastObserved + 1e-6);
    this.lastObserved = t;
    const { arrowsLit, changedAt, openGap } = this.holdArrows(t, raw.arrowsLit);
    const obs: SignalObservation = { round: raw.round, arrowsLit: raw.round === 'unknown' ? [] : arrowsLit };
    this.observeHeld(t, obs, changedAt);
    // While an arrow is in a flicker gap, whether it went off at the gap's first frame is not known yet.
    if (openGap !== null) this.knownUntil = Math.min(this.knownUntil, openGap - 1e-6);
  }

  private observeHeld(t: number, obs: SignalObservation, changedAt: number | null): void {
    const current = this.segments[this.segments.length - 1];
    if (obs.round === 'unknown') {
      // Dark frame or flicker: what the light showed meanwhile is decided when it is readable again.
      this.darkSince ??= t;
      if (current && current.round !== 'unknown' && t - this.darkSince >= this.config.holdSeconds) {
        this.append({ round: 'unknown', arrowsLit: [] }, this.darkSince);
      }
      const now = this.segments[this.segments.length - 1];
      if (!now || now.round === 'unknown') this.knownUntil = t;
      return;
    }
    const darkBefore = this.darkSince;
    this.darkSince = null;
    if (current && same(current, obs)) {
      this.candidate = null; // a dark stretch between two frames of the same colour is bridged
      this.knownUntil = t;
      return;
    }
    if (this.candidate && same(this.candidate.obs, obs)) this.candidate.frames++;
    else this.candidate = { obs, start: changedAt !== null && changedAt < t && obs.round === current?.round ? changedAt : t, frames: 1, darkBefore };
    if (this.candidate.frames >= this.config.confirmFrames || !current) {
      // The colour changed somewhere in the unreadable stretch before it was first seen: that stretch is unknown.
      if (this.candidate.darkBefore != null && current && current.round !== 'unknown')
        this.append({ round: 'unknown', arrowsLit: [] }, this.candidate.darkBefore);
      this.append(obs, this.candidate.start);
      this.candidate = null;
      this.knownUntil = t;
    } else {
      // Undecided: the state is settled only up to just before the candidate (or the dark stretch before it) began.
      this.knownUntil = Math.max(this.knownUntil, (this.candidate.darkBefore ?? this.candidate.start) - 1e-6);
    }
  }

  /**
   * The stream jumped (a cut, a loop, a stall) at time t: what the lamps showed before it says nothing about the state
   * after it, nor about when that state began. The state is unknown from t until frames after the jump confirm it
   * again, and a colour seen then is dated from its first frame after the jump (a red onset seen before the jump is
   * never a vehicle's red onset after it). A controller feed is not a video: it goes on.
   */
  discontinuity(t: number): void {
    if (this.source === 'controller') return;
    this.candidate = null;
    this.darkSince = null;
    this.arrows.clear();
    this.append({ round: 'unknown', arrowsLit: [] }, t);
    this.knownUntil = Math.min(this.knownUntil, t - 1e-6);
  }

  /** A phase change from the signal controller: authoritative from now on. */
  controller(t: number, obs: SignalObservation): void {
    if (this.source !== 'controller') {
      this.source = 'controller';
      this.candidate = null;
    }
    this.append({ round: obs.round, arrowsLit: [...obs.arrowsLit].sort() }, t);
    this.knownUntil = Math.max(this.knownUntil, t);
  }

  /** Serialisable state, so a restarted detector continues exactly where this one stopped. */
  snapshot(): SignalTimelineSnapshot {
    const num = (x: number) => (Number.isFinite(x) ? x : null);
    return {
      segments: this.segments.map((s) => ({ ...s })),
      knownUntil: num(this.knownUntil),
      source: this.source,
      candidate: this.candidate,
      darkSince: this.darkSince,
      arrows: Object.fromEntries([...this.arrows].map(([id, a]) => [id, { ...a }])),
      lastObserved: this.lastObserved,
    };
  }

  restore(snap: SignalTimelineSnapshot): void {
    this.segments.splice(0, this.segments.length, ...snap.segments);
    this.knownUntil = snap.knownUntil ?? -Infinity;
    this.source = snap.source;
    this.candidate = snap.candidate;
    this.darkSince = snap.darkSince ?? null;
    this.arrows = new Map(Object.entries(snap.arrows ?? {}).map(([id, a]) => [id, { ...a }]));
    this.lastObserved = snap.lastObserved ?? null;
  }

  /** Controller state is known up to any time we have seen frames for. */
  advance(t: number): void {
    if (this.source === 'controller') this.knownUntil = Math.max(this.knownUntil, t);
  }

  at(t: number): SignalAt {
    return signalAt(this.segments, t, this.source);
  }
}

/** State at time t from a segment list (pure). */
export function signalAt(segments: readonly SignalSegment[], t: number, source: 'vision' | 'controller' = 'vision'): SignalAt {
  let i = -1;
  for (let k = segments.length - 1; k >= 0; k--) {
    if (segments[k]!.start <= t) {
      i = k;
      break;
    }
  }
  if (i < 0) return { round: 'unknown', arrowsLit: [], roundSince: null, previousRound: null, previousSince: null, source };
  const seg = segments[i]!;
  // The round colour may span several segments (arrow changes): walk back to its onset.
  let j = i;
  while (j > 0 && segments[j - 1]!.round === seg.round) j--;
  const prev = j > 0 ? segments[j - 1]! : null;
  let p = j - 1;
  while (p > 0 && prev && segments[p - 1]!.round === prev.round) p--;
  return {
    round: seg.round,
    arrowsLit: seg.arrowsLit,
    roundSince: segments[j]!.start,
    previousRound: prev ? prev.round : null,
    previousSince: prev ? segments[p]!.start : null,
    source,
  };
}
