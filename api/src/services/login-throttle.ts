// Failed sign-ins slow the one guessing, not the officer (issue 22, item 2). Counters are kept per name typed
// (hashed; whether the user exists or not, so nothing tells the two apart), per client address, and per
// (name, address) pair; past a threshold each further failure doubles how long that key is refused (429),
// up to a maximum. Nothing is ever locked for good and nothing is written to the user's row:
// - a stranger guessing from one address is stopped by the pair and address keys, which the officer's own
//   address does not share;
// - many addresses guessing one name are stopped by the name key, except for addresses this name signed in
//   from before (known addresses, remembered 30 days), so a distributed attacker cannot lock the officer out.
// Counters live in Redis, shared by every api replica.
import { createHash } from 'node:crypto';
import type { Redis } from '@phatnguoi/core/redis';

export interface ThrottleLimits {
  /** Failures of one (name, address) pair before it is refused. */
  pairThreshold: number;
  /** Failures from one address (any name) before it is refused. */
  addressThreshold: number;
  /** Failures on one name (any address) before unknown addresses are refused for it. */
  nameThreshold: number;
  /** First refusal; doubles with each further failure. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** How long an address a name signed in from stays known. */
  knownAddressMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  pairThreshold: 5,
  addressThreshold: 30,
  nameThreshold: 20,
  baseBackoffMs: 30_000,
  maxBackoffMs: 15 * 60_000,
  windowMs: 60 * 60_000,
  knownAddressMs: 30 * 86_400_000,
};

/** What the throttle needs of a store: counters, deadlines and sets with expiry. */
interface Store {
  incr(key: string, ttlMs: number): Promise<number>;
  setUntil(key: string, ms: number): Promise<void>;
  /** Milliseconds left on a deadline key, 0 when none. */
  remaining(key: string): Promise<number>;
  addMember(key: string, member: string, ttlMs: number): Promise<void>;
  isMember(key: string, member: string): Promise<boolean>;
  del(key: string): Promise<void>;
}

function redisStore(redis: Redis): Store {
  return {
    async incr(key, ttlMs) {
      const r = await redis.multi().incr(key).pexpire(key, ttlMs).exec();
      return Number(r?.[0]?.[1] ?? 0);
    },
    async setUntil(key, ms) {
      await redis.set(key, '1', 'PX', Math.max(1, Math.round(ms)));
    },
    async remaining(key) {
      return Math.max(0, await redis.pttl(key));
    },
    async addMember(key, member, ttlMs) {
      await redis.multi().sadd(key, member).pexpire(key, ttlMs).exec();
    },
    async isMember(key, member) {
      return (await redis.sismember(key, member)) === 1;
    },
    async del(key) {
      await redis.del(key);
    },
  };
}

export class LoginThrottle {
  private readonly store: Store;
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
  ) {
    this.store = redisStore(redis);
  }

  private keys(username: string, address: string) {
    const name = createHash('sha256').update(username.normalize('NFC').toLowerCase()).digest('base64url').slice(0, 22);
    const addr = address.slice(0, 64);
    return {
      pair: `${this.prefix}pair:${name}:${addr}`,
      address: `${this.prefix}addr:${addr}`,
      name: `${this.prefix}name:${name}`,
      known: `${this.prefix}known:${name}`,
      addr,
    };
  }

  /** Milliseconds this attempt must wait before it is even checked; 0: go ahead. The same for every name, real or not. */
  async retryAfterMs(username: string, address: string): Promise<number> {
    const k = this.keys(username, address);
    const [pair, addr, name] = await Promise.all([
      this.store.remaining(`${k.pair}:until`),
      this.store.remaining(`${k.address}:until`),
      this.store.remaining(`${k.name}:until`),
    ]);
    const wait = Math.max(pair, addr);
    if (wait > 0) return wait;
    if (name > 0 && !(await this.store.isMember(k.known, k.addr))) return name;
    return 0;
  }

  /** A wrong password (or a name that is not a user): count it on every key and refuse those past their threshold. */
  async failed(username: string, address: string): Promise<void> {
    const k = this.keys(username, address);
    const { windowMs } = this.limits;
    const counts: [string, number][] = [
      [k.pair, this.limits.pairThreshold],
      [k.address, this.limits.addressThreshold],
      [k.name, this.limits.nameThreshold],
    ];
    await Promise.all(
      counts.map(async ([key, threshold]) => {
        const n = await this.store.incr(`${key}:n`, windowMs);
        if (n >= threshold) await this.store.setUntil(`${key}:until`, backoffMs(n - threshold, this.limits));
      }),
    );
  }

  /** A good sign-in: this pair starts afresh and the address is known for the name (the name's own count stays). */
  async succeeded(username: string, address: string): Promise<void> {
    const k = this.keys(username, address);
    await Promise.all([this.store.del(`${k.pair}:n`), this.store.del(`${k.pair}:until`), this.store.addMember(k.known, k.addr, this.limits.knownAddressMs)]);
  }
}

/** Refusal after the `over`-th failure past a threshold: base, 2 base, 4 base, ... up to the maximum. */
export function backoffMs(over: number, limits: Pick<ThrottleLimits, 'baseBackoffMs' | 'maxBackoffMs'>): number {
  return Math.min(limits.maxBackoffMs, limits.baseBackoffMs * 2 ** Math.min(Math.max(0, over), 30));
}
