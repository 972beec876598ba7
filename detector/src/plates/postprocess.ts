// From the reader's decoded characters to a format-valid plate text with a confidence, or nothing.
// Characters are assigned to printed lines by the time step they were read at (two-line plates are
// laid side by side in the reader's strip); the format then decides which confusions may be repaired.
import type { PlateLayout } from '@phatnguoi/core/contracts/detection';
import { isValidRead, repairPlateRead, type PlateKind } from '@phatnguoi/core/plates/format';
import type { CtcDecoded } from './ctc-decode';

export interface InterpretedRead {
  text: string;
  confidence: number;
  repairs: number;
  raw: string;
  /** Per plate character (when the read was not repaired into a different length): the reader's probability. */
  glyphConfidence: number[];
}

/** Each repaired character costs this factor of confidence: a repaired read is a less certain read. */
const REPAIR_PENALTY = 0.8;

/**
 * `kind` (from the vehicle class: a motorbike carries a motorbike plate, a car/truck/bus a car plate) restricts
 * the formats tried, so a read is never turned into another vehicle type's plate.
 */
export function interpretDecoded(decoded: CtcDecoded, layout: PlateLayout, steps: number, kind?: PlateKind): InterpretedRead | null {
  const lines =
    layout === 'one-line'
      ? [decoded.chars.map((c) => c.char).join('')]
      : [
          decoded.chars
            .filter((c) => c.step < steps / 2)
            .map((c) => c.char)
            .join(''),
          decoded.chars
            .filter((c) => c.step >= steps / 2)
            .map((c) => c.char)
            .join(''),
        ];
  const raw = lines.join(' ');
  if (decoded.chars.length === 0) return null;
  const fixed = repairPlateRead(lines, layout, kind);
  if (!fixed || !isValidRead(fixed.text, layout)) return null;
  // The weakest decision caps the confidence: an unsure character, or an unsure blank where a
  // character may have been dropped (which can still leave a valid, shorter plate).
  const confidence = Math.min(decoded.pathProb ** 0.5, decoded.weakestStep) * REPAIR_PENALTY ** fixed.repairs;
  const glyphConfidence = decoded.chars.map((c) => c.prob);
  return { text: fixed.text, confidence, repairs: fixed.repairs, raw, glyphConfidence };
}
