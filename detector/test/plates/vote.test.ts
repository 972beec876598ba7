import { describe, expect, it } from 'vitest';
import type { PlateRead } from '@phatnguoi/core/contracts/detection';
import { createRng } from '@phatnguoi/core/plates/generate';
import { voteTrackPlate } from '../../src/plates/vote';

type FrameRead = PlateRead & { frame: number };

function read(text: string, confidence: number, frame: number, colour: PlateRead['colour'] = 'white'): FrameRead {
  return { text, layout: 'two-line', colour, confidence, box: [0, 0, 10, 10], frame };
}

describe('voteTrackPlate', () => {
  it('finds the true plate in a noisy track and keeps its most confident frame as evidence', () => {
    const rng = createRng(1);
    const truth = '29-B1 123.45';
    const confusions = ['29-B1 128.45', '29-B7 123.45', '28-B1 123.45'];
    const reads: (FrameRead | null)[] = [];
    for (let frame = 0; frame < 30; frame++) {
      const r = rng();
      if (r < 0.2)
        reads.push(null); // plate not readable in this frame
      else if (r < 0.45) reads.push(read(confusions[frame % 3]!, 0.3 + rng() * 0.4, frame));
      else reads.push(read(truth, 0.5 + rng() * 0.5, frame));
    }
    const voted = voteTrackPlate(reads);
    expect(voted.text).toBe(truth);
    expect(voted.needsManualEntry).toBe(false);
    expect(voted.layout).toBe('two-line');
    expect(voted.colour).toBe('white');
    const truthReads = reads.filter((r): r is FrameRead => r?.text === truth);
    const bestConfidence = Math.max(...truthReads.map((r) => r.confidence));
    expect(voted.best?.confidence).toBe(bestConfidence);
    expect(voted.best?.text).toBe(truth);
    expect(voted.reads).toBe(reads.filter(Boolean).length);
  });

  it('weights by confidence, not by count', () => {
    const reads = [read('30A-123.45', 0.95, 0), read('30A-123.45', 0.9, 1), read('30A-128.45', 0.2, 2), read('30A-128.45', 0.2, 3), read('30A-128.45', 0.2, 4)];
    expect(voteTrackPlate(reads).text).toBe('30A-123.45');
  });

  it('asks for manual entry instead of guessing when reads disagree', () => {
    const reads = [read('30A-123.45', 0.6, 0), read('30A-128.45', 0.6, 1), read('30A-123.46', 0.55, 2), read('30A-723.45', 0.6, 3)];
    const voted = voteTrackPlate(reads);
    expect(voted.needsManualEntry).toBe(true);
    expect(voted.text).toBeNull();
    expect(voted.suggestion).not.toBeNull();
  });

  it('asks for manual entry on a single unsure read and on no reads', () => {
    expect(voteTrackPlate([read('30A-123.45', 0.5, 0)]).needsManualEntry).toBe(true);
    const none = voteTrackPlate([null, null]);
    expect(none).toMatchObject({ text: null, needsManualEntry: true, reads: 0, confidence: 0 });
  });

  it('ignores reads that fail format validation, whoever produced them', () => {
    const reads = [read('30A-12345', 0.99, 0), read('XX-123', 0.99, 1), read('30A-123.45', 0.9, 2), read('30A-123.45', 0.92, 3)];
    const voted = voteTrackPlate(reads);
    expect(voted.text).toBe('30A-123.45');
    expect(voted.reads).toBe(2);
  });

  it('takes the colour most reads of the winning text agree on', () => {
    const reads = [read('30A-123.45', 0.9, 0, 'yellow'), read('30A-123.45', 0.9, 1, 'yellow'), read('30A-123.45', 0.8, 2, 'white')];
    expect(voteTrackPlate(reads).colour).toBe('yellow');
  });

  it('lets a glyph doubt shared by every frame lower the confidence instead of voting it into certainty', () => {
    // 10 frames agree on 29-B7 123.45, but the series digit (7 or 1?) was unsure in every one of them.
    const doubtful = (frame: number): FrameRead => ({
      ...read('29-B7 123.45', 0.55, frame),
      glyphConfidence: [0.99, 0.98, 0.97, 0.55, 0.99, 0.98, 0.99, 0.97, 0.98],
    });
    const voted = voteTrackPlate(Array.from({ length: 10 }, (_, f) => doubtful(f)));
    expect(voted.confidence).toBeLessThanOrEqual(0.55);
    expect(voted.needsManualEntry).toBe(true);
    expect(voted.suggestion).toBe('29-B7 123.45');
    // Doubts at different characters in different frames are independent: the reads together are sure.
    const independent = Array.from({ length: 10 }, (_, f): FrameRead => {
      const glyphs = Array<number>(9).fill(0.98);
      glyphs[f % 9] = 0.55;
      return { ...read('29-B1 123.45', 0.55, f), glyphConfidence: glyphs };
    });
    const sure = voteTrackPlate(independent);
    expect(sure.needsManualEntry).toBe(false);
    expect(sure.text).toBe('29-B1 123.45');
  });

  it('votes with the largest, sharpest views when the reads say how good their view was', () => {
    // 6 good views read the plate right; 12 far, soft views repeat one misread.
    const good = Array.from({ length: 6 }, (_, f): FrameRead => ({ ...read('30A-123.45', 0.7, f), viewQuality: 400 + f }));
    const poor = Array.from({ length: 12 }, (_, f): FrameRead => ({ ...read('30A-723.45', 0.7, 10 + f), viewQuality: 50 + f }));
    const voted = voteTrackPlate([...poor, ...good], { bestViews: 6 });
    expect(voted.text).toBe('30A-123.45');
    expect(voted.best?.viewQuality).toBeGreaterThanOrEqual(400);
    // Without view quality every read votes, and the repeated misread wins the count.
    const strip = (r: FrameRead): FrameRead => ({ ...r, viewQuality: undefined });
    expect(voteTrackPlate([...poor, ...good].map(strip)).suggestion ?? voteTrackPlate([...poor, ...good].map(strip)).text).toBe('30A-723.45');
  });
});
