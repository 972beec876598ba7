// Runs every rule that applies to a track against the camera geometry.
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import { redLightRule } from './red-light';
import { laneClassRule, solidLineRule } from './wrong-lane';
import { wrongWayRule } from './wrong-way';
import { speedCalibration, speedingRule } from './speeding';
import type { RuleResult, RulesConfig, RuleViolation, SignalHistory, TrackView } from './types';

export * from './types';
export { redLightRule, findStopLineCrossing, classifyTurn } from './red-light';
export { laneClassRule, solidLineRule } from './wrong-lane';
export { wrongWayRule } from './wrong-way';
export { speedingRule, speedCalibration } from './speeding';
export { measureSpeed, speedToleranceKmh } from './speed';

/** Every violation the track shows so far (at most one per rule and lane/line; the caller de-duplicates by phase). */
export function evaluateTrack(
  track: TrackView,
  geometry: CameraGeometry,
  signals: (headId: string) => SignalHistory | undefined,
  config: RulesConfig,
): RuleViolation[] {
  const results: RuleResult[] = [];
  const stopLines = new Map(geometry.stopLines.map((s) => [s.id, s]));
  for (const lane of geometry.lanes) {
    const stop = lane.stopLineId ? stopLines.get(lane.stopLineId) : undefined;
    const signal = lane.signalHeadId ? signals(lane.signalHeadId) : undefined;
    if (stop && signal) results.push(redLightRule(track, lane, stop, signal, config));
    results.push(laneClassRule(track, lane, config, geometry.reference.height));
    results.push(wrongWayRule(track, lane, config));
  }
  for (const line of geometry.solidLines) results.push(solidLineRule(track, line, config));
  const calibration = geometry.speedZones?.length ? speedCalibration(geometry) : null;
  if (calibration) for (const zone of geometry.speedZones ?? []) results.push(speedingRule(track, zone, calibration, config.speeding));
  return results.flatMap((r) => (r.status === 'violation' ? [r.violation] : []));
}
