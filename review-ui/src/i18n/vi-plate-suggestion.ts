// Vietnamese messages of the plate suggestion on the officer's case page (a read too weak to be the plate).
// Spread into `vi` (vi.ts); en-plate-suggestion.ts has the same keys.
export const viPlateSuggestion = {
  'plate.suggestion': 'Gợi ý của hệ thống (chưa chắc chắn): {plate}',
  'plate.useSuggestion': 'Dùng gợi ý',
};
