// Red-light rule (Decree 168/2024 Art. 6.9.b / 7.7.c; road traffic law: on yellow stop before the
// line unless already on/past it or too close to stop safely).
import type { Lane, StopLine, Turn } from '@phatnguoi/core/contracts/camera-geometry';
import { crossZ, dot, groundPoint, norm, orientedLine, pointInPolygon, signedDistance, sub, type OrientedLine } from '../geometry/geometry';
import type { TrackPoint } from '../tracking/tracker';
import { boxAt, boxHeight, crossingTime, frontPoint, median } from './track-geometry';
import { none, pending, type RuleResult, type RulesConfig, type SignalHistory, type TrackView } from './types';

export interface StopLineCrossing {
  /** Index of the last observation before the line and of the first past the crossing threshold. */
  beforeIndex: number;
  pastIndex: number;
  /** When the vehicle crossed (seconds). */
  t: number;
}

/**
 * Finds the vehicle's crossing of the stop line in the lane's direction: the ground point must have
 * been clearly before the line (beyond jitter) and then reach `crossFraction` of its box height past
 * it. Creeping a little over the line and stopping is not a crossing. The crossing is timed where the
 * ground point passed the line, unless the vehicle dawdled over it (then at the confirmed point).
 */
export function findStopLineCrossing(points: readonly TrackPoint[], line: OrientedLine, config: RulesConfig): StopLineCrossing | null {
  const h = median(points.map((p) => boxHeight(p.box)));
  const threshold = Math.max(config.jitterPx * 2, h * config.crossFraction);
  let lastBefore = -1;
  for (let i = 0; i < points.length; i++) {
    const d = signedDistance(line, groundPoint(points[i]!.box));
    if (d < -config.jitterPx) lastBefore = i;
    else if (d >= threshold && lastBefore >= 0) {
      // Last observation at or before the line (d <= 0) before the confirming one.
      let k0 = i - 1;
      while (k0 > lastBefore && signedDistance(line, groundPoint(points[k0]!.box)) > 0) k0--;
      const atLine = crossingTime(line, points[k0]!, points[k0 + 1]!, 0);
      const confirmed = crossingTime(line, points[i - 1]!, points[i]!, threshold);
      // A vehicle that stops on the stop line or the zebra has not crossed (nor has a track that jumped onto a
      // vehicle waiting there): it crosses when it goes on into the junction, `enterHeights` box heights past.
      const enter = Math.max(threshold, h * config.enterHeights);
      for (let j = i; j < points.length; j++) {
        if (signedDistance(line, groundPoint(points[j]!.box)) < enter) continue;
        // Timed where it passed the line, unless it crept over it (then where it went on).
        if (confirmed - atLine <= config.maxCrossingSeconds) return { beforeIndex: k0, pastIndex: i, t: atLine };
        return { beforeIndex: k0, pastIndex: j, t: crossingTime(line, points[j - 1]!, points[j]!, enter) };
      }
      return null;
    }
  }
  return null;
}

/**
 * The movement after the line from the track's displacement, once it has gone `turnDecisionHeights` box heights.
 *
 * A track that went out of sight before that (`leftView`: where the detection region ends, a short way past the line
 * on some cameras) is still judged straight when it went at least `straightDecisionHeights`, every point of its path
 * kept within `straightAngleDeg` of the lane direction, and none leaned towards the side of a movement an arrow
 * permits (`permitted`) by more than `straightLeanDeg`: a turner on the arrow may go on almost straight for a box
 * height before it bends, but it does not drift away from its turn. One lost in view is not judged so: a track is
 * often lost just as the vehicle bends. Anything else stays undetermined (null).
 */
export function classifyTurn(
  points: readonly TrackPoint[],
  fromIndex: number,
  laneDirection: [number, number],
  config: RulesConfig,
  leftView = false,
  permitted: readonly Turn[] = [],
): Turn | null {
  const start = groundPoint(points[fromIndex]!.box);
  const h = boxHeight(points[fromIndex]!.box);
  const angleTo = (disp: [number, number]) => {
    const cos = dot(disp, laneDirection) / (norm(disp) * norm(laneDirection));
    return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
  };
  // Image y points down: a clockwise turn on screen is a right turn (camera not mirrored).
  const rightward = (disp: [number, number]) => crossZ(laneDirection, disp) > 0;
  for (let i = fromIndex + 1; i < points.length; i++) {
    const disp = sub(groundPoint(points[i]!.box), start);
    if (norm(disp) < h * config.turnDecisionHeights) continue;
    const angle = angleTo(disp);
    if (angle < config.turnAngleDeg) return 'straight';
    if (angle > 150) return 'u_turn';
    return rightward(disp) ? 'right' : 'left';
  }
  if (!leftView || points.length - fromIndex < 3) return null;
  const path = points.slice(fromIndex + 1).map((p) => sub(groundPoint(p.box), start));
  if (norm(path[path.length - 1]!) < h * config.straightDecisionHeights) return null;
  const towardsRight = permitted.includes('right');
  const towardsLeft = permitted.includes('left') || permitted.includes('u_turn');
  const straight = path.every((disp) => {
    if (norm(disp) < config.jitterPx * 2) return true; // a step of a few pixels is mostly detector jitter
    const angle = angleTo(disp);
    if (angle >= config.straightAngleDeg) return false;
    const leansRight = rightward(disp);
    return angle <= config.straightLeanDeg || !((leansRight && towardsRight) || (!leansRight && towardsLeft));
  });
  return straight ? 'straight' : null;
}

