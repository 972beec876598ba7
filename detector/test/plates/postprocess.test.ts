import { describe, expect, it } from 'vitest';
import { isValidRead } from '@phatnguoi/core/plates/format';
import { createRng } from '@phatnguoi/core/plates/generate';
import { ctcGreedyDecode, type CtcDecoded } from '../../src/plates/ctc-decode';
import { READER_ALPHABET, READER_BLANK, READER_CLASSES, READER_STEPS } from '../../src/plates/input';
import { interpretDecoded } from '../../src/plates/postprocess';
import { classifyPlateColour } from '../../src/plates/colour';

/** Per-step probabilities that spell `seq` (one char per listed step, blanks elsewhere). */
function probsFor(chars: { char: string; step: number; p?: number }[]): Float32Array {
  const probs = new Float32Array(READER_STEPS * READER_CLASSES);
  for (let t = 0; t < READER_STEPS; t++) probs[t * READER_CLASSES + READER_BLANK] = 1;
  for (const { char, step, p = 0.97 } of chars) {
    probs[step * READER_CLASSES + READER_BLANK] = 1 - p;
    probs[step * READER_CLASSES + READER_ALPHABET.indexOf(char)] = p;
  }
  return probs;
}

function spell(text: string, from: number): { char: string; step: number }[] {
  return [...text].map((char, i) => ({ char, step: from + 2 * i }));
}

describe('CTC decoding and interpretation', () => {
  it('collapses repeats separated by no blank and keeps doubled characters separated by a blank', () => {
    const probs = probsFor([
      { char: '3', step: 1 },
      { char: '3', step: 2 },
      { char: '3', step: 4 },
    ]);
    expect(
      ctcGreedyDecode(probs, READER_STEPS, READER_CLASSES)
        .chars.map((c) => c.char)
        .join(''),
    ).toBe('33');
  });

  it('puts characters of a two-line plate on their lines by time step', () => {
    const decoded = ctcGreedyDecode(probsFor([...spell('29B1', 1), ...spell('12345', 17)]), READER_STEPS, READER_CLASSES);
    expect(interpretDecoded(decoded, 'two-line', READER_STEPS)?.text).toBe('29-B1 123.45');
    // The same characters split differently: a square car plate.
    const car = ctcGreedyDecode(probsFor([...spell('51C', 1), ...spell('12345', 17)]), READER_STEPS, READER_CLASSES);
    expect(interpretDecoded(car, 'two-line', READER_STEPS)?.text).toBe('51C-123.45');
  });

  it('repairs only where the format demands and lowers confidence per repair', () => {
    const clean = interpretDecoded(ctcGreedyDecode(probsFor(spell('30A12345', 2)), READER_STEPS, READER_CLASSES), 'one-line', READER_STEPS);
    const repaired = interpretDecoded(ctcGreedyDecode(probsFor(spell('3OA12345', 2)), READER_STEPS, READER_CLASSES), 'one-line', READER_STEPS);
    expect(clean?.text).toBe('30A-123.45');
    expect(repaired?.text).toBe('30A-123.45');
    expect(repaired!.repairs).toBe(1);
    expect(repaired!.confidence).toBeLessThan(clean!.confidence);
  });

  it('a weak character caps the confidence', () => {
    const chars: { char: string; step: number; p?: number }[] = spell('30A12345', 2);
    chars[5] = { ...chars[5]!, p: 0.55 };
    const r = interpretDecoded(ctcGreedyDecode(probsFor(chars), READER_STEPS, READER_CLASSES), 'one-line', READER_STEPS);
    expect(r?.text).toBe('30A-123.45');
    expect(r?.confidence).toBeLessThanOrEqual(0.5501);
  });

  it('a character nearly read but dropped for a blank caps the confidence of the shorter plate', () => {
    const chars: { char: string; step: number; p?: number }[] = spell('30A12345', 2);
    chars[5] = { ...chars[5]!, p: 0.4 }; // blank wins with 0.6: "30A1245" is a valid 4-digit plate
    const r = interpretDecoded(ctcGreedyDecode(probsFor(chars), READER_STEPS, READER_CLASSES), 'one-line', READER_STEPS);
    expect(r?.text).toBe('30A-1245');
    expect(r?.confidence).toBeLessThanOrEqual(0.6001);
  });

  it('never passes on a read that fails format validation (random decodes)', () => {
    const rng = createRng(99);
    let valid = 0;
    for (let i = 0; i < 2000; i++) {
      const chars: { char: string; step: number }[] = [];
      for (let t = 0; t < READER_STEPS; t += 1 + Math.floor(rng() * 3)) {
        if (rng() < 0.5) chars.push({ char: READER_ALPHABET[Math.floor(rng() * READER_ALPHABET.length)]!, step: t });
      }
      const decoded: CtcDecoded = ctcGreedyDecode(probsFor(chars), READER_STEPS, READER_CLASSES);
      for (const layout of ['one-line', 'two-line'] as const) {
        const r = interpretDecoded(decoded, layout, READER_STEPS);
        if (r) {
          valid++;
          expect(isValidRead(r.text, layout)).toBe(true);
        }
      }
    }
    expect(valid).toBeLessThan(4000);
  });

  it('returns nothing for an all-blank decode', () => {
    expect(interpretDecoded(ctcGreedyDecode(probsFor([]), READER_STEPS, READER_CLASSES), 'one-line', READER_STEPS)).toBeNull();
  });
});

describe('plate colour', () => {
  function solid(r: number, g: number, b: number, ink: [number, number, number]) {
    const w = 60;
    const h = 20;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const isInk = i % w > 10 && i % w < 50 && i % 4 === 0;
      const c = isInk ? ink : [r, g, b];
      data.set(c, i * 3);
    }
    return { data, width: w, height: h };
  }
  it.each([
    ['white', [240, 240, 235], [20, 20, 20]],
    ['yellow', [240, 196, 25], [20, 20, 20]],
    ['blue', [29, 76, 158], [245, 245, 245]],
    ['red', [195, 22, 28], [245, 245, 245]],
    ['white', [90, 90, 88], [10, 10, 10]], // white plate at night: grey, not coloured
  ] as const)('%s background', (colour, bg, ink) => {
    expect(classifyPlateColour(solid(bg[0], bg[1], bg[2], [...ink]), [0, 0, 60, 20]).colour).toBe(colour);
  });
});
