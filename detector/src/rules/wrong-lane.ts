// Wrong lane (Decree 168/2024 Art. 6.5.b / 7.3.d): a class the lane does not allow, or crossing a solid line.
import type { Lane, SolidLine } from '@phatnguoi/core/contracts/camera-geometry';
import { crossZ, groundPoint, norm, pointInPolygon, projectionParam, segmentsIntersect, sub, type Point } from '../geometry/geometry';
import { none, pending, type RuleResult, type RulesConfig, type TrackView } from './types';

/** A box this close to the frame's bottom edge is cut off there: where the vehicle stands is out of view. */
const FRAME_EDGE_PX = 2;

/**
 * The vehicle stays in a lane its class may not use for at least the dwell time (lane changes pass). Only frames
 * where the vehicle's ground point is in view count: a box cut off by the bottom of the frame (`frameHeight`) does
 * not say which lane the vehicle stands in.
 */
export function laneClassRule(track: TrackView, lane: Lane, config: RulesConfig, frameHeight = Infinity): RuleResult {
  if (lane.allowedClasses.includes(track.cls)) return none(`${track.cls} allowed in lane ${lane.id}`);
  const pts = track.points;
  let runStart = -1;
  for (let i = 0; i < pts.length; i++) {
    const box = pts[i]!.box;
    if (box[3] >= frameHeight - FRAME_EDGE_PX || !pointInPolygon(groundPoint(box), lane.polygon)) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = i;
    const frames = i - runStart + 1;
    if (frames >= config.laneDwellFrames && pts[i]!.t - pts[runStart]!.t >= config.laneDwellSeconds) {
      const p = pts[i]!;
      return {
        status: 'violation',
        violation: {
          type: 'wrong_lane',
          rule: 'laneClassRule',
          phaseId: `lane:${lane.id}`,
          summary: `${track.cls} in lane ${lane.id}, which allows ${lane.allowedClasses.join(', ')}`,
          // The offence began when the vehicle entered the lane; the frame shown is where the dwell was confirmed.
          t: pts[runStart]!.t,
          seq: p.seq,
          box: p.box,
          laneId: lane.id,
          signalHeadId: lane.signalHeadId ?? null,
          signal: null,
          beforeSeq: pts[runStart]!.seq,
          afterSeq: p.seq,
        },
      };
    }
  }
  return track.ended ? none('did not stay in the lane') : pending('not long enough in the lane');
}

/** Signed distance to the nearest segment of the polyline (the sign tells the side). */
function sideOfPolyline(points: readonly Point[], p: Point): number {
  let best = { dist: Infinity, d: 0 };
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const t = Math.max(0, Math.min(1, projectionParam(a, b, p)));
    const q: Point = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    const dist = norm(sub(p, q));
    if (dist < best.dist) best = { dist, d: crossZ(sub(b, a), sub(p, a)) / (norm(sub(b, a)) || 1) };
  }
  return best.d;
}

function crossesPolyline(p: Point, q: Point, points: readonly Point[]): boolean {
  for (let i = 0; i + 1 < points.length; i++) if (segmentsIntersect(p, q, points[i]!, points[i + 1]!)) return true;
  return false;
}

/**
 * The vehicle's ground point goes from one side of a solid line to the other: clearly (beyond jitter
 * on both sides) and through the marked line itself, not past its end.
 */
export function solidLineRule(track: TrackView, line: SolidLine, config: RulesConfig): RuleResult {
  const pts = track.points;
  let side = 0;
  let sideIndex = -1;
  for (let i = 0; i < pts.length; i++) {
    const g = groundPoint(pts[i]!.box);
    const d = sideOfPolyline(line.points, g);
    if (Math.abs(d) <= config.jitterPx) continue;
    const s = Math.sign(d);
    if (side !== 0 && s !== side && crossesPolyline(groundPoint(pts[sideIndex]!.box), g, line.points)) {
      const p = pts[i]!;
      return {
        status: 'violation',
        violation: {
          type: 'wrong_lane',
          rule: 'solidLineRule',
          phaseId: `solid:${line.id}`,
          summary: `Crossed solid line ${line.id}`,
          t: p.t,
          seq: p.seq,
          box: p.box,
          laneId: null,
          signalHeadId: null,
          signal: null,
          beforeSeq: pts[sideIndex]!.seq,
          afterSeq: p.seq,
          solidLineId: line.id,
        },
      };
    }
    side = s;
    sideIndex = i;
  }
  return track.ended ? none('did not cross') : pending('not crossed');
}
