// Redis for tests. The relay's keys have fixed names (token:<hmac>, user:<id>), so code under
// test cannot be told to use a prefix: each test borrows a whole logical database (1–15) instead,
// locked in database 0 so parallel workers and parallel runs never share one. Tests that only
// write their own keys can use a prefix.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { services } from './engines.js';

export function redisAvailable(): boolean {
  return services().redis.mode === 'server';
}

/** Why Redis tests are skipped ('' when available). */
export function redisSkipReason(): string {
  const r = services().redis;
  return r.mode === 'server' ? '' : (r.reason ?? 'Redis not available');
}

/** A fresh key prefix, for tests whose keys are their own. */
export function redisPrefix(): string {
  return `rd_t_${services().runId}_${randomBytes(4).toString('hex')}:`;
}

export interface FreshRedis {
  /** URL selecting the borrowed database, usable as --redis. */
  url: string;
  index: number;
  /** A client on that database. */
  client: Redis;
  /** Empty the database, give it back, close the client. Safe to call twice. */
  release(): Promise<void>;
}

const LOCK_TTL_S = 900;
const lockKey = (n: number) => `relay-doctor:test:db-lock:${n}`;

function urlFor(base: string, index: number): string {
  const u = new URL(base);
  u.pathname = `/${index}`;
  return u.toString();
}

/** Borrow an empty Redis logical database (1–15), waiting up to 60 s for one to be free. */
export async function freshRedis(): Promise<FreshRedis> {
  const info = services().redis;
  if (info.mode !== 'server' || !info.url) throw new Error(`Redis is not available in this run: ${info.reason}`);
  const owner = `${services().runId}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const locks = new Redis(urlFor(info.url, 0), { maxRetriesPerRequest: 1 });
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const order = Array.from({ length: 15 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
      for (const n of order) {
        if ((await locks.set(lockKey(n), owner, 'EX', LOCK_TTL_S, 'NX')) !== 'OK') continue;
        const url = urlFor(info.url, n);
        const client = new Redis(url, { maxRetriesPerRequest: 1 });
        await client.flushdb();
        let done = false;
        const release = async () => {
          if (done) return;
          done = true;
          await client.flushdb().catch(() => undefined);
          client.disconnect();
          const l = new Redis(urlFor(info.url!, 0), { maxRetriesPerRequest: 1 });
          // Only our own lock: it may have expired and been taken by someone else.
          if ((await l.get(lockKey(n)).catch(() => null)) === owner) await l.del(lockKey(n)).catch(() => undefined);
          l.disconnect();
        };
        return { url, index: n, client, release };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('no free Redis database (1–15) within 60 s');
  } finally {
    locks.disconnect();
  }
}
