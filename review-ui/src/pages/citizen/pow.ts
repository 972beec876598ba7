// Proof of work for the citizen lookup: find a nonce so that sha256(`${challenge}:${nonce}`) starts
// with `difficulty` zero bits. Costs a phone a fraction of a second; costs a scraper per request.

export function leadingZeroBits(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

export async function solvePow(challenge: string, difficulty: number, signal?: AbortSignal): Promise<string> {
  const enc = new TextEncoder();
  for (let nonce = 0; ; nonce++) {
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(`${challenge}:${nonce}`)));
    if (leadingZeroBits(digest) >= difficulty) return String(nonce);
  }
}
