// Greedy CTC decoding of the plate reader's per-step probabilities, keeping for every character the
// time step it came from (the first half of the strip is a two-line plate's first line) and its probability.
import { READER_ALPHABET, READER_BLANK } from './input';

export interface DecodedChar {
  char: string;
  step: number;
  prob: number;
}

export interface CtcDecoded {
  chars: DecodedChar[];
  /** Probability of the best path (product over all steps of the chosen class). */
  pathProb: number;
  /** The least certain decision on the path (a character dropped for a blank shows up here). */
  weakestStep: number;
}

/** `probs` is [T, C] row-major softmax output for one plate. */
export function ctcGreedyDecode(probs: Float32Array | number[], steps: number, classes: number): CtcDecoded {
  const chars: DecodedChar[] = [];
  let logPath = 0;
  let prev = -1;
  let weakestStep = 1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < classes; c++) {
      const p = probs[t * classes + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    logPath += Math.log(Math.max(bestP, 1e-12));
    if (bestP < weakestStep) weakestStep = bestP;
    if (best !== READER_BLANK && best !== prev) {
      chars.push({ char: READER_ALPHABET[best]!, step: t, prob: bestP });
    } else if (best !== READER_BLANK && best === prev) {
      // Same character held over several steps: keep its highest probability.
      const last = chars[chars.length - 1];
      if (last && bestP > last.prob) last.prob = bestP;
    }
    prev = best;
  }
  return { chars, pathProb: Math.exp(logPath), weakestStep };
}
