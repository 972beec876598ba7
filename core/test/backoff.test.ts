import { describe, expect, it } from 'vitest';
import { backoffDelayMs, RetryTracker, type BackoffPolicy } from '../src/backoff';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1000, giveUpAfterMs: 5000, giveUpAfterFailures: 3, jitter: 0 };

describe('backoffDelayMs', () => {
  it('doubles from the first delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelayMs(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('is 0 before any failure and for nonsense counts', () => {
    expect(backoffDelayMs(0, policy)).toBe(0);
    expect(backoffDelayMs(-3, policy)).toBe(0);
    expect(backoffDelayMs(Number.NaN, policy)).toBe(0);
  });

  it('spreads delays by the jitter without passing the cap', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelayMs(2, jittered, () => 0)).toBe(160);
    expect(backoffDelayMs(2, jittered, () => 0.5)).toBe(200);
    expect(backoffDelayMs(2, jittered, () => 0.999999)).toBe(240);
    expect(backoffDelayMs(9, jittered, () => 0.999999)).toBe(1000);
    expect(backoffDelayMs(9, jittered, () => 0)).toBe(800);
  });
});

describe('RetryTracker', () => {
  it('retries with growing delays, then gives up once failing long enough and often enough', () => {
    const tracker = new RetryTracker(policy);
    expect(tracker.failed('boom', 0)).toEqual({ action: 'retry', delayMs: 100 });
    expect(tracker.failed('boom', 100)).toEqual({ action: 'retry', delayMs: 200 });
    // Three failures, but only 300 ms of failing: keep trying.
    expect(tracker.failed('boom', 300)).toEqual({ action: 'retry', delayMs: 400 });
    expect(tracker.current).toEqual({ failures: 3, failingSince: 0, lastError: 'boom' });
    expect(tracker.failed('still', 5000)).toEqual({ action: 'give_up', failingForMs: 5000 });
    expect(tracker.current.lastError).toBe('still');
  });

  it('needs enough failures even when the time has passed (one slow failure never gives up)', () => {
    const tracker = new RetryTracker(policy);
    expect(tracker.failed('slow', 0).action).toBe('retry');
    expect(tracker.failed('slow', 60_000).action).toBe('retry');
    expect(tracker.failed('slow', 60_001).action).toBe('give_up');
  });

  it('starts a new series after a success', () => {
    const tracker = new RetryTracker(policy);
    tracker.failed('a', 0);
    tracker.failed('b', 1000);
    expect(tracker.failing).toBe(true);
    tracker.succeeded();
    expect(tracker.failing).toBe(false);
    expect(tracker.current).toEqual({ failures: 0, failingSince: null, lastError: null });
    // The time failing counts from the new series' first failure, and the delay starts over.
    expect(tracker.failed('c', 10_000)).toEqual({ action: 'retry', delayMs: 100 });
    tracker.failed('c', 11_000);
    expect(tracker.failed('c', 14_000).action).toBe('retry');
    expect(tracker.failed('c', 15_000).action).toBe('give_up');
  });

  it('never gives up with an infinite limit', () => {
    const tracker = new RetryTracker({ ...policy, giveUpAfterMs: Infinity });
    for (let i = 0; i < 100; i++) expect(tracker.failed('x', i * 1e9).action).toBe('retry');
  });
});
