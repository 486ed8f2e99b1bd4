import { createHmac } from 'node:crypto';
import type { Secret } from '../context/secret.js';

// Make a token/user fix take effect at once: delete exactly the Redis hashes TokenAuth would read
// for the changed rows (RB §7). Never a pattern delete, never KEYS; SCAN only to find token hashes
// by their Id field when the HMAC secret is unknown.

export interface InvalidateInput {
  url: Secret;
  family: 'new-api' | 'one-api';
  /** CRYPTO_SECRET, else SESSION_SECRET, from the relay's environment. */
  secret?: Secret;
  /** Changed tokens with their stored keys (without sk-); the keys never leave this module. */
  tokens: { id: number; key: Secret }[];
  userIds: number[];
  timeoutMs?: number;
}

export interface InvalidateResult {
  /** Deleted key names; token keys are HMAC hex only. */
  deleted: string[];
  /** How token hashes were found. */
  tokenLookup: 'hmac' | 'scan' | 'none';
  error?: string;
}

export function tokenCacheKey(secret: string, rawKey: string): string {
  return `token:${createHmac('sha256', secret).update(rawKey).digest('hex')}`;
}

const SCAN_COUNT = 1000;

async function scanTokenHashes(redis: import('ioredis').Redis, ids: Set<number>): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'token:*', 'COUNT', SCAN_COUNT);
    cursor = next;
    if (!keys.length) continue;
    const pipe = redis.pipeline();
    for (const k of keys) pipe.hget(k, 'Id');
    const answers = (await pipe.exec()) ?? [];
    // one-api's token:<key> strings answer WRONGTYPE: not a new-api hash, left alone.
    answers.forEach(([err, v], i) => {
      if (!err && typeof v === 'string' && ids.has(Number(v))) found.push(keys[i]!);
    });
  } while (cursor !== '0');
  return found;
}

export async function invalidateCaches(input: InvalidateInput): Promise<InvalidateResult> {
  const { Redis } = await import('ioredis');
  const timeout = input.timeoutMs ?? 5000;
  const redis = new Redis(input.url.reveal(), {
    lazyConnect: true,
    connectTimeout: timeout,
    commandTimeout: timeout * 4,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  redis.on('error', () => undefined);
  const result: InvalidateResult = { deleted: [], tokenLookup: 'none' };
  try {
    await redis.connect();
    const candidates: string[] = [];
    if (input.family === 'new-api') {
      if (input.tokens.length) {
        if (input.secret && !input.secret.isEmpty()) {
          result.tokenLookup = 'hmac';
          for (const t of input.tokens) candidates.push(tokenCacheKey(input.secret.reveal(), t.key.reveal()));
        } else {
          result.tokenLookup = 'scan';
          candidates.push(...(await scanTokenHashes(redis, new Set(input.tokens.map((t) => t.id)))));
        }
      }
      for (const id of input.userIds) candidates.push(`user:${id}`);
    } else {
      // one-api has no token group; a user's group is cached as user_group:<id> (RB §7.4).
      for (const id of input.userIds) candidates.push(`user_group:${id}`);
    }
    for (const key of [...new Set(candidates)]) {
      if ((await redis.del(key)) > 0) result.deleted.push(key);
    }
  } catch (err) {
    result.error = String((err as Error).message ?? err).replace(/rediss?:\/\/\S+/g, '<redis>');
  } finally {
    redis.disconnect();
  }
  return result;
}
