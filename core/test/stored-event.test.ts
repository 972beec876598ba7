import { describe, expect, it } from 'vitest';
import { storedEventParts } from '../src/contracts/violation-event';

const plate = { text: null, layout: null, colour: null, confidence: 0.3, needsManualEntry: true, reads: 4 };

describe('storedEventParts: the plate suggestion', () => {
  it('offers the leading read of a vote too weak to be the plate', () => {
    expect(storedEventParts({ plate: { ...plate, suggestion: '59-X1 234.56' } }).plateSuggestion).toBe('59-X1 234.56');
  });

  it('offers nothing when the vote decided the plate, the event has none, or the plate part no longer matches its schema', () => {
    expect(storedEventParts({ plate: { ...plate, text: '59-X1 234.56', needsManualEntry: false, suggestion: '59-X1 234.56' } }).plateSuggestion).toBeNull();
    expect(storedEventParts({ plate }).plateSuggestion).toBeNull();
    expect(storedEventParts({ plate: { ...plate, suggestion: 7 } }).plateSuggestion).toBeNull();
    expect(storedEventParts(null).plateSuggestion).toBeNull();
  });
});
