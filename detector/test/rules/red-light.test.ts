import { describe, expect, it } from 'vitest';
import { redLightRule, DEFAULT_RULES_CONFIG, evaluateTrack, type RulesConfig } from '../../src/rules';
import { SignalTimeline } from '../../src/signal/signal-state';
import { atRegionEdge } from '../../src/rules/track-geometry';
import { cycle, geometry, lane, run, signal, stopLine, track } from '../fixtures/scene';

const config: RulesConfig = { ...DEFAULT_RULES_CONFIG, yellowMode: 'must_stop' };
const L1 = lane('L1');

// Speed 200 px/s; the ground point reaches the line (y=400) `lead` seconds after t0 when starting at y=400+200*lead.
function crossingAt(tLine: number, speed = 200, x = 200) {
  const y0 = 400 + speed * 2;
  return track(run(tLine - 2, x, y0, 150, speed));
}

describe('redLightRule', () => {
  it('lets a vehicle cross on green', () => {
    const r = redLightRule(crossingAt(5), L1, stopLine, cycle, config);
    expect(r).toMatchObject({ status: 'none', reason: 'crossed on green' });
  });

  it('flags a crossing well after red onset, once per stop phase', () => {
    const r = redLightRule(crossingAt(15), L1, stopLine, cycle, config);
    expect(r.status).toBe('violation');
    if (r.status !== 'violation') return;
    expect(r.violation.type).toBe('red_light');
    expect(r.violation.phaseId).toBe('H1@10000'); // the stop phase began with yellow at 10 s
    expect(r.violation.secondsAfterRed).toBeCloseTo(2, 1);
    expect(r.violation.beforeSeq).toBeLessThan(r.violation.afterSeq);
    expect(r.violation.box[3]).toBeLessThan(400); // the violation frame shows it past the line
  });

  it('excuses a crossing within the grace after red onset when the vehicle was near the line at yellow onset', () => {
    // 0.4 s from the line at yellow onset (12.65 s), reaches it 0.05 s after red: within grace.
    const late = track(run(12.25, 200, 640, 150, 300));
    const shortYellow = signal([
      [0, 'green'],
      [12.65, 'yellow'],
      [13, 'red'],
    ]);
    expect(redLightRule(late, L1, stopLine, shortYellow, config)).toMatchObject({ reason: 'crossed within grace after red onset' });
    // Same crossing time, but 3 s from the line at yellow onset: it ignored the yellow, grace does not excuse it.
    const slow = track(run(9.5, 200, 400 + 3.05 * 100 + 50, 150, 100));
    expect(redLightRule(slow, L1, stopLine, cycle, config).status).toBe('violation');
    // With permissive yellow (the default) only the red counts, and that crossing was within the grace.
    expect(redLightRule(slow, L1, stopLine, cycle, DEFAULT_RULES_CONFIG).status).toBe('none');
  });

  it('does not judge a crossing close after a red seen straight after green (a cut the pipeline missed, or a misreading)', () => {
    const redOnly = signal([
      [0, 'green'],
      [13, 'red'],
    ]);
    expect(redLightRule(crossingAt(13.1), L1, stopLine, redOnly, config)).toMatchObject({ reason: 'crossed just after a red seen straight after green' });
    expect(redLightRule(crossingAt(13.6), L1, stopLine, redOnly, config)).toMatchObject({ reason: 'crossed just after a red seen straight after green' });
    expect(redLightRule(crossingAt(14.2), L1, stopLine, redOnly, config).status).toBe('violation');
    // After an unreadable stretch (not green) the usual grace applies.
    const afterDark = signal([
      [0, 'green'],
      [12, 'unknown'],
      [13, 'red'],
    ]);
    expect(redLightRule(crossingAt(13.1), L1, stopLine, afterDark, config)).toMatchObject({ reason: 'crossed within grace after red onset' });
    expect(redLightRule(crossingAt(13.5), L1, stopLine, afterDark, config).status).toBe('violation');
    expect(redLightRule(crossingAt(13.2), L1, stopLine, afterDark, { ...config, redGraceSeconds: 0.1 }).status).toBe('violation');
  });

  it('on yellow: flags a vehicle that was far from the line at yellow onset and could have stopped', () => {
    // At 10 s (yellow onset) it is 500 px before the line at 200 px/s: 2.5 s away, crosses at 12.5 s.
    const r = redLightRule(track(run(9, 200, 1100, 150, 200)), L1, stopLine, cycle, config);
    expect(r.status).toBe('violation');
    if (r.status === 'violation') expect(r.violation.signal?.round).toBe('yellow');
  });

  it('on yellow: lets a vehicle on or just before the line at yellow onset go on', () => {
    // On the line at yellow onset.
    expect(redLightRule(track(run(9.5, 200, 500, 150, 200)), L1, stopLine, cycle, config)).toMatchObject({ status: 'none' });
    // 0.75 s from the line at onset: too close to stop (dilemma zone).
    expect(redLightRule(track(run(9.5, 200, 750, 150, 400)), L1, stopLine, cycle, config)).toMatchObject({
      reason: 'on or too close to the line at yellow onset',
    });
    // Permissive mode never flags yellow.
    expect(redLightRule(track(run(9, 200, 900, 150, 200)), L1, stopLine, cycle, { ...config, yellowMode: 'permissive' }).status).toBe('none');
  });

  it('a green arrow permits its movement while the round light is red, but not the others', () => {
    const redWithLeftArrow = signal([
      [0, 'green'],
      [10, 'yellow'],
      [13, 'red', ['GL']],
    ]);
    // Up to the line at 20 s, then turns left (towards -x).
    const left = track([
      ...run(18, 200, 800, 400, 200).slice(0, -1),
      [20, 200, 400],
      [20.2, 190, 370],
      [20.4, 170, 350],
      [20.6, 140, 335],
      [20.8, 100, 325],
      [21, 60, 320],
    ]);
    expect(redLightRule(left, L1, stopLine, redWithLeftArrow, config)).toMatchObject({ reason: 'green arrow permitted left' });
    const straight = track(run(18, 200, 800, 100, 200));
    const r = redLightRule(straight, L1, stopLine, redWithLeftArrow, config);
    expect(r).toMatchObject({ status: 'violation', violation: { turn: 'straight' } });
    // While the track is live and has not gone far enough to tell its movement, the rule waits.
    const short = track(run(18, 200, 800, 380, 200), { ended: false });
    expect(redLightRule(short, L1, stopLine, redWithLeftArrow, config).status).toBe('pending');
  });

  it('judges a track that went out of sight soon past the line as straight only when its short path is clearly straight', () => {
    const redWithLeftArrow = signal([
      [0, 'green'],
      [13, 'red', ['GL']],
    ]);
    // Out of sight 80 px (1.3 box heights) past the line (where the detection region ends), short of the 1.5 heights
    // the movement is normally judged at.
    const outOfSight = { ...track(run(18, 200, 800, 320, 200)), leftView: true };
    expect(redLightRule(outOfSight, L1, stopLine, redWithLeftArrow, config)).toMatchObject({ status: 'violation', violation: { turn: 'straight' } });
    // While it is still tracked the rule waits for the full distance: a turn may yet begin.
    expect(redLightRule({ ...outOfSight, ended: false }, L1, stopLine, redWithLeftArrow, config).status).toBe('pending');
    // The same path lost in the middle of the picture: a turner goes straight for a while and is often lost as it bends.
    expect(redLightRule({ ...outOfSight, leftView: false }, L1, stopLine, redWithLeftArrow, config)).toMatchObject({
      reason: 'movement undetermined while an arrow was green',
    });
    // A path leaning a few degrees towards the turn the arrow permits (left) may be that turn beginning: undetermined.
    // Leaning the same away from it, it is no left turn: straight.
    const leaning = (dx: number) => ({ ...track([...run(18, 200, 800, 400, 200), [20.2, 200 + dx, 360], [20.4, 200 + 2 * dx, 320]]), leftView: true });
    expect(redLightRule(leaning(-3), L1, stopLine, redWithLeftArrow, config)).toMatchObject({ reason: 'movement undetermined while an arrow was green' });
    expect(redLightRule(leaning(3), L1, stopLine, redWithLeftArrow, config)).toMatchObject({ status: 'violation', violation: { turn: 'straight' } });
    // A left turn going out of sight as early: bending away from the lane direction, so undetermined (the arrow permits it).
    const turning = { ...track([...run(18, 200, 800, 400, 200), [20.2, 197, 372], [20.4, 188, 352], [20.6, 172, 340]]), leftView: true };
    expect(redLightRule(turning, L1, stopLine, redWithLeftArrow, config)).toMatchObject({ reason: 'movement undetermined while an arrow was green' });
    // Seen once past the line: one step tells no heading.
    const once = { ...track([...run(18, 200, 800, 400, 200), [20.2, 200, 340]]), leftView: true };
    expect(redLightRule(once, L1, stopLine, redWithLeftArrow, config)).toMatchObject({ reason: 'movement undetermined while an arrow was green' });
  });

  it('tells a box at the edge of the detection region (the vehicle going out of sight) from one inside it', () => {
    const roi: [number, number, number, number] = [0, 183, 1620, 720];
    expect(atRegionEdge([882, 184, 943, 290], roi, 6)).toBe(true); // clipped by the region's top, a short way past the line
    expect(atRegionEdge([1500, 300, 1617, 400], roi, 6)).toBe(true);
    expect(atRegionEdge([807, 255, 875, 333], roi, 6)).toBe(false); // in the middle of the picture
  });

  it('does not flag creeping over the line and stopping, nor going on once green', () => {
    const creep: [number, number, number][] = [...run(14, 200, 600, 402, 200), [15.2, 200, 396], [15.4, 200, 392], [15.6, 200, 392], [16, 200, 392]];
    expect(redLightRule(track(creep), L1, stopLine, cycle, config)).toMatchObject({ status: 'none' });
    const thenGreen = signal([
      [0, 'red'],
      [30, 'green'],
    ]);
    const waiting: [number, number, number][] = [];
    for (let t = 16.2; t < 30; t += 0.2) waiting.push([t, 200, 392]);
    const creepThenGo = track([...creep, ...waiting, ...run(30, 200, 392, 150, 200).slice(1)]);
    expect(redLightRule(creepThenGo, L1, stopLine, thenGreen, config)).toMatchObject({ reason: 'crossed on green' });
  });

  it('tolerates a stopped vehicle jittering on the line', () => {
    const jitter: [number, number, number][] = [...run(14, 200, 600, 400, 200)];
    for (let k = 1; k < 40; k++) jitter.push([15 + k * 0.2, 200 + (k % 2 ? 1 : -1), 400 + (k % 3) * 2 - 2]);
    expect(redLightRule(track(jitter), L1, stopLine, cycle, config).status).toBe('none');
  });

  it('does not judge an unknown signal, and waits while the signal is not settled', () => {
    const unknown = signal([[0, 'unknown']]);
    expect(redLightRule(crossingAt(15), L1, stopLine, unknown, config)).toMatchObject({ reason: 'signal unknown at crossing' });
    const unsettled = signal([[0, 'red']], 10);
    expect(redLightRule({ ...crossingAt(15), ended: false }, L1, stopLine, unsettled, config).status).toBe('pending');
  });

  it('judges a vehicle after a stream discontinuity by the signal re-established after it, not by a red onset seen before it', () => {
    const tl = new SignalTimeline();
    const observe = (from: number, to: number, round: 'red' | 'green') => {
      for (let t = from; t < to - 1e-9; t += 0.2) tl.observe(t, { round, arrowsLit: [] });
    };
    observe(0, 10, 'green');
    observe(10, 20, 'red'); // red since 10 s
    tl.discontinuity(20); // the stream loops: from 20 s the picture is red again, its onset unseen
    tl.observe(20, { round: 'red', arrowsLit: [] });
    // One frame after the jump the state is not re-established: the rule waits (or, the track ended, does not judge).
    expect(redLightRule({ ...crossingAt(20.1), ended: false }, L1, stopLine, tl, config).status).toBe('pending');
    expect(redLightRule(crossingAt(20.1), L1, stopLine, tl, config)).toMatchObject({ reason: 'signal state unknown at crossing' });
    observe(20.2, 30, 'red');
    // Crossing 0.2 s after the jump: 10.2 s after the onset seen before it, but only 0.2 s after the red re-established.
    expect(redLightRule(crossingAt(20.2), L1, stopLine, tl, config)).toMatchObject({ reason: 'crossed within grace after red onset' });
    const later = redLightRule(crossingAt(23), L1, stopLine, tl, config);
    expect(later).toMatchObject({ status: 'violation', violation: { phaseId: 'H1@20000' } });
    if (later.status === 'violation') expect(later.violation.secondsAfterRed).toBeCloseTo(3, 1);
  });

  it('ignores vehicles approaching in another lane and vehicles moving away from the line', () => {
    expect(redLightRule(crossingAt(15, 200, 400), L1, stopLine, cycle, config)).toMatchObject({ reason: 'approached in another lane' });
    const backwards = track(run(14, 200, 150, 700, 200));
    expect(redLightRule(backwards, L1, stopLine, cycle, config).status).toBe('none');
  });

  it('evaluateTrack reports the red-light violation with its phase for the lane the vehicle used', () => {
    const v = evaluateTrack(crossingAt(15), geometry, (id) => (id === 'H1' ? cycle : undefined), config);
    expect(v.map((x) => `${x.type}:${x.phaseId}`)).toEqual(['red_light:H1@10000']);
  });
});
