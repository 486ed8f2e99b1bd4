import { createHmac } from 'node:crypto';
import type { Secret } from '../context/secret.js';
import type { RedisFacts, RedisHash } from './types.js';

// Read-only look at the relay's Redis caches (RB §7): the token hash TokenAuth reads first, the
// user hash, the auth-version keys, and one-api's JSON strings. Only HGETALL, HGET, GET, TTL and
// SCAN are sent: relay-doctor never writes here (and never uses KEYS, which blocks the server).

export interface RedisWanted {
  family: 'new-api' | 'one-api';
  /** CRYPTO_SECRET else SESSION_SECRET, when the relay's environment has one. */
  secret?: { value: Secret; from: 'CRYPTO_SECRET' | 'SESSION_SECRET' };
  tokenId?: number;
  /** The stored key (no sk-), for the HMAC or one-api's key name. */
  rawKey?: Secret;
  userId?: number;
  /** Stop a SCAN after this many keys or milliseconds. */
  scanLimit?: number;
  scanMs?: number;
}

/** The relay's token cache key name: token:<hex(HMAC-SHA256(secret, rawKey))>. */
export function tokenHashKey(secret: string, rawKey: string): string {
  return `token:${createHmac('sha256', secret).update(rawKey).digest('hex')}`;
}

type Client = import('ioredis').Redis;

async function hash(c: Client, key: string): Promise<RedisHash | undefined> {
  const [fields, ttl] = await Promise.all([c.hgetall(key), c.ttl(key)]);
  if (!fields || Object.keys(fields).length === 0) return undefined;
  return { key, ttl, fields };
}

async function str(c: Client, key: string): Promise<{ key: string; value: string; ttl: number } | undefined> {
  const [value, ttl] = await Promise.all([c.get(key), c.ttl(key)]);
  return value === null ? undefined : { key, value, ttl };
}

/** SCAN MATCH token:* COUNT 1000 until the cursor is 0; keep hashes whose Id is the token's. */
async function scanTokenHashes(c: Client, tokenId: number, limit: number, ms: number): Promise<{ found: string[]; seen: number; complete: boolean }> {
  const started = Date.now();
  let cursor = '0';
  let seen = 0;
  const found: string[] = [];
  do {
    const [next, keys] = await c.scan(cursor, 'MATCH', 'token:*', 'COUNT', 1000);
    cursor = next;
    seen += keys.length;
    if (keys.length) {
      const p = c.pipeline();
      for (const k of keys) p.hget(k, 'Id');
      const res = (await p.exec()) ?? [];
      res.forEach(([err, v], i) => {
        if (!err && v === String(tokenId)) found.push(keys[i]!);
      });
    }
    if (seen >= limit || Date.now() - started > ms) return { found, seen, complete: cursor === '0' };
  } while (cursor !== '0');
  return { found, seen, complete: true };
}

export async function readRedis(url: Secret, w: RedisWanted): Promise<RedisFacts> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url.reveal(), {
    lazyConnect: true,
    connectTimeout: 3000,
    commandTimeout: 10_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  client.on('error', () => undefined);
  const facts: RedisFacts = { ok: false, format: w.family, tokenLookup: 'none', tokenHashes: [], dbIndex: Number(client.options.db ?? 0) };
  if (w.tokenId !== undefined) facts.tokenId = w.tokenId;
  if (w.userId !== undefined) facts.userId = w.userId;
  try {
    await client.connect();
    if (w.family === 'one-api') {
      facts.oneApi = {};
      if (w.rawKey) {
        facts.tokenLookup = 'one-api-key';
        const t = await str(client, `token:${w.rawKey.reveal()}`);
        if (t) {
          let json: Record<string, unknown> | null = null;
          try {
            json = JSON.parse(t.value) as Record<string, unknown>;
          } catch {
            /* kept as unreadable */
          }
          // The JSON holds the key in clear: drop it before it is stored anywhere.
          if (json) delete json.key;
          facts.oneApi.token = { ttl: t.ttl, json };
        }
      }
      if (w.userId !== undefined) {
        facts.oneApi.userGroup = await str(client, `user_group:${w.userId}`);
        facts.oneApi.userEnabled = await str(client, `user_enabled:${w.userId}`);
      }
    } else {
      if (w.rawKey && w.secret) {
        facts.tokenLookup = 'hmac';
        facts.secretFrom = w.secret.from;
        const h = await hash(client, tokenHashKey(w.secret.value.reveal(), w.rawKey.reveal()));
        if (h) facts.tokenHashes.push(h);
      } else if (w.tokenId !== undefined) {
        facts.tokenLookup = 'scan';
        const s = await scanTokenHashes(client, w.tokenId, w.scanLimit ?? 500_000, w.scanMs ?? 15_000);
        facts.scan = { keysSeen: s.seen, complete: s.complete };
        for (const k of s.found) {
          const h = await hash(client, k);
          if (h) facts.tokenHashes.push(h);
        }
      }
      if (w.userId !== undefined) {
        facts.userHash = await hash(client, `user:${w.userId}`);
        facts.authVersion = await str(client, `auth:user:version:${w.userId}`);
        facts.authFence = await str(client, `auth:user:fence:${w.userId}`);
      }
    }
    facts.ok = true;
  } catch (err) {
    facts.error = String((err as Error).message ?? err).replace(/rediss?:\/\/\S+/g, '<redis>').split('\n')[0];
  } finally {
    client.disconnect();
  }
  return facts;
}
