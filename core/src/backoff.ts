// Retry with backoff for long-running loops (a camera's frame loop in the detector, a camera's ffmpeg
// supervisor in ingest): a loop that hits an error waits `backoffDelayMs` and tries again; a loop that has
// kept failing, with no success in between, for `giveUpAfterMs` (and at least `giveUpAfterFailures` times)
// gives up, so its caller can hand the work (a camera lease) to another process. Pure logic, no I/O.

export interface BackoffPolicy {
  /** First delay, ms. */
  initialMs: number;
  /** Longest delay, ms. */
  maxMs: number;
  /** Give up once failing without a success for this long, ms (Infinity: never). */
  giveUpAfterMs: number;
  /** ... and at least this many failures in a row (a single slow failure never ends the loop). */
  giveUpAfterFailures: number;
  /** Random spread of each delay, 0–1 (0.2: ±20 %), so many loops failing together do not retry in step. */
  jitter?: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000, giveUpAfterMs: 60_000, giveUpAfterFailures: 5, jitter: 0.2 };

/**
 * Delay before retry number `failures` (1 = after the first failure): initialMs doubled per failure, capped
 * at maxMs, spread by ±jitter (`random` in [0, 1); 0.5 gives the nominal delay).
 */
export function backoffDelayMs(failures: number, policy: Pick<BackoffPolicy, 'initialMs' | 'maxMs' | 'jitter'>, random: () => number = Math.random): number {
  if (!Number.isFinite(failures) || failures < 1) return 0;
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 30));
  const spread = Math.min(1, Math.max(0, policy.jitter ?? 0));
  const factor = 1 + spread * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(policy.maxMs, nominal * factor)));
}

export interface FailureState {
  /** Failures since the last success. */
  failures: number;
  /** When the first of those failures happened (ms), null while healthy. */
  failingSince: number | null;
  /** The last failure's message, null while healthy. */
  lastError: string | null;
}

/** What to do after a failure: wait `delayMs` and retry, or give up. */
export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'give_up'; failingForMs: number };

/** Counts a loop's failures since its last success and decides between retrying and giving up. */
export class RetryTracker {
  private state: FailureState = { failures: 0, failingSince: null, lastError: null };

  constructor(
    readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get current(): Readonly<FailureState> {
    return this.state;
  }

  get failing(): boolean {
    return this.state.failures > 0;
  }

  /** Work went through: the next failure starts a new series. */
  succeeded(): void {
    if (this.state.failures > 0) this.state = { failures: 0, failingSince: null, lastError: null };
  }

  /** Records a failure at `now` and says what to do. */
  failed(error: string, now: number): RetryDecision {
    const failingSince = this.state.failingSince ?? now;
    this.state = { failures: this.state.failures + 1, failingSince, lastError: error };
    const failingForMs = now - failingSince;
    if (this.state.failures >= this.policy.giveUpAfterFailures && failingForMs >= this.policy.giveUpAfterMs) return { action: 'give_up', failingForMs };
    return { action: 'retry', delayMs: backoffDelayMs(this.state.failures, this.policy, this.random) };
  }
}
