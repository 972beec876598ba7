// Signal timing: a fixed cycle green → yellow → red, an optional green right arrow lit through red.
import type { SignalSpec } from '../scenario/schema';

export type RoundState = 'green' | 'yellow' | 'red';

export interface SignalState {
  round: RoundState;
  /** Seconds since the current round phase began. */
  sincePhase: number;
  /** Whole seconds left in the current phase (what a countdown display shows). */
  remaining: number;
  arrow: 'green' | 'off' | null;
}

export function cycleLength(s: SignalSpec): number {
  return s.greenS + s.yellowS + s.redS;
}

export function signalAt(s: SignalSpec, t: number): SignalState {
  const c = cycleLength(s);
  const p = (((t + s.offsetS) % c) + c) % c;
  let round: RoundState;
  let since: number;
  let len: number;
  if (p < s.greenS) [round, since, len] = ['green', p, s.greenS];
  else if (p < s.greenS + s.yellowS) [round, since, len] = ['yellow', p - s.greenS, s.yellowS];
  else [round, since, len] = ['red', p - s.greenS - s.yellowS, s.redS];
  return {
    round,
    sincePhase: since,
    remaining: Math.max(0, Math.ceil(len - since - 1e-9)),
    arrow: s.rightArrow ? (round === 'red' ? 'green' : 'off') : null,
  };
}

/** Start time (seconds, >= 0) of the `cycle`-th occurrence of `phase` in the video. */
export function phaseStart(s: SignalSpec, phase: RoundState, cycle: number): number {
  const c = cycleLength(s);
  const within = phase === 'green' ? 0 : phase === 'yellow' ? s.greenS : s.greenS + s.yellowS;
  // t + offset ≡ within (mod c)
  let t = (((within - s.offsetS) % c) + c) % c;
  if (t < 0) t += c;
  return t + cycle * c;
}
