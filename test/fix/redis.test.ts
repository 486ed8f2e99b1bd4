import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRelaySchema } from '../../src/sample/ddl.js';
import { insertChannel, insertToken, insertUser, setOption } from '../../src/sample/rows.js';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { runFixGroups, type GroupsRunOptions } from '../../src/fix/groups-run.js';
import { tokenCacheKey } from '../../src/fix/redis-invalidate.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';
import { freshRedis, redisAvailable, redisSkipReason, type FreshRedis } from '../support/redis.js';
import { contextFor, makeF15, q, tempDir, type F15 } from './helpers.js';

// Making a fix take effect: exactly the Redis hashes of the changed rows go, nothing else.

const SECRET = 'crypto-secret-for-tests';
const OTHER_SECRET = 'another-node-started-with-this';

describe.skipIf(!redisAvailable())(`fix-groups cache invalidation${redisAvailable() ? '' : ` (skipped: ${redisSkipReason()})`}`, () => {
  let redis: FreshRedis;
  let fresh: FreshDatabase | undefined;
  const tmp = tempDir('rd-fix-redis-');

  beforeAll(async () => {
    redis = await freshRedis();
  }, 90_000);
  afterAll(async () => {
    await redis?.release();
    tmp.cleanup();
  });
  afterEach(async () => {
    await fresh?.drop();
    fresh = undefined;
    await redis.client.flushdb();
  });

  async function relayDb(): Promise<{ f15: F15; keys: Map<number, string>; users: number[] }> {
    fresh = await freshDatabase('sqlite');
    const seed = await seedIncident(fresh.db);
    const f15 = await makeF15(fresh.db, seed);
    const rows = await fresh.db.query(`SELECT id, ${q(fresh.db, 'key')} AS k FROM tokens`);
    const users = (await fresh.db.query('SELECT id FROM users')).map((r) => Number(r.id));
    return { f15, keys: new Map(rows.map((r) => [Number(r.id), String(r.k)])), users };
  }

  /** What the relay caches: a token hash per token (under the given secret), a user hash per user. */
  async function cacheEverything(c: Redis, keys: Map<number, string>, users: number[], secret: string): Promise<void> {
    const p = c.pipeline();
    for (const [id, key] of keys) {
      p.hset(tokenCacheKey(secret, key), { Id: String(id), Key: '', Group: 'stale', Status: '1' });
      p.expire(tokenCacheKey(secret, key), 60);
    }
    for (const id of users) p.hset(`user:${id}`, { Id: String(id), Group: 'stale', Status: '1' });
    // Keys that are not ours to touch.
    p.set('rateLimit:GA:127.0.0.1', '3');
    p.set(`user_group:${users[0]}`, 'default');
    p.set('token:oneapi-style-string', '{"id":1}');
    await p.exec();
  }

  const run = (o: Partial<GroupsRunOptions>, env: string[], redisUrl = redis.url) =>
    runFixGroups(contextFor(fresh!.dsn, { redis: redisUrl, env }), { mode: 'apply', backupDir: path.join(tmp.dir, 'b'), version: 'test', users: false, ...o });

  async function allKeys(): Promise<Set<string>> {
    return new Set(await redis.client.keys('*'));
  }

  it('with CRYPTO_SECRET: deletes exactly the changed tokens\' token:<hmac> hashes, names hold no raw key', async () => {
    const { f15, keys, users } = await relayDb();
    await cacheEverything(redis.client, keys, users, SECRET);
    // A node started with another secret caches the same token under another name.
    const firstChanged = [...f15.tokens.keys()][0]!;
    await redis.client.hset(tokenCacheKey(OTHER_SECRET, keys.get(firstChanged)!), { Id: String(firstChanged), Group: 'stale' });
    const before = await allKeys();
    const { doc, exitCode } = await run({}, [`CRYPTO_SECRET=${SECRET}`]);
    expect(exitCode).toBe(0);
    const expected = [...f15.tokens.keys()].map((id) => tokenCacheKey(SECRET, keys.get(id)!)).sort();
    expect([...doc.cacheInvalidated].sort()).toEqual(expected);
    expect([...(await allKeys())].sort()).toEqual([...before].filter((k) => !expected.includes(k)).sort());
    const text = JSON.stringify(doc);
    for (const k of keys.values()) expect(text).not.toContain(k);
    expect(doc.notes.join(' ')).toMatch(/deleted 16 cached hash/);

    // Undo invalidates the same hashes again (the relay cached the fixed values meanwhile).
    await cacheEverything(redis.client, keys, users, SECRET);
    const undo = await run({ mode: 'undo', undo: doc.backup! }, [`CRYPTO_SECRET=${SECRET}`]);
    expect(undo.exitCode).toBe(0);
    expect([...undo.doc.cacheInvalidated].sort()).toEqual(expected);
  });

  it('falls back to SESSION_SECRET like the relay', async () => {
    const { f15, keys, users } = await relayDb();
    await cacheEverything(redis.client, keys, users, 'session-secret');
    const { doc } = await run({ tokenIds: [f15.bobSvip] }, ['SESSION_SECRET=session-secret']);
    expect(doc.cacheInvalidated).toEqual([tokenCacheKey('session-secret', keys.get(f15.bobSvip)!)]);
  });

  it('without a secret: finds token hashes by their Id field with SCAN (every copy), never by pattern delete', async () => {
    const { f15, keys, users } = await relayDb();
    await cacheEverything(redis.client, keys, users, SECRET);
    const ids = [...f15.tokens.keys()];
    // Copies under another node's secret, and many unrelated token hashes so SCAN pages.
    const copies = ids.slice(0, 3).map((id) => tokenCacheKey(OTHER_SECRET, keys.get(id)!));
    const p = redis.client.pipeline();
    copies.forEach((k, i) => p.hset(k, { Id: String(ids[i]), Group: 'stale' }));
    for (let i = 0; i < 2500; i++) p.hset(`token:unrelated${i}`, { Id: String(100_000 + i) });
    await p.exec();
    const before = await allKeys();
    const { doc } = await run({}, []);
    const expected = [...ids.map((id) => tokenCacheKey(SECRET, keys.get(id)!)), ...copies].sort();
    expect([...doc.cacheInvalidated].sort()).toEqual(expected);
    expect([...(await allKeys())].sort()).toEqual([...before].filter((k) => !expected.includes(k)).sort());
    expect(doc.notes.join(' ')).toMatch(/found by SCAN on their Id field/);
  });

  it('--users: deletes user:<id> of the moved owners, and no token hash of tokens that did not change', async () => {
    const { f15, keys, users } = await relayDb();
    await cacheEverything(redis.client, keys, users, SECRET);
    const { doc } = await run({ users: true }, [`CRYPTO_SECRET=${SECRET}`]);
    const expected = [...[...f15.users.keys()].map((id) => `user:${id}`), ...[...f15.tokensWithUsers].map((id) => tokenCacheKey(SECRET, keys.get(id)!))].sort();
    expect([...doc.cacheInvalidated].sort()).toEqual(expected);
    for (const id of users.filter((u) => !f15.users.has(u))) expect(await redis.client.exists(`user:${id}`)).toBe(1);
  });

  it('Redis unreachable: the fix stands, the warning gives the SYNC_FREQUENCY window and the re-probe command', async () => {
    await relayDb();
    const { doc, exitCode } = await run({}, ['SYNC_FREQUENCY=120'], 'redis://127.0.0.1:1/0');
    expect(exitCode).toBe(0);
    expect(doc.applied).toBe(doc.plan.length);
    expect(doc.cacheInvalidated).toEqual([]);
    expect(doc.warnings.join(' ')).toMatch(/could not be reached.*SYNC_FREQUENCY \(120 s\).*relay-doctor diagnose --relay-url/);
  });

  it('one-api: moves the owner and deletes user_group:<id>; token:<key> strings are left alone', async () => {
    fresh = await freshDatabase('sqlite');
    const db = fresh.db;
    await createRelaySchema(db, 'one-api');
    await insertChannel(db, { id: 1, models: 'gpt-4o', group: 'default' });
    await setOption(db, 'GroupRatio', { default: 1, vip: 1 });
    const ok = await insertUser(db, { username: 'ok', group: 'default' });
    const stuck = await insertUser(db, { username: 'stuck', group: 'vip' });
    const t1 = await insertToken(db, { userId: stuck });
    await insertToken(db, { userId: ok });
    await redis.client.set(`user_group:${stuck}`, 'vip');
    await redis.client.set(`user_group:${ok}`, 'default');
    await redis.client.set(`token:${t1.key}`, JSON.stringify({ id: t1.id }));
    const without = await run({ models: ['gpt-4o'], mode: 'dry-run' }, []);
    expect(without.doc.plan).toEqual([]);
    expect(without.doc.unfixable?.[0]?.reason).toMatch(/one-api has no token group: pass --users/);
    const { doc } = await run({ models: ['gpt-4o'], users: true }, ['SYNC_FREQUENCY=600']);
    expect(doc.plan.map((r) => [r.table, r.id, r.before, r.after])).toEqual([['users', stuck, 'vip', 'default']]);
    expect(doc.cacheInvalidated).toEqual([`user_group:${stuck}`]);
    expect(await redis.client.exists(`token:${t1.key}`, `user_group:${ok}`)).toBe(2);
    expect(JSON.stringify(doc)).not.toContain(t1.key);
  });
});
