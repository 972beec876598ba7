// Redis connections (ioredis). Used by BullMQ and directly for frame streams and pub/sub.
import { Redis, type RedisOptions } from 'ioredis';
import { createLogger } from './logger';

export type { Redis };

export interface CreateRedisOptions {
  /**
   * Blocking consumers (BullMQ workers, XREAD BLOCK, subscribers) need `maxRetriesPerRequest: null` so a
   * command waits for a reconnect instead of failing; producers keep the default so a call fails when Redis is away.
   */
  blocking?: boolean;
  /** Shown in CLIENT LIST. */
  name?: string;
}

const log = createLogger('redis');

export function createRedis(url: string, opts: CreateRedisOptions = {}): Redis {
  const options: RedisOptions = {
    ...(opts.blocking ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 3 }),
    ...(opts.name ? { connectionName: opts.name } : {}),
    enableReadyCheck: true,
    // Reconnect forever with capped backoff: Redis restarting must not kill the process.
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 10_000),
  };
  const redis = new Redis(url, options);
  let reported = false;
  redis.on('error', (err: Error) => {
    // ioredis emits an error per failed reconnect; log the first of each outage only.
    if (!reported) log.warn({ err }, 'redis connection error');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) log.info('redis connection restored');
    reported = false;
  });
  return redis;
}

/** Waits until the connection is ready (rejects after timeoutMs). */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** Deletes every key under a prefix (test clean-up; never call it on a production prefix). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix.length < 3) throw new Error('refusing to delete keys for a prefix shorter than 3 characters');
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * Pub/sub on one subscriber connection: any number of listeners per channel (two apps in one process, a test's
 * second app), each with its own way out; the channel is unsubscribed when its last listener leaves.
 */
export function channelSubscriber(sub: Redis): (channel: string, onMessage: (message: string) => void) => Promise<() => Promise<void>> {
  const listeners = new Map<string, Set<(message: string) => void>>();
  sub.on('message', (channel: string, message: string) => {
    for (const l of listeners.get(channel) ?? []) l(message);
  });
  return async (channel, onMessage) => {
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
      await sub.subscribe(channel);
    }
    set.add(onMessage);
    return async () => {
      set.delete(onMessage);
      if (set.size === 0 && listeners.get(channel) === set) {
        listeners.delete(channel);
        await sub.unsubscribe(channel).catch(() => undefined);
      }
    };
  };
}
