// Scoring the system's violations against the truth: pure functions, no I/O.
// A prediction matches a true violation of the same type when its time falls inside the violation's
// interval widened by the tolerance, and it is the same vehicle: same track id, or a box overlapping the
// true vehicle's box within the time tolerance (IoU >= iouMin). Predictions with neither track nor box (e.g. cases
// read back from the database) match on type and time alone, a plate match breaking ties.
import type { Box } from '@phatnguoi/core/contracts/detection';
import type { TruthFile } from '../truth';
import { VIOLATION_TYPES, type TruthViolation } from '../world/violations';
import { iou } from '../world/project';

export interface PredictedViolation {
  type: string;
  timeS: number;
  trackId?: string | null;
  box?: Box | null;
  plateText?: string | null;
  /** Speeding: the measured speed and the excess it was judged on, km/h. */
  speed?: { measuredKmh: number; excessKmh: number; seconds?: number } | null;
}

export interface PredictedLight {
  timeS: number;
  headId: string;
  round: string;
}

export interface MatchOptions {
  toleranceS: number;
  iouMin: number;
}

export const DEFAULT_MATCH: MatchOptions = { toleranceS: 2, iouMin: 0.3 };

export interface TypeScore {
  truth: number;
  predicted: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
}

export interface MatchedPair {
  truthId: string;
  type: string;
  truthTrack: string;
  predIndex: number;
  dt: number;
  identity: 'track' | 'box' | 'time';
  plateTruth: string;
  platePred: string | null;
  plateExact: boolean;
}

export interface EvalReport {
  byType: Record<string, TypeScore>;
  overall: TypeScore;
  matches: MatchedPair[];
  missed: TruthViolation[];
  falseAlarms: (PredictedViolation & { index: number; likelyTruth: string | null })[];
  /** Predictions that point at a real violation of another type. */
  wrongType: { predicted: string; actual: string; truthId: string; predIndex: number }[];
  plates: { matched: number; read: number; exact: number; exactRate: number | null };
  /**
   * Light state on frames where the lamps were readable (accuracy), and on frames that caught the LEDs dark:
   * there the controller's colour cannot be seen, so holding it or saying "unknown" is right and only a
   * different colour is wrong.
   */
  lights: LightScore;
}

export interface LightScore {
  judged: number;
  correct: number;
  accuracy: number | null;
  dark: { judged: number; wrongColour: number };
}

export function normalisePlate(t: string | null | undefined): string | null {
  if (!t) return null;
  const s = t.trim().toUpperCase().replace(/\s+/g, ' ');
  return s || null;
}

/** Box of a track in the truth frame nearest to time t (null when it is not on screen then). */
export function truthBoxAt(truth: Pick<TruthFile, 'frames' | 'video'>, trackId: string, t: number): Box | null {
  const k = Math.max(0, Math.min(truth.frames.length - 1, Math.round(t * truth.video.fps)));
  return truth.frames[k]?.objects.find((o) => o.trackId === trackId)?.box ?? null;
}

function score(truth: number, predicted: number, tp: number): TypeScore {
  return {
    truth,
    predicted,
    tp,
    fp: predicted - tp,
    fn: truth - tp,
    precision: predicted > 0 ? tp / predicted : null,
    recall: truth > 0 ? tp / truth : null,
  };
}

type Identity = 'track' | 'box' | 'time' | null;

function identityOf(truth: Pick<TruthFile, 'frames' | 'video'>, g: TruthViolation, p: PredictedViolation, o: MatchOptions): Identity {
  if (p.trackId != null && p.trackId === g.trackId) return 'track';
  if (p.box) {
    // The reported box may come from a neighbouring frame (e.g. the evidence still after the line):
    // compare it with the vehicle's true boxes over the time tolerance and keep the best overlap.
    let best = g.box ? iou(g.box, p.box) : 0;
    const fps = truth.video.fps;
    for (
      let k = Math.max(0, Math.floor((p.timeS - o.toleranceS) * fps));
      k <= Math.min(truth.frames.length - 1, Math.ceil((p.timeS + o.toleranceS) * fps));
      k++
    ) {
      const tb = truth.frames[k]?.objects.find((x) => x.trackId === g.trackId)?.box;
      if (tb) best = Math.max(best, iou(tb, p.box));
    }
    return best >= o.iouMin ? 'box' : null;
  }
  return 'time';
}

function inTime(g: TruthViolation, p: PredictedViolation, o: MatchOptions): boolean {
  return p.timeS >= g.startS - o.toleranceS && p.timeS <= g.endS + o.toleranceS;
}

