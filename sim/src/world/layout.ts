// World-space layout derived from a scenario: lane boundaries, stop line, zebra, intersection box,
// signal head positions. Pure geometry, metres.
import type { LaneSpec, Scenario, SignalSpec } from '../scenario/schema';

export interface WorldLane {
  spec: LaneSpec;
  index: number;
  x0: number;
  x1: number;
  centre: number;
  forward: boolean;
}

export interface WorldLamp {
  id: string;
  colour: 'red' | 'yellow' | 'green';
  shape: 'round' | 'arrow_right';
  x: number;
  y: number;
  z: number;
  r: number;
}

export interface WorldSignalHead {
  spec: SignalSpec;
  poleX: number;
  z: number;
  lamps: WorldLamp[];
  /** Countdown display centre and size (metres), when the head has one. */
  countdown: { x: number; y: number; z: number; w: number; h: number } | null;
  housing: { x0: number; x1: number; y0: number; y1: number; z: number };
}

export interface WorldLayout {
  lanes: WorldLane[];
  roadX0: number;
  roadX1: number;
  /** Forward lanes' X span (the stop line). */
  forwardX0: number;
  forwardX1: number;
  hasSignal: boolean;
  stopZ: number;
  zebra: { z0: number; z1: number } | null;
  /** Cross road (intersection box) Z span; null on a plain road. */
  cross: { z0: number; z1: number; left: boolean; right: boolean } | null;
  heads: WorldSignalHead[];
  farZ: number;
  /** Lanes are marked (and the lane rules apply, and the camera geometry's lane polygons reach) up to this Z. */
  markedToZ: number;
}

export const LAMP_RADIUS_M = 0.2;

export function buildLayout(s: Scenario): WorldLayout {
  const total = s.layout.lanes.reduce((a, l) => a + l.widthM, 0);
  let x = -total / 2;
  const lanes: WorldLane[] = s.layout.lanes.map((spec, index) => {
    const lane = { spec, index, x0: x, x1: x + spec.widthM, centre: x + spec.widthM / 2, forward: spec.direction === 'forward' };
    x += spec.widthM;
    return lane;
  });
  const fwd = lanes.filter((l) => l.forward);
  const forwardX0 = fwd.length ? Math.min(...fwd.map((l) => l.x0)) : -total / 2;
  const forwardX1 = fwd.length ? Math.max(...fwd.map((l) => l.x1)) : total / 2;
  const stopZ = s.layout.stopLineM;
  const isRoad = s.layout.kind === 'road';
  const zebra = !isRoad && s.layout.zebra ? { z0: stopZ + 1, z1: stopZ + 5 } : null;
  const crossZ0 = stopZ + (zebra ? 6 : 2);
  const cross = isRoad
    ? null
    : {
        z0: crossZ0,
        z1: crossZ0 + s.layout.crossRoadWidthM,
        left: s.layout.kind !== 'intersection-3way-right',
        right: s.layout.kind !== 'intersection-3way-left',
      };
  const heads: WorldSignalHead[] = isRoad
    ? []
    : s.signals.map((spec, i) => {
        const z = (cross?.z1 ?? stopZ) + 1.5 + i * 0.01;
        const poleX = spec.side === 'left' ? forwardX0 + 0.8 : spec.side === 'right' ? forwardX1 - 0.6 : (forwardX0 + forwardX1) / 2;
        const r = LAMP_RADIUS_M;
        const pitch = r * 2.5;
        const top = 6.2;
        const lamps: WorldLamp[] = [
          { id: 'red', colour: 'red', shape: 'round', x: poleX, y: top - pitch * 0.5, z, r },
          { id: 'yellow', colour: 'yellow', shape: 'round', x: poleX, y: top - pitch * 1.5, z, r },
          { id: 'green', colour: 'green', shape: 'round', x: poleX, y: top - pitch * 2.5, z, r },
        ];
        if (spec.rightArrow) lamps.push({ id: 'green-right', colour: 'green', shape: 'arrow_right', x: poleX + pitch, y: top - pitch * 2.5, z, r });
        const housing = {
          x0: poleX - pitch / 2,
          x1: poleX + pitch / 2 + (spec.rightArrow ? pitch : 0),
          y0: top - pitch * 3,
          y1: top,
          z,
        };
        const countdown = spec.countdown ? { x: poleX - pitch * 1.6, y: top - pitch * 1.5, z, w: pitch * 1.7, h: pitch * 1.1 } : null;
        return { spec, poleX, z, lamps, countdown, housing };
      });
  return {
    lanes,
    roadX0: -total / 2,
    roadX1: total / 2,
    forwardX0,
    forwardX1,
    hasSignal: heads.length > 0,
    stopZ,
    zebra,
    cross,
    heads,
    farZ: 160,
    markedToZ: cross ? stopZ : stopZ + 40,
  };
}

/** The lane containing world X (null off the road). */
export function laneAt(layout: WorldLayout, x: number): WorldLane | null {
  for (const l of layout.lanes) if (x >= l.x0 && x < l.x1) return l;
  return null;
}