export function redLightRule(track: TrackView, lane: Lane, stopLine: StopLine, signal: SignalHistory, config: RulesConfig): RuleResult {
  const line = orientedLine(stopLine.a, stopLine.b, stopLine.beforePoint);
  const pts = track.points;
  const crossing = findStopLineCrossing(pts, line, config);
  if (!crossing) return track.ended ? none('never crossed the stop line') : pending('not crossed');
  // The lane is the one the vehicle approached in.
  const approach = pts.slice(Math.max(0, crossing.beforeIndex - 3), crossing.beforeIndex + 1);
  if (!approach.some((p) => pointInPolygon(groundPoint(p.box), lane.polygon))) return none('approached in another lane');
  if (signal.knownUntil < crossing.t) return track.ended ? none('signal state unknown at crossing') : pending('signal not settled');

  const s = signal.at(crossing.t);
  const tc = crossing.t;
  const headId = lane.signalHeadId ?? null;
  if (s.round === 'green') return none('crossed on green');
  if (s.round === 'unknown') return none('signal unknown at crossing');

  const before = pts[crossing.beforeIndex]!;
  const past = pts[crossing.pastIndex]!;
  const stopOnset = s.round === 'red' && s.previousRound === 'yellow' && s.previousSince !== null ? s.previousSince : s.roundSince!;
  const base = {
    type: 'red_light' as const,
    rule: 'redLightRule',
    phaseId: `${headId}@${Math.round(stopOnset * 1000)}`,
    t: tc,
    seq: past.seq,
    box: past.box,
    laneId: lane.id,
    signalHeadId: headId,
    signal: s,
    beforeSeq: before.seq,
    afterSeq: past.seq,
    stopLineId: stopLine.id,
  };

  // Was the vehicle free to go on at yellow onset (on/past the line, or too close to stop)?
  const mayGoOnAtYellow = (yellowOnset: number): boolean => {
    if (yellowOnset < pts[0]!.t) return false; // first seen after onset, before the line: it had to stop
    const box = boxAt(pts, yellowOnset);
    if (signedDistance(line, frontPoint(box, lane.direction)) >= -config.jitterPx) return true;
    const d = -signedDistance(line, groundPoint(box));
    const i = pts.findIndex((p) => p.t >= yellowOnset);
    const a = pts[Math.max(0, i - 1)]!;
    const b = pts[Math.min(pts.length - 1, Math.max(i, 1))]!;
    const speed = b.t > a.t ? (signedDistance(line, groundPoint(b.box)) - signedDistance(line, groundPoint(a.box))) / (b.t - a.t) : 0;
    return speed > 0 && d / speed < config.yellowDecisionSeconds;
  };

  if (s.round === 'yellow') {
    if (config.yellowMode === 'permissive') return none('crossed on yellow (permissive)');
    if (tc - s.roundSince! < config.redGraceSeconds) return none('crossed within grace after yellow onset');
    if (mayGoOnAtYellow(s.roundSince!)) return none('on or too close to the line at yellow onset');
    return {
      status: 'violation',
      violation: {
        ...base,
        secondsAfterRed: 0,
        summary: `Crossed stop line ${stopLine.id} on yellow, ${(tc - s.roundSince!).toFixed(1)} s after yellow onset`,
      },
    };
  }

  // Red: a lit green arrow may permit the movement.
  const permitted = new Set((lane.arrowPermits ?? []).filter((p) => s.arrowsLit.includes(p.lampId)).map((p) => p.turn));
  let turn: Turn | null = null;
  if (permitted.size > 0) {
    if (lane.turns.every((t) => permitted.has(t))) return none('every movement of the lane had a green arrow');
    turn =
      lane.turns.length === 1
        ? lane.turns[0]!
        : classifyTurn(pts, crossing.beforeIndex, lane.direction, config, track.ended && track.leftView === true, [...permitted]);
    if (turn === null) return track.ended ? none('movement undetermined while an arrow was green') : pending('movement not yet known');
    if (permitted.has(turn)) return none(`green arrow permitted ${turn}`);
  }
  const afterRed = tc - s.roundSince!;
  // A signal never goes from green straight to red: seen so, the footage jumped (a cut the pipeline did not find) or a
  // reading went wrong, and the red onset was not observed. No crossing close after it is judged.
  if (s.previousRound === 'green' && afterRed < config.redAfterGreenMarginSeconds) return none('crossed just after a red seen straight after green');
  if (afterRed < config.redGraceSeconds) {
    const ignoredYellow =
      config.yellowMode === 'must_stop' &&
      s.previousRound === 'yellow' &&
      s.previousSince !== null &&
      s.roundSince! - s.previousSince >= config.redGraceSeconds &&
      !mayGoOnAtYellow(s.previousSince);
    if (!ignoredYellow) return none('crossed within grace after red onset');
  }
  return {
    status: 'violation',
    violation: {
      ...base,
      secondsAfterRed: Math.max(0, afterRed),
      ...(turn ? { turn } : {}),
      summary: `Crossed stop line ${stopLine.id} ${afterRed.toFixed(1)} s after red onset${turn ? ` (${turn})` : ''}`,
    },
  };
}