export function evaluate(
  truth: Pick<TruthFile, 'frames' | 'video' | 'violations'>,
  preds: PredictedViolation[],
  lights: PredictedLight[] = [],
  o: MatchOptions = DEFAULT_MATCH,
): EvalReport {
  const rank = { track: 0, box: 0, time: 1 } as const;
  const cands: { g: TruthViolation; pi: number; id: Exclude<Identity, null>; plate: boolean; dt: number }[] = [];
  truth.violations.forEach((g) => {
    preds.forEach((p, pi) => {
      if (p.type !== g.type || !inTime(g, p, o)) return;
      const id = identityOf(truth, g, p, o);
      if (!id) return;
      const plate = normalisePlate(p.plateText) === normalisePlate(g.plateText);
      cands.push({ g, pi, id, plate, dt: Math.abs(p.timeS - g.timeS) });
    });
  });
  cands.sort((a, b) => rank[a.id] - rank[b.id] || Number(b.plate) - Number(a.plate) || a.dt - b.dt || a.pi - b.pi);
  const usedG = new Set<string>();
  const usedP = new Set<number>();
  const matches: MatchedPair[] = [];
  for (const c of cands) {
    if (usedG.has(c.g.id) || usedP.has(c.pi)) continue;
    usedG.add(c.g.id);
    usedP.add(c.pi);
    const p = preds[c.pi]!;
    matches.push({
      truthId: c.g.id,
      type: c.g.type,
      truthTrack: c.g.trackId,
      predIndex: c.pi,
      dt: Math.round((p.timeS - c.g.timeS) * 1000) / 1000,
      identity: c.id,
      plateTruth: c.g.plateText,
      platePred: normalisePlate(p.plateText),
      plateExact: normalisePlate(p.plateText) === normalisePlate(c.g.plateText),
    });
  }
  const types = [...new Set([...VIOLATION_TYPES, ...truth.violations.map((g) => g.type), ...preds.map((p) => p.type)])];
  const byType: Record<string, TypeScore> = {};
  for (const t of types) {
    byType[t] = score(
      truth.violations.filter((g) => g.type === t).length,
      preds.filter((p) => p.type === t).length,
      matches.filter((m) => m.type === t).length,
    );
  }
  const overall = score(truth.violations.length, preds.length, matches.length);
  const missed = truth.violations.filter((g) => !usedG.has(g.id));
  const wrongType: EvalReport['wrongType'] = [];
  const falseAlarms: EvalReport['falseAlarms'] = [];
  preds.forEach((p, index) => {
    if (usedP.has(index)) return;
    const other = truth.violations.find((g) => g.type !== p.type && inTime(g, p, o) && identityOf(truth, g, p, o) && identityOf(truth, g, p, o) !== 'time');
    const otherTimeOnly = other ?? missed.find((g) => g.type !== p.type && inTime(g, p, o) && identityOf(truth, g, p, o) === 'time');
    if (otherTimeOnly) wrongType.push({ predicted: p.type, actual: otherTimeOnly.type, truthId: otherTimeOnly.id, predIndex: index });
    falseAlarms.push({ ...p, index, likelyTruth: otherTimeOnly?.id ?? null });
  });
  const read = matches.filter((m) => m.platePred !== null).length;
  const exact = matches.filter((m) => m.plateExact).length;
  const lightScore: LightScore = { judged: 0, correct: 0, accuracy: null, dark: { judged: 0, wrongColour: 0 } };
  for (const l of lights) {
    const k = Math.round(l.timeS * truth.video.fps);
    const state = truth.frames[k]?.lights.find((x) => x.headId === l.headId);
    if (!state) continue;
    if (state.lit === false) {
      lightScore.dark.judged++;
      if (l.round !== 'unknown' && l.round !== state.round) lightScore.dark.wrongColour++;
      continue;
    }
    lightScore.judged++;
    if (state.round === l.round) lightScore.correct++;
  }
  lightScore.accuracy = lightScore.judged ? lightScore.correct / lightScore.judged : null;
  return {
    byType,
    overall,
    matches,
    missed,
    falseAlarms,
    wrongType,
    plates: { matched: matches.length, read, exact, exactRate: matches.length ? exact / matches.length : null },
    lights: lightScore,
  };
}

/** Sum reports over several scenarios (counts add; rates recomputed). */
export function combine(reports: EvalReport[]): Pick<EvalReport, 'byType' | 'overall' | 'plates' | 'lights'> {
  const byType: Record<string, TypeScore> = {};
  const add = (acc: TypeScore | undefined, s: TypeScore) => score((acc?.truth ?? 0) + s.truth, (acc?.predicted ?? 0) + s.predicted, (acc?.tp ?? 0) + s.tp);
  let overall = score(0, 0, 0);
  const plates = { matched: 0, read: 0, exact: 0, exactRate: null as number | null };
  const lights: LightScore = { judged: 0, correct: 0, accuracy: null, dark: { judged: 0, wrongColour: 0 } };
  for (const r of reports) {
    for (const [t, s] of Object.entries(r.byType)) byType[t] = add(byType[t], s);
    overall = add(overall, r.overall);
    plates.matched += r.plates.matched;
    plates.read += r.plates.read;
    plates.exact += r.plates.exact;
    lights.judged += r.lights.judged;
    lights.correct += r.lights.correct;
    lights.dark.judged += r.lights.dark.judged;
    lights.dark.wrongColour += r.lights.dark.wrongColour;
  }
  plates.exactRate = plates.matched ? plates.exact / plates.matched : null;
  lights.accuracy = lights.judged ? lights.correct / lights.judged : null;
  return { byType, overall, plates, lights };
}

export function formatReport(r: Pick<EvalReport, 'byType' | 'overall' | 'plates' | 'lights'>): string {
  const pct = (x: number | null) => (x === null ? '   -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);
  const lines = [
    `${'type'.padEnd(12)} ${'truth'.padStart(6)} ${'pred'.padStart(6)} ${'TP'.padStart(5)} ${'FP'.padStart(5)} ${'FN'.padStart(5)}  precision  recall`,
  ];
  for (const [t, s] of [...Object.entries(r.byType), ['all', r.overall] as const]) {
    lines.push(
      `${t.padEnd(12)} ${String(s.truth).padStart(6)} ${String(s.predicted).padStart(6)} ${String(s.tp).padStart(5)} ${String(s.fp).padStart(5)} ${String(s.fn).padStart(5)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall)}`,
    );
  }
  lines.push(`plates: exact ${r.plates.exact}/${r.plates.matched} matched violations (${pct(r.plates.exactRate).trim()}), ${r.plates.read} with a read`);
  lines.push(
    `lights: ${r.lights.correct}/${r.lights.judged} readable frames correct (${pct(r.lights.accuracy).trim()}); ` +
      `${r.lights.dark.wrongColour}/${r.lights.dark.judged} dark (LED-off) frames given a wrong colour`,
  );
  return lines.join('\n');
}
