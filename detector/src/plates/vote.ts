// A track's plate: a vote over the reads of all its frames, weighted by each read's confidence.
// Only the best views vote (largest and sharpest plates, when the reads say how good their view was):
// a far, blurred plate adds its misreads, not information. The track says "needs manual entry" rather
// than guess when the vote is thin or split, or when the same character was doubtful in every view
// (a '1' that might be a '7' in every frame is one doubt seen many times, not many independent reads).
import type { PlateColour, PlateLayout, PlateRead, TrackPlate } from '@phatnguoi/core/contracts/detection';
import { isValidPlate } from '@phatnguoi/core/plates/format';

export interface VoteOptions {
  /** Below this track confidence the plate needs manual entry (default 0.6: a vote of several views, not one read). */
  minConfidence?: number;
  /** At least this many agreeing reads unless one read is very sure (default 2). */
  minAgreeing?: number;
  /** How many of the best views vote (by viewQuality; default 8; reads without viewQuality all vote). */
  bestViews?: number;
}

export interface VotedTrackPlate<R extends PlateRead = PlateRead> extends TrackPlate {
  /** The most confident read of the winning text: its crop/frame is the evidence to keep. */
  best: R | null;
  /** The leading text when the vote was too weak to decide (shown to the officer, never used as the plate). */
  suggestion: string | null;
}

/**
 * The track confidence can be no higher than the doubt that every agreeing read shares: per character
 * position, the median of the reads' confidence in that character; the weakest position caps the vote.
 * Independent doubts (a different character unsure in each frame) leave the medians high; the same
 * glyph unsure in every frame (1 or 7?) keeps its median low. Reads without glyph confidences: no cap.
 */
function consistentDoubt(agreeing: readonly PlateRead[]): number {
  const withGlyphs = agreeing.filter((r) => r.glyphConfidence && r.glyphConfidence.length > 0);
  if (withGlyphs.length === 0) return 1;
  const length = withGlyphs[0]!.glyphConfidence!.length;
  const same = withGlyphs.filter((r) => r.glyphConfidence!.length === length);
  let cap = 1;
  for (let i = 0; i < length; i++) {
    const ps = same.map((r) => r.glyphConfidence![i]!).sort((a, b) => a - b);
    const median = ps.length % 2 ? ps[(ps.length - 1) / 2]! : (ps[ps.length / 2 - 1]! + ps[ps.length / 2]!) / 2;
    cap = Math.min(cap, median);
  }
  return cap;
}

function majority<T extends string>(items: { key: T; w: number }[]): T | null {
  const m = new Map<T, number>();
  for (const { key, w } of items) m.set(key, (m.get(key) ?? 0) + w);
  let best: T | null = null;
  let bestW = -1;
  for (const [k, w] of m) {
    if (w > bestW) {
      bestW = w;
      best = k;
    }
  }
  return best;
}

/**
 * Votes over a track's reads (null = a frame where no plate was read). Reads carrying extra fields
 * (frame index, crop) come back as `best`, so the caller keeps the best crop as evidence.
 */
export function voteTrackPlate<R extends PlateRead>(reads: readonly (R | null)[], opts: VoteOptions = {}): VotedTrackPlate<R> {
  const minConfidence = opts.minConfidence ?? 0.6;
  const minAgreeing = opts.minAgreeing ?? 2;
  const bestViews = opts.bestViews ?? 8;
  // Never let an invalid string through, whoever produced the read.
  const valid = reads.filter((r): r is R => r !== null && isValidPlate(r.text) && r.confidence > 0);
  // The best views vote: largest and sharpest first (reads that do not say how good their view was all vote).
  const voters =
    valid.length > bestViews && valid.every((r) => r.viewQuality !== undefined)
      ? [...valid].sort((a, b) => b.viewQuality! - a.viewQuality!).slice(0, bestViews)
      : valid;
  const empty: VotedTrackPlate<R> = {
    text: null,
    layout: null,
    colour: null,
    confidence: 0,
    needsManualEntry: true,
    reads: valid.length,
    best: null,
    suggestion: null,
  };
  if (valid.length === 0) return empty;
  const score = new Map<string, number>();
  let total = 0;
  for (const r of voters) {
    const c = Math.min(1, r.confidence);
    score.set(r.text, (score.get(r.text) ?? 0) + c);
    total += c;
  }
  let text = '';
  let top = -1;
  for (const [t, s] of score) {
    if (s > top) {
      top = s;
      text = t;
    }
  }
  const agreeing = voters.filter((r) => r.text === text);
  const best = agreeing.reduce((a, b) => (b.confidence > a.confidence ? b : a));
  const share = top / total;
  // How sure the agreeing reads are together (independent frames: 1 − Π(1 − c)), times the share of
  // the vote they won: many agreeing reads make a plate certain, a split vote does not.
  const together = 1 - agreeing.reduce((p, r) => p * (1 - Math.min(0.99, r.confidence)), 1);
  let confidence = Math.min(share * together, consistentDoubt(agreeing));
  if (agreeing.length < minAgreeing && best.confidence < 0.95) confidence *= 0.7;
  const layout = majority<PlateLayout>(agreeing.map((r) => ({ key: r.layout, w: r.confidence })));
  const colour = majority<PlateColour>(agreeing.map((r) => ({ key: r.colour, w: r.confidence })));
  const needsManualEntry = confidence < minConfidence;
  return {
    text: needsManualEntry ? null : text,
    layout: needsManualEntry ? null : layout,
    colour: needsManualEntry ? null : colour,
    confidence,
    needsManualEntry,
    reads: valid.length,
    best,
    suggestion: needsManualEntry ? text : null,
  };
}
