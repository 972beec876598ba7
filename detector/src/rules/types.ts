// Shared types of the violation rules. Rules are pure: a track's history, the (scaled) camera
// geometry and signal history in, a verdict out. The pipeline runs them every frame.
import type { Box, VehicleClass } from '@phatnguoi/core/contracts/detection';
import type { SpeedDetail, ViolationType } from '@phatnguoi/core/contracts/violation-event';
import type { TrackPoint } from '../tracking/tracker';
import type { SignalAt } from '../signal/signal-state';
import { DEFAULT_SPEED_MEASURE, DEFAULT_SPEED_TOLERANCE } from './speed';
import type { SpeedingConfig } from './speeding';

export interface TrackView {
  id: string;
  cls: VehicleClass;
  /** Observations, oldest first; `t` in seconds. */
  points: readonly TrackPoint[];
  /** The track has ended: rules decide now instead of waiting. */
  ended: boolean;
  /** It ended where the detector's region or the frame ends: the vehicle went out of sight, it was not lost in view. */
  leftView?: boolean;
}

/** What a rule needs to know about a signal head. */
export interface SignalHistory {
  at(t: number): SignalAt;
  /** State is settled up to this time (seconds). */
  knownUntil: number;
}

export interface RuleViolation {
  type: ViolationType;
  rule: string;
  phaseId: string;
  summary: string;
  /** Time of the violation (seconds) and the observation that shows it. */
  t: number;
  seq: number;
  box: Box;
  laneId: string | null;
  signalHeadId: string | null;
  signal: SignalAt | null;
  /** Frames for the scene images: before and after the line (or the offence). */
  beforeSeq: number;
  afterSeq: number;
  stopLineId?: string;
  solidLineId?: string;
  secondsAfterRed?: number;
  turn?: string;
  distancePx?: number;
  speed?: SpeedDetail;
}

export type RuleResult = { status: 'violation'; violation: RuleViolation } | { status: 'pending'; reason: string } | { status: 'none'; reason: string };

export const none = (reason: string): RuleResult => ({ status: 'none', reason });
export const pending = (reason: string): RuleResult => ({ status: 'pending', reason });

export interface RulesConfig {
  /** Crossing after red onset within this many seconds is excused (signal timing, reaction). */
  redGraceSeconds: number;
  /** A red seen straight after green (no yellow: a cut in the footage, or a misreading) is not judged for this many seconds. */
  redAfterGreenMarginSeconds: number;
  /**
   * 'must_stop': crossing on yellow is a violation unless the vehicle was on/past the line or too close to stop
   * at yellow onset (road traffic law). 'permissive' (default): only red counts, as the simulator's truth and
   * most deployed systems do; switch per camera where the police fine yellow.
   */
  yellowMode: 'must_stop' | 'permissive';
  /** On yellow, a vehicle this few seconds from the line (at its speed) at yellow onset may go on (dilemma zone). */
  yellowDecisionSeconds: number;
  /** Positions within this many pixels of a line count as on it (detector jitter). */
  jitterPx: number;
  /** A crossing counts once the ground point is this fraction of the box height past the line (creeping and stopping does not). */
  crossFraction: number;
  /** Longest time from leaving the line to the confirmed crossing still timed at the line, seconds. */
  maxCrossingSeconds: number;
  /** A crossing counts once the vehicle goes on to this many box heights past the line (stopping on the line or the zebra is not crossing). */
  enterHeights: number;
  /** Distance past the line after which the movement (straight/left/right) is judged, as a multiple of box height. */
  turnDecisionHeights: number;
  /** Angle from the lane direction beyond which a movement is a turn, degrees. */
  turnAngleDeg: number;
  /**
   * A track that went out of sight before `turnDecisionHeights` still counts as straight when it went this many box
   * heights past its last point before the line, every point within `straightAngleDeg` of the lane direction and
   * leaning no more than `straightLeanDeg` towards the side of a movement a green arrow permits.
   */
  straightDecisionHeights: number;
  straightAngleDeg: number;
  straightLeanDeg: number;
  /** Time a vehicle must stay in a lane before a class violation, seconds (lane changes pass through). */
  laneDwellSeconds: number;
  laneDwellFrames: number;
  /** Distance against the lane direction before a wrong-way violation, pixels. */
  wrongWayMinPx: number;
  /** ... and at least this many heights of the vehicle's box where the backward movement began. */
  wrongWayMinHeights: number;
  /** ... reached by this many consecutive observations each moving against the direction. */
  wrongWayMinSteps: number;
  /** Speed measurement, tolerance and fine band threshold (speeding, in calibrated speed zones). */
  speeding: SpeedingConfig;
}

export const DEFAULT_RULES_CONFIG: RulesConfig = {
  redGraceSeconds: 0.3,
  redAfterGreenMarginSeconds: 1,
  yellowMode: 'permissive',
  yellowDecisionSeconds: 2,
  jitterPx: 3,
  crossFraction: 0.3,
  maxCrossingSeconds: 1.5,
  enterHeights: 0.6,
  turnDecisionHeights: 1.5,
  turnAngleDeg: 30,
  straightDecisionHeights: 0.6,
  straightAngleDeg: 12,
  straightLeanDeg: 1,
  laneDwellSeconds: 1,
  laneDwellFrames: 3,
  wrongWayMinPx: 60,
  wrongWayMinHeights: 0.5,
  wrongWayMinSteps: 3,
  speeding: { measure: DEFAULT_SPEED_MEASURE, tolerance: DEFAULT_SPEED_TOLERANCE, firstBandKmh: 5, sigmaCoverage: 2 },
};

/** Pixel settings are given for 720-row frames; scale them to the frame height in use. */
export function scaleRulesConfig(config: RulesConfig, frameHeight: number): RulesConfig {
  const k = frameHeight / 720;
  const measure = { ...config.speeding.measure, boxNoisePx: config.speeding.measure.boxNoisePx * k };
  return { ...config, jitterPx: config.jitterPx * k, wrongWayMinPx: config.wrongWayMinPx * k, speeding: { ...config.speeding, measure } };
}
