import type { viPlateSuggestion } from './vi-plate-suggestion';

// English for vi-plate-suggestion.ts (same keys; the type makes a missing one a compile error).
export const enPlateSuggestion: Record<keyof typeof viPlateSuggestion, string> = {
  'plate.suggestion': 'System suggestion (not certain): {plate}',
  'plate.useSuggestion': 'Use suggestion',
};
