// Proof-of-work anti-bot check for the public lookup: a signed, expiring challenge; the client finds a nonce
// so that sha256(challenge:nonce) starts with `difficulty` zero bits. Stateless for the server apart from
// remembering used challenges (Redis when present) so one solution cannot be replayed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from '@phatnguoi/core/redis';

export function issueChallenge(secret: string, difficulty: number, now: Date, ttlSeconds = 300): { challenge: string; difficulty: number; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const body = `${difficulty}.${expiresAt.getTime()}.${randomBytes(12).toString('base64url')}`;
  const mac = createHmac('sha256', secret).update(body).digest('base64url');
  return { challenge: `${body}.${mac}`, difficulty, expiresAt };
}

export function leadingZeroBits(buf: Buffer): number {
  let bits = 0;
  for (const byte of buf) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    bits += Math.clz32(byte) - 24;
    break;
  }
  return bits;
}

/** Why the solution is refused, or null when it is good. */
export function checkSolution(secret: string, challenge: string, nonce: string, now: Date, minDifficulty: number): string | null {
  const parts = challenge.split('.');
  if (parts.length !== 4) return 'malformed challenge';
  const [d, exp, rnd, mac] = parts as [string, string, string, string];
  const expected = createHmac('sha256', secret).update(`${d}.${exp}.${rnd}`).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'challenge not issued by this server';
  if (Number(exp) < now.getTime()) return 'challenge expired';
  const difficulty = Number(d);
  if (difficulty < minDifficulty) return 'challenge too easy';
  const h = createHash('sha256').update(`${challenge}:${nonce}`).digest();
  return leadingZeroBits(h) >= difficulty ? null : 'wrong proof of work';
}

/** Client-side solver (also used by tests and the benchmark). */
export function solveChallenge(challenge: string, difficulty: number): string {
  for (let i = 0; ; i++) {
    const nonce = i.toString(36);
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) >= difficulty) return nonce;
  }
}

/**
 * Remembers solved challenges so each buys one lookup, in Redis across replicas (10 minutes, longer than a
 * challenge lives). Resolves false for a challenge already used.
 */
export function challengeLedger(redis: Pick<Redis, 'set'>, namespace: string): (challenge: string) => Promise<boolean> {
  return async (challenge) => (await redis.set(`${namespace}pow:${challenge.slice(-43)}`, '1', 'PX', 600_000, 'NX')) === 'OK';
}
