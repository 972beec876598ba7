// Multi-object tracker, ByteTrack-style: predicted boxes (constant velocity) are matched to
// high-score detections first, then the remaining tracks to low-score detections (occluded or
// blurred vehicles keep their id); tracks end after `maxMisses` frames without a match.
import type { Box, Detection, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { boxIoU } from '../geometry/geometry';

export interface TrackerConfig {
  /** Detections at or above this score take part in the first association pass and may start tracks. */
  highScore: number;
  /** Detections between lowScore and highScore only extend existing tracks (second pass). */
  lowScore: number;
  /** Minimum similarity to match in the first pass. */
  matchThreshold: number;
  /** Minimum IoU to match in the low-score pass. */
  lowMatchThreshold: number;
  /** Consecutive matched frames before a new track is reported. */
  minHits: number;
  /** Frames without a match before a confirmed track ends. */
  maxMisses: number;
  /** Points kept per track (oldest dropped). */
  maxHistory: number;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  highScore: 0.5,
  lowScore: 0.15,
  matchThreshold: 0.2,
  lowMatchThreshold: 0.3,
  minHits: 2,
  maxMisses: 5,
  maxHistory: 400,
};

export interface TrackPoint {
  seq: number;
  /** Seconds (frame time). */
  t: number;
  box: Box;
  cls: VehicleClass;
  score: number;
}

export interface Track {
  id: string;
  confirmed: boolean;
  hits: number;
  misses: number;
  /** Matched observations, oldest first. */
  history: TrackPoint[];
  /** Box velocity per second [dx1, dy1, dx2, dy2]. */
  velocity: [number, number, number, number];
  /** Score-weighted class votes. */
  classVotes: Partial<Record<VehicleClass, number>>;
}

export function lastPoint(track: Track): TrackPoint {
  return track.history[track.history.length - 1]!;
}

/** The class with the most score-weighted votes over the track. */
export function trackClass(track: Track): VehicleClass {
  let best: VehicleClass = lastPoint(track).cls;
  let bestVotes = -1;
  for (const [cls, votes] of Object.entries(track.classVotes) as [VehicleClass, number][]) {
    if (votes > bestVotes) {
      best = cls;
      bestVotes = votes;
    }
  }
  return best;
}

export function predictBox(track: Track, t: number): Box {
  const last = lastPoint(track);
  const dt = Math.max(0, t - last.t);
  const [a, b, c, d] = last.box;
  const v = track.velocity;
  return [a + v[0] * dt, b + v[1] * dt, c + v[2] * dt, d + v[3] * dt];
}

const area = (b: Box) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

/**
 * IoU, plus a centre-distance term so fast small vehicles at low frame rates still match their
 * prediction. The distance term only applies between boxes of similar size: a track must not jump
 * to a different vehicle nearby (e.g. when its own leaves the picture).
 */
export function similarity(predicted: Box, det: Box): number {
  const iou = boxIoU(predicted, det);
  const ratio = area(det) / (area(predicted) || 1);
  if (ratio > 2.5 || ratio < 0.4) return iou;
  const cx = (predicted[0] + predicted[2]) / 2 - (det[0] + det[2]) / 2;
  const cy = (predicted[1] + predicted[3]) / 2 - (det[1] + det[3]) / 2;
  const diag = Math.hypot(predicted[2] - predicted[0], predicted[3] - predicted[1]) || 1;
  const near = Math.max(0, 1 - Math.hypot(cx, cy) / diag) * 0.5;
  return Math.max(iou, near);
}

const TWO_WHEELERS: ReadonlySet<VehicleClass> = new Set(['motorbike', 'bicycle', 'pedestrian']);

/** A two-wheeler track does not continue as a car (or the reverse) unless the boxes overlap well. */
function classCompatible(track: Track, det: Detection, iou: number): boolean {
  return iou >= 0.5 || TWO_WHEELERS.has(trackClass(track)) === TWO_WHEELERS.has(det.cls);
}

/** Greedy matching by similarity (descending); good enough for the sparse scenes here and deterministic. */
function greedyMatch(tracks: Track[], predicted: Box[], dets: Detection[], threshold: number, sim: (p: Box, d: Box) => number) {
  const pairs: { ti: number; di: number; s: number }[] = [];
  tracks.forEach((tr, ti) =>
    dets.forEach((d, di) => {
      const s = sim(predicted[ti]!, d.box);
      if (s >= threshold && classCompatible(tr, d, boxIoU(predicted[ti]!, d.box))) pairs.push({ ti, di, s });
    }),
  );
  pairs.sort((x, y) => y.s - x.s || x.ti - y.ti || x.di - y.di);
  const usedT = new Set<number>();
  const usedD = new Set<number>();
  const matches: [number, number][] = [];
  for (const p of pairs) {
    if (usedT.has(p.ti) || usedD.has(p.di)) continue;
    usedT.add(p.ti);
    usedD.add(p.di);
    matches.push([p.ti, p.di]);
  }
  return {
    matches,
    unmatchedTracks: tracks.map((_, i) => i).filter((i) => !usedT.has(i)),
    unmatchedDets: dets.map((_, i) => i).filter((i) => !usedD.has(i)),
  };
}

export interface TrackerUpdate {
  /** Confirmed tracks matched in this frame. */
  updated: Track[];
  /** Confirmed tracks that ended in this frame (too many misses). */
  ended: Track[];
}

export class Tracker {
  private tracks: Track[] = [];
  readonly config: TrackerConfig;

  /**
   * Track ids are `<idPrefix><birth seq>-<n>` (n-th track born in that frame): unique as long as frame
   * sequence numbers are, and identical when the same frames are replayed after a restart.
   */
  constructor(
    config: Partial<TrackerConfig> = {},
    private readonly idPrefix = '',
  ) {
    this.config = { ...DEFAULT_TRACKER_CONFIG, ...config };
  }

  get liveTracks(): readonly Track[] {
    return this.tracks;
  }

  update(seq: number, t: number, detections: Detection[]): TrackerUpdate {
    const c = this.config;
    const high = detections.filter((d) => d.score >= c.highScore);
    const low = detections.filter((d) => d.score >= c.lowScore && d.score < c.highScore);
    const predicted = this.tracks.map((tr) => predictBox(tr, t));

    const first = greedyMatch(this.tracks, predicted, high, c.matchThreshold, similarity);
    const matched = new Set<Track>();
    for (const [ti, di] of first.matches) this.observe(this.tracks[ti]!, seq, t, high[di]!, matched);

    const rest = first.unmatchedTracks.map((i) => this.tracks[i]!).filter((tr) => tr.confirmed);
    const restPred = first.unmatchedTracks.filter((i) => this.tracks[i]!.confirmed).map((i) => predicted[i]!);
    const second = greedyMatch(rest, restPred, low, c.lowMatchThreshold, boxIoU);
    for (const [ti, di] of second.matches) this.observe(rest[ti]!, seq, t, low[di]!, matched);

    const ended: Track[] = [];
    const kept: Track[] = [];
    for (const tr of this.tracks) {
      if (matched.has(tr)) {
        kept.push(tr);
        continue;
      }
      tr.misses++;
      if (!tr.confirmed) continue; // a tentative track that misses once was noise
      if (tr.misses > c.maxMisses) ended.push(tr);
      else kept.push(tr);
    }
    let born = 0;
    for (const di of first.unmatchedDets) {
      const d = high[di]!;
      const tr: Track = {
        id: `${this.idPrefix}${seq}-${++born}`,
        confirmed: c.minHits <= 1,
        hits: 1,
        misses: 0,
        history: [{ seq, t, box: d.box, cls: d.cls, score: d.score }],
        velocity: [0, 0, 0, 0],
        classVotes: { [d.cls]: d.score },
      };
      kept.push(tr);
      matched.add(tr);
    }
    this.tracks = kept;
    return { updated: kept.filter((tr) => tr.confirmed && matched.has(tr)), ended };
  }

  /**
   * How well this frame's detections continue the tracks seen in the previous frame, before it is applied: of the
   * confirmed tracks matched last frame (`seen`), how many have a detection near their prediction (`continued`), and
   * how many confident detections are near no live track (`unexplained`). A cut or loop in the stream loses nearly
   * every track at once while as many vehicles appear from nowhere.
   */
  continuity(t: number, detections: Detection[]): { seen: number; continued: number; unexplained: number; detections: number } {
    const c = this.config;
    const high = detections.filter((d) => d.score >= c.highScore);
    const predicted = this.tracks.map((tr) => predictBox(tr, t));
    const near = (p: Box, d: Detection) => similarity(p, d.box) >= c.matchThreshold;
    const seen = this.tracks.filter((tr) => tr.confirmed && tr.misses === 0);
    const continued = seen.filter((tr) => high.some((d) => near(predicted[this.tracks.indexOf(tr)]!, d))).length;
    const unexplained = high.filter((d) => !predicted.some((p) => near(p, d))).length;
    return { seen: seen.length, continued, unexplained, detections: high.length };
  }

  /** Live tracks (tentative included) with at most `maxPoints` recent points each, for a restart to continue from. */
  snapshot(maxPoints = 150): Track[] {
    return this.tracks.map((tr) => ({ ...tr, history: tr.history.slice(-maxPoints), velocity: [...tr.velocity], classVotes: { ...tr.classVotes } }));
  }

  restore(tracks: Track[]): void {
    this.tracks = tracks.map((tr) => ({ ...tr }));
  }

  /** Ends every live confirmed track (end of video). */
  flush(): Track[] {
    const ended = this.tracks.filter((tr) => tr.confirmed);
    this.tracks = [];
    return ended;
  }

  private observe(tr: Track, seq: number, t: number, d: Detection, matched: Set<Track>) {
    const last = lastPoint(tr);
    const dt = t - last.t;
    if (dt > 0) {
      // Exponential smoothing of the box velocity: responsive yet robust to detector jitter.
      const alpha = tr.hits === 1 ? 1 : 0.5;
      for (let k = 0; k < 4; k++) {
        const v = (d.box[k]! - last.box[k]!) / dt;
        tr.velocity[k] = alpha * v + (1 - alpha) * tr.velocity[k]!;
      }
    }
    tr.history.push({ seq, t, box: d.box, cls: d.cls, score: d.score });
    if (tr.history.length > this.config.maxHistory) tr.history.shift();
    tr.classVotes[d.cls] = (tr.classVotes[d.cls] ?? 0) + d.score;
    tr.hits++;
    tr.misses = 0;
    if (tr.hits >= this.config.minHits) tr.confirmed = true;
    matched.add(tr);
  }
}
