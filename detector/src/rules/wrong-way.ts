// Wrong way: moving against the lane's direction of travel for at least a minimum distance.
import type { Lane } from '@phatnguoi/core/contracts/camera-geometry';
import { dot, groundPoint, norm, pointInPolygon, sub, unit } from '../geometry/geometry';
import { none, pending, type RuleResult, type RulesConfig, type TrackView } from './types';

export function wrongWayRule(track: TrackView, lane: Lane, config: RulesConfig): RuleResult {
  const dir = unit(lane.direction);
  const pts = track.points;
  // Within each run of observations inside the lane, look for a net movement against the direction.
  let runStart = -1;
  let best = -1; // index with the furthest progress along the lane so far in this run
  for (let i = 0; i < pts.length; i++) {
    const g = groundPoint(pts[i]!.box);
    if (!pointInPolygon(g, lane.polygon)) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) {
      runStart = i;
      best = i;
      continue;
    }
    const from = groundPoint(pts[best]!.box);
    const disp = sub(g, from);
    const against = -dot(disp, dir);
    if (against >= config.wrongWayMinPx && against >= 0.7 * norm(disp)) {
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
