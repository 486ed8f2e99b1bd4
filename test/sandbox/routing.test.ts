// Distribute and the routing view through the sandbox relay: the zero-cost probe, the 503 texts,
// a frozen (stale) cache and its healing, two nodes disagreeing, the abilities path with the
// memory cache off, BF's cache fallback, priority tiers and weights.

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { insertChannel } from '../../src/sample/rows.js';
import type { RelayHandle } from '../../src/sandbox/index.js';
import { describeEngines } from '../support/engines.js';
import { call, scene, type Scene } from './fixture.js';

const probe = (relay: RelayHandle, auth: string, model: string) => call(relay.url, '/v1/chat/completions', { headers: { Authorization: auth }, body: { model } });

describeEngines('sandbox routing', (engine) => {
  let s: Scene;
  const q = (id: string) => s.db.dialect.q(id);
  const t = () => s.db.dialect.bool(true);
  const f = () => s.db.dialect.bool(false);
  const setChannel8 = async (status: number) => {
    await s.db.query(`UPDATE channels SET status = ? WHERE id = ?`, [status, s.seed.channelId]);
    await s.db.query(`UPDATE abilities SET enabled = ${status === 1 ? t() : f()} WHERE channel_id = ?`, [s.seed.channelId]);
  };

  beforeAll(async () => {
    s = await scene(engine);
  });
  afterEach(async () => {
    for (const r of s.relays.splice(0)) await r.stop();
    s.upstream.calls.reset();
    await setChannel8(1);
  });
  afterAll(async () => s?.close());

  it('the zero-cost probe: 500 invalid_request after selection, no upstream call, no charge', async () => {
    const relay = await s.relay();
    const r = await probe(relay, s.auth, 'runway');
    const rid = r.headers.get('x-oneapi-request-id')!;
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ error: { message: `field messages is required (request id: ${rid})`, type: 'new_api_error', param: '', code: 'invalid_request' } });
    // The relay's own answer carries one request id (a passthrough answer would add the upstream's).
    expect(rid.split(',')).toHaveLength(1);
    expect(relay.requests.last.at(-1)).toMatchObject({ route: 'POST /v1/chat/completions', status: 500, channelId: s.seed.channelId, upstreamCalls: 0 });
    expect(relay.requests.upstreamCalls).toBe(0);
    expect(relay.requests.billing).toEqual([]);
    expect(s.upstream.calls.count).toBe(0);
  });

  it('no channel: 503 model_not_found with the BF text; a body that is not JSON: 400', async () => {
    const relay = await s.relay();
    const r = await probe(relay, s.auth, 'sora-2');
    expect(r.status).toBe(503);
    expect(r.json.error.message).toMatch(/^分组 default 下模型 sora-2 无可用渠道（distributor） \(request id: \d+[0-9A-Za-z]{8}\)$/);
    expect(r.json.error.code).toBe('model_not_found');
    const bad = await call(relay.url, '/v1/chat/completions', { headers: { Authorization: s.auth }, body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^Invalid request, 无效的请求, unexpected end of JSON input/);
  });

  it('a frozen cache stays stale both ways until it is unfrozen, then heals after one sync', async () => {
    await setChannel8(2);
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    expect((await probe(relay, s.auth, 'runway')).status).toBe(503);
    relay.freezeCache(true);
    await setChannel8(1); // the operator's fix
    await new Promise((r) => setTimeout(r, 1500));
    expect((await probe(relay, s.auth, 'runway')).status).toBe(503);
    expect(relay.cacheView().default?.runway).toBeUndefined();
    relay.freezeCache(false);
    await relay.nextSync();
    const healed = await probe(relay, s.auth, 'runway');
    expect(healed.status).toBe(500);
    expect(healed.json.error.code).toBe('invalid_request');
    expect(relay.cacheView().default!.runway).toEqual([s.seed.channelId]);

    // The other direction: the node still routes to a channel the database disabled.
    relay.freezeCache(true);
    await setChannel8(2);
    expect((await probe(relay, s.auth, 'runway')).status).toBe(500);
    const pt = await call(relay.url, '/runwayml/v1/image_to_video', { headers: { Authorization: s.auth }, body: {} });
    expect(pt.status).toBe(403);
    expect(pt.json).toEqual({ code: 'channel_disabled', message: '渠道已禁用', data: null });
    expect(s.upstream.calls.count).toBe(0);
  });

  it('two nodes on one database disagree while one is frozen', async () => {
    const a = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    const b = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    a.freezeCache(true);
    await setChannel8(2);
    await b.nextSync();
    expect((await probe(a, s.auth, 'runway')).status).toBe(500);
    expect((await probe(b, s.auth, 'runway')).status).toBe(503);
    expect(a.cacheView().default!.runway).toEqual([s.seed.channelId]);
    expect(b.cacheView().default!.runway).toBeUndefined();
    expect(a.startTime).toBeGreaterThan(0);
  });

  it('a cached channel deleted from the database: probe routes, passthrough answers get_channel_failed', async () => {
    const id = await insertChannel(s.db, { type: 55, models: 'minimax', group: 'default', baseUrl: s.upstream.url, key: s.channelKey });
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    relay.freezeCache(true);
    await s.db.query('DELETE FROM abilities WHERE channel_id = ?', [id]);
    await s.db.query('DELETE FROM channels WHERE id = ?', [id]);
    expect((await probe(relay, s.auth, 'minimax')).json.error.code).toBe('invalid_request');
    const r = await call(relay.url, '/minimax/v1/video_generation', { headers: { Authorization: s.auth }, body: { model: 'video-01' } });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ code: 'get_channel_failed', message: '获取渠道失败: record not found', data: null });
    expect(r.headers.get('x-oneapi-request-id')!.split(',')).toHaveLength(1);
    expect(s.upstream.calls.count).toBe(0);
    expect(relay.requests.billing).toEqual([]);
  });

  it('memory cache off: abilities decide at once, status edits by SQL are not re-checked, dangling rows fail', async () => {
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '60' } });
    expect(relay.memoryCache).toBe(false);
    expect(relay.cacheView()).toEqual({});
    await s.db.query('UPDATE channels SET status = 2 WHERE id = ?', [s.seed.channelId]);
    expect((await probe(relay, s.auth, 'runway')).json.error.code).toBe('invalid_request');
    const pt = await call(relay.url, '/runwayml/v1/image_to_video', { headers: { Authorization: s.auth }, body: {} });
    expect(pt.json.code).toBe('channel_disabled');
    await s.db.query(`UPDATE abilities SET enabled = ${f()} WHERE channel_id = ?`, [s.seed.channelId]);
    expect((await probe(relay, s.auth, 'runway')).status).toBe(503);

    await s.db.query(`INSERT INTO abilities (${q('group')}, model, channel_id, enabled, priority, weight) VALUES ('default', 'dangling-model', 99, ${t()}, 0, 0)`);
    const d = await probe(relay, s.auth, 'dangling-model');
    expect(d.status).toBe(503);
    expect(d.json.error.message).toMatch(/^获取分组 default 下模型 dangling-model 的可用渠道失败（数据库一致性已被破坏，distributor）: record not found \(request id/);
    await s.db.query(`DELETE FROM abilities WHERE channel_id = 99`);
  });

  it('Redis forces the memory cache on even with MEMORY_CACHE_ENABLED=false', async () => {
    const { redisAvailable } = await import('../support/redis.js');
    if (!redisAvailable()) return;
    const { freshRedis } = await import('../support/redis.js');
    const redis = await freshRedis();
    try {
      const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'false', CRYPTO_SECRET: 'x' }, redisUrl: redis.url });
      expect(relay.memoryCache).toBe(true);
      expect(relay.cacheView().default!.runway).toEqual([s.seed.channelId]);
    } finally {
      for (const r of s.relays.splice(0)) await r.stop();
      await redis.release();
    }
  });

  it('BF cache fallback: a cache lacking the channel is answered from abilities', async () => {
    await setChannel8(2);
    const lines: string[] = [];
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' }, cacheFallback: true, log: (l) => lines.push(l) });
    relay.freezeCache(true);
    await setChannel8(1);
    const r = await probe(relay, s.auth, 'runway');
    expect(r.json.error.code).toBe('invalid_request');
    expect(lines.some((l) => l.includes('[CacheFallback] 缓存中未找到渠道, 降级到数据库查询: group=default, model=runway'))).toBe(true);
    expect(lines.some((l) => l.includes(`[CacheFallback] 数据库查询成功! 找到渠道 channel_id=${s.seed.channelId}`))).toBe(true);
  });

  it('priority tiers win; weights share a tier (BF: weight + 10)', async () => {
    const hi = await insertChannel(s.db, { type: 1, models: 'tier-model', group: 'default', priority: 10, baseUrl: s.upstream.url });
    await insertChannel(s.db, { type: 1, models: 'tier-model', group: 'default', priority: 0, baseUrl: s.upstream.url });
    const w0 = await insertChannel(s.db, { type: 1, models: 'weight-model', group: 'default', weight: 0, baseUrl: s.upstream.url });
    const w90 = await insertChannel(s.db, { type: 1, models: 'weight-model', group: 'default', weight: 90, baseUrl: s.upstream.url });
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    for (let i = 0; i < 10; i++) await probe(relay, s.auth, 'tier-model');
    expect(new Set(relay.requests.last.slice(-10).map((r) => r.channelId))).toEqual(new Set([hi]));
    for (let i = 0; i < 150; i++) await probe(relay, s.auth, 'weight-model');
    const picked = relay.requests.last.slice(-150).map((r) => r.channelId);
    expect(picked.filter((c) => c === w90).length).toBeGreaterThan(picked.filter((c) => c === w0).length);
    expect(picked).toContain(w0);
  });
});

