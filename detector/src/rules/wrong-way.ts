// Wrong way: moving against the lane's direction of travel for at least a minimum distance, in sustained
// movement. A detector's box jitter on a large nearby vehicle, or a track that jumps from one vehicle to a
// nearer one, moves the ground point backwards too, but not steadily frame after frame, and not by half a
// vehicle or more from where it was.
import type { Lane } from '@phatnguoi/core/contracts/camera-geometry';
import { dot, groundPoint, norm, pointInPolygon, sub, unit } from '../geometry/geometry';
import { boxHeight } from './track-geometry';
import { none, pending, type RuleResult, type RulesConfig, type TrackView } from './types';

export function wrongWayRule(track: TrackView, lane: Lane, config: RulesConfig): RuleResult {
  const dir = unit(lane.direction);
  const pts = track.points;
  // Within each run of observations inside the lane, look for a net movement against the direction.
  let runStart = -1;
  let best = -1; // index with the furthest progress along the lane so far in this run
  let backwardSteps = 0; // consecutive observations each further against the direction than the one before
  for (let i = 0; i < pts.length; i++) {
    const g = groundPoint(pts[i]!.box);
    if (!pointInPolygon(g, lane.polygon)) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) {
      runStart = i;
      best = i;
      backwardSteps = 0;
      continue;
    }
    backwardSteps = dot(sub(g, groundPoint(pts[i - 1]!.box)), dir) < 0 ? backwardSteps + 1 : 0;
    const from = groundPoint(pts[best]!.box);
    const disp = sub(g, from);
    const against = -dot(disp, dir);
    const minDistance = Math.max(config.wrongWayMinPx, config.wrongWayMinHeights * boxHeight(pts[best]!.box));
    if (against >= minDistance && against >= 0.7 * norm(disp) && backwardSteps >= config.wrongWayMinSteps) {
      const p = pts[i]!;
      return {
        status: 'violation',
        violation: {
          type: 'wrong_way',
          rule: 'wrongWayRule',
          phaseId: `lane:${lane.id}`,
          summary: `Drove ${Math.round(against)} px against the direction of lane ${lane.id}`,
          t: pts[best]!.t, // the wrong-way movement began here
          seq: p.seq,
          box: p.box,
          laneId: lane.id,
          signalHeadId: lane.signalHeadId ?? null,
          signal: null,
          beforeSeq: pts[best]!.seq,
          afterSeq: p.seq,
          distancePx: against,
        },
      };
    }
    if (dot(g, dir) > dot(groundPoint(pts[best]!.box), dir)) best = i;
  }
  return track.ended ? none('no wrong-way movement') : pending('watching');
}
