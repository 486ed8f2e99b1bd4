// The sandbox relay's Redis token and user hashes (RB §7): written on a miss with the relay's field
// names and a TTL of SYNC_FREQUENCY, read before the database, so SQL fixes stay masked until the
// hash expires or is deleted.

import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertToken, insertUser } from '../../src/sample/rows.js';
import { describeEngines } from '../support/engines.js';
import { freshRedis, redisAvailable, redisSkipReason, type FreshRedis } from '../support/redis.js';
import { call, scene, sleep, type Scene } from './fixture.js';

const SECRET = 'sandbox-test-crypto-secret';
const hashKey = (raw: string, secret = SECRET) => `token:${createHmac('sha256', secret).update(raw).digest('hex')}`;

if (!redisAvailable()) {
  describe('sandbox Redis', () => it.skip(`skipped: ${redisSkipReason()}`, () => undefined));
} else {
  describeEngines('sandbox Redis', (engine) => {
    let s: Scene;
    let redis: FreshRedis;
    const q = (id: string) => s.db.dialect.q(id);
    const probe = (url: string, key: string) => call(url, '/v1/chat/completions', { headers: { Authorization: `Bearer sk-${key}` }, body: { model: 'runway' } });

    beforeAll(async () => {
      s = await scene(engine);
      redis = await freshRedis();
    });
    afterEach(async () => {
      for (const r of s.relays.splice(0)) await r.stop();
      await redis.client.flushdb();
    });
    afterAll(async () => {
      await redis?.release();
      await s?.close();
    });

    it('writes the token and user hashes on a miss, with the relay field names and TTL', async () => {
      const relay = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '30', CRYPTO_SECRET: SECRET } });
      expect(relay.memoryCache).toBe(true);
      expect((await probe(relay.url, s.seed.tokenKey)).json.error.code).toBe('invalid_request');
      const key = hashKey(s.seed.tokenKey);
      const h = await redis.client.hgetall(key);
      expect(h).toMatchObject({ Id: String(s.seed.tokenId), UserId: String(s.seed.userId), Key: '', Status: '1', Group: 'default', ExpiredTime: '-1', AllowIps: '', ExternalUserId: '' });
      expect(['true', 'false']).toContain(h.UnlimitedQuota);
      const ttl = await redis.client.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
      const u = await redis.client.hgetall(`user:${s.seed.userId}`);
      expect(Object.keys(u).sort()).toEqual(['Email', 'Group', 'Id', 'Quota', 'Setting', 'Status', 'Username']);
      expect(u).toMatchObject({ Id: String(s.seed.userId), Group: 'default', Status: '1', Username: 'studio' });
    });

    it('a token group fixed in SQL stays masked by the hash until DEL', async () => {
      const tk = await insertToken(s.db, { userId: s.seed.userId, group: 'svip' });
      const relay = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '60', CRYPTO_SECRET: SECRET } });
      expect((await probe(relay.url, tk.key)).json.error.message).toMatch(/^令牌分组 svip 已被禁用/);
      await s.db.query(`UPDATE tokens SET ${q('group')} = 'default' WHERE id = ?`, [tk.id]);
      const stale = await probe(relay.url, tk.key);
      expect(stale.status).toBe(403);
      expect(await redis.client.hget(hashKey(tk.key), 'Group')).toBe('svip');
      await redis.client.del(hashKey(tk.key));
      const fixed = await probe(relay.url, tk.key);
      expect(fixed.json.error.code).toBe('invalid_request');
      expect(await redis.client.hget(hashKey(tk.key), 'Group')).toBe('default');
    });

    it('…or until the TTL runs out; a soft-deleted token still passes while its hash lives', async () => {
      const tk = await insertToken(s.db, { userId: s.seed.userId, group: 'svip' });
      const relay = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '1', CRYPTO_SECRET: SECRET } });
      expect((await probe(relay.url, tk.key)).status).toBe(403);
      await s.db.query(`UPDATE tokens SET ${q('group')} = 'default' WHERE id = ?`, [tk.id]);
      await sleep(2100);
      expect(await redis.client.exists(hashKey(tk.key))).toBe(0);
      expect((await probe(relay.url, tk.key)).json.error.code).toBe('invalid_request');

      await s.db.query(`UPDATE tokens SET deleted_at = ? WHERE id = ?`, [engine === 'sqlite' ? '2026-01-01 00:00:00+00:00' : new Date(), tk.id]);
      expect((await probe(relay.url, tk.key)).json.error.code).toBe('invalid_request');
    });

    it('the user hash masks a group change of the owner', async () => {
      const uid = await insertUser(s.db, { group: 'default' });
      const tk = await insertToken(s.db, { userId: uid, group: '' });
      const relay = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '60', CRYPTO_SECRET: SECRET } });
      expect((await probe(relay.url, tk.key)).json.error.code).toBe('invalid_request');
      await s.db.query(`UPDATE users SET ${q('group')} = 'nowhere' WHERE id = ?`, [uid]);
      expect((await probe(relay.url, tk.key)).json.error.code).toBe('invalid_request');
      await redis.client.del(`user:${uid}`);
      expect((await probe(relay.url, tk.key)).json.error.message).toMatch(/^分组 nowhere 下模型 runway 无可用渠道/);
    });

    it('without CRYPTO_SECRET or SESSION_SECRET each node hashes under its own random key', async () => {
      const a = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '60' } });
      const b = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '60' } });
      await probe(a.url, s.seed.tokenKey);
      await probe(b.url, s.seed.tokenKey);
      const keys = await redis.client.keys('token:*');
      expect(keys).toHaveLength(2);
      expect(keys).not.toContain(hashKey(s.seed.tokenKey));
      // SESSION_SECRET is the fallback secret.
      const c = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '60', SESSION_SECRET: 'session-fallback' } });
      await probe(c.url, s.seed.tokenKey);
      expect(await redis.client.exists(hashKey(s.seed.tokenKey, 'session-fallback'))).toBe(1);
    });

    it('a passthrough charge decrements RemainQuota in the hash', async () => {
      const relay = await s.relay({ redisUrl: redis.url, env: { SYNC_FREQUENCY: '60', CRYPTO_SECRET: SECRET } });
      await probe(relay.url, s.seed.tokenKey);
      const before = Number(await redis.client.hget(hashKey(s.seed.tokenKey), 'RemainQuota'));
      const r = await call(relay.url, '/pika/generate', { headers: { Authorization: s.auth }, body: { promptText: 'x' } });
      expect(r.status).toBe(200);
      // pika is priced at $0.3 in the seed: 0.3 × 500000.
      expect(Number(await redis.client.hget(hashKey(s.seed.tokenKey), 'RemainQuota'))).toBe(before - 150_000);
    });
  });
}
