// From the reader's decoded characters to a format-valid plate text with a confidence, or nothing.
// Characters are assigned to printed lines by the time step they were read at (two-line plates are
// laid side by side in the reader's strip); the format then decides which confusions may be repaired.
import type { PlateLayout } from '@phatnguoi/core/contracts/detection';
import { isValidRead, repairPlateRead } from '@phatnguoi/core/plates/format';
import type { CtcDecoded } from './ctc-decode';

export interface InterpretedRead {
  text: string;
  confidence: number;
  repairs: number;
  raw: string;
}

/** Each repaired character costs this factor of confidence: a repaired read is a less certain read. */
const REPAIR_PENALTY = 0.8;

export function interpretDecoded(decoded: CtcDecoded, layout: PlateLayout, steps: number): InterpretedRead | null {
  const lines =
    layout === 'one-line'
      ? [decoded.chars.map((c) => c.char).join('')]
      : [
          decoded.chars.filter((c) => c.step < steps / 2).map((c) => c.char).join(''),
          decoded.chars.filter((c) => c.step >= steps / 2).map((c) => c.char).join(''),
        ];
  const raw = lines.join(' ');
  if (decoded.chars.length === 0) return null;
  const fixed = repairPlateRead(lines, layout);
  if (!fixed || !isValidRead(fixed.text, layout)) return null;
  // The weakest decision caps the confidence: an unsure character, or an unsure blank where a
  // character may have been dropped (which can still leave a valid, shorter plate).
  const confidence = Math.min(decoded.pathProb ** 0.5, decoded.weakestStep) * REPAIR_PENALTY ** fixed.repairs;
  return { text: fixed.text, confidence, repairs: fixed.repairs, raw };
}