describeEngines('sandbox routing (new-api 0.9.16)', (engine) => {
  let s: Scene;
  beforeAll(async () => {
    s = await scene(engine, 'na-0.9.16');
  });
  afterAll(async () => s?.close());

  it('weight 0 next to weighted channels is never chosen; passthrough paths are the web page', async () => {
    const w0 = await insertChannel(s.db, { type: 1, models: 'weight-model', group: 'default', weight: 0, baseUrl: s.upstream.url });
    const w5 = await insertChannel(s.db, { type: 1, models: 'weight-model', group: 'default', weight: 5, baseUrl: s.upstream.url });
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    for (let i = 0; i < 30; i++) await probe(relay, s.auth, 'weight-model');
    expect(new Set(relay.requests.last.slice(-30).map((r) => r.channelId))).toEqual(new Set([w5]));
    expect(w0).not.toBe(w5);
    const page = await call(relay.url, '/runwayml/v1/image_to_video', { headers: { Authorization: s.auth }, body: {} });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const status = await call(relay.url, '/api/status');
    expect(status.json.data).toMatchObject({ system_name: 'New API', version: 'v0.9.16', start_time: relay.startTime });
    const none = await probe(relay, s.auth, 'nothing-here');
    expect(none.json.error.message).toMatch(/^分组 default 下模型 nothing-here 无可用渠道（distributor）/);
  });
});
