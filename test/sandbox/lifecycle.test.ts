// The nil-map panic of InitChannelCache (RB §4.3.1) in the sandbox relay: inside a request (500
// new_api_panic), on an admin-style rebuild, in the periodic sync (the process dies and restarts
// with a new start_time), and at start-up (recovered by FixAbility, or a crash loop without it).

import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { insertChannel } from '../../src/sample/rows.js';
import type { RelayHandle } from '../../src/sandbox/index.js';
import { describeEngines } from '../support/engines.js';
import { call, scene, sleep, type Scene } from './fixture.js';

const NIL_MAP = 'assignment to entry in nil map';

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error(`condition not met within ${ms} ms`);
}

describeEngines('sandbox nil-map panic', (engine) => {
  let s: Scene;
  let bad = 0;
  const q = (id: string) => s.db.dialect.q(id);
  const status = async (r: RelayHandle) => (await call(r.url, '/api/status')).json.data;
  /** A channel in a group no abilities row names, as hand-written SQL leaves it. */
  const addBadChannel = () => insertChannel(s.db, { type: 1, models: 'gpt-4o-mini', group: 'default,newgroup', baseUrl: s.upstream.url }, { abilities: false });

  beforeAll(async () => {
    s = await scene(engine);
  });
  beforeEach(() => {
    bad = 0;
  });
  afterEach(async () => {
    for (const r of s.relays.splice(0)) await r.stop();
    if (bad) {
      await s.db.query('DELETE FROM abilities WHERE channel_id = ?', [bad]);
      await s.db.query('DELETE FROM channels WHERE id = ?', [bad]);
    }
  });
  afterAll(async () => s?.close());

  it('an admin-style rebuild reports the panic and keeps the old routing view', async () => {
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '60', MEMORY_CACHE_ENABLED: 'true' } });
    bad = await addBadChannel();
    expect(await relay.rebuildCache()).toEqual({ ok: false, panic: NIL_MAP });
    expect(relay.state).toBe('running');
    expect(relay.cacheView().default!.runway).toEqual([s.seed.channelId]);
  });

  it('a request-triggered rebuild (BF [CacheRetry]) answers 500 new_api_panic', async () => {
    const lines: string[] = [];
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '60', MEMORY_CACHE_ENABLED: 'true' }, cacheFallback: true, log: (l) => lines.push(l) });
    bad = await addBadChannel();
    const r = await call(relay.url, '/v1/chat/completions', { headers: { Authorization: s.auth }, body: { model: 'not-served-anywhere' } });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({
      error: { message: `Panic detected, error: ${NIL_MAP}. Please submit a issue here: https://github.com/Calcium-Ion/new-api`, type: 'new_api_panic' },
    });
    expect(lines.some((l) => l.includes('[CacheRetry] 首次查询未找到渠道 group=default, model=not-served-anywhere, 准备重试'))).toBe(true);
    expect(lines.some((l) => l.includes(`panic detected: ${NIL_MAP}`))).toBe(true);
    expect(relay.state).toBe('running');
  });

  it('the periodic rebuild kills the process; the restart recovers through FixAbility with a new start_time', async () => {
    const lines: string[] = [];
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' }, restartDelayMs: 600, log: (l) => lines.push(l) });
    const first = await status(relay);
    expect(first.start_time).toBe(relay.startTime);
    bad = await addBadChannel();
    await until(() => relay.state === 'crashed', 4000);
    await expect(fetch(`${relay.url}/api/status`)).rejects.toThrow();
    expect(lines).toContain(`panic: ${NIL_MAP}\n\ngoroutine 1 [running]:\none-api/model.InitChannelCache()\n\tmodel/channel_cache.go:54 +0x5c5`);
    await until(() => relay.state === 'running', 4000);
    expect(relay.restarts).toBe(1);
    const second = await status(relay);
    expect(second.start_time).toBeGreaterThan(first.start_time);
    expect(lines.some((l) => l.endsWith(`InitChannelCache panic: ${NIL_MAP}, retrying once `))).toBe(true);
    // FixAbility rewrote abilities: the new group is there, the relay routes in it.
    const rows = await s.db.query(`SELECT model FROM abilities WHERE ${q('group')} = 'newgroup' AND channel_id = ?`, [bad]);
    expect(rows).toHaveLength(1);
    expect(relay.cacheView().newgroup!['gpt-4o-mini']).toEqual([bad]);
  });

  it('without the start-up recovery the node crash-loops: start_time keeps moving', async () => {
    bad = await addBadChannel();
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' }, startupFix: false, restartDelayMs: 150 });
    expect(relay.state).toBe('crashed');
    const seen = new Set<number>([relay.startTime]);
    await until(() => (seen.add(relay.startTime), relay.restarts >= 3), 5000);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(relay.state === 'crashed' || relay.state === 'running').toBe(true);
    await s.db.query('DELETE FROM channels WHERE id = ?', [bad]);
    bad = 0;
    await until(() => relay.state === 'running', 3000);
    expect((await status(relay)).start_time).toBe(relay.startTime);
  });

  it('POST /api/channel/fix: admin access token and New-Api-User, then abilities and this node rebuilt', async () => {
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '60', MEMORY_CACHE_ENABLED: 'true' } });
    const other = await s.relay({ env: { SYNC_FREQUENCY: '60', MEMORY_CACHE_ENABLED: 'true' } });
    bad = await addBadChannel();
    const rootId = s.seed.userIds[0]!;
    const studioId = s.seed.userId;
    await s.db.query('UPDATE users SET access_token = ? WHERE id = ?', ['root-access-token-0123456789abcd', rootId]);
    await s.db.query('UPDATE users SET access_token = ? WHERE id = ?', ['user-access-token-0123456789abcd', studioId]);
    const fix = (headers: Record<string, string>) => call(relay.url, '/api/channel/fix', { method: 'POST', headers });
    expect(await fix({}).then((r) => [r.status, r.json])).toEqual([401, { success: false, message: '无权进行此操作，未登录且未提供 access token' }]);
    expect((await fix({ Authorization: 'nope' })).json.message).toBe('无权进行此操作，access token 无效');
    expect((await fix({ Authorization: 'root-access-token-0123456789abcd' })).status).toBe(401);
    expect((await fix({ Authorization: 'root-access-token-0123456789abcd', 'New-Api-User': String(studioId) })).json.message).toBe('无权进行此操作，New-Api-User 与登录用户不匹配');
    const common = await fix({ Authorization: 'user-access-token-0123456789abcd', 'New-Api-User': String(studioId) });
    expect([common.status, common.json.message]).toEqual([200, '无权进行此操作，权限不足']);

    const ok = await fix({ Authorization: 'Bearer root-access-token-0123456789abcd', 'New-Api-User': String(rootId) });
    expect(ok.status).toBe(200);
    expect(ok.json.success).toBe(true);
    const [{ n }] = await s.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM channels');
    expect(ok.json.data).toEqual({ success: Number(n), fails: 0 });
    expect(relay.cacheView().newgroup!['gpt-4o-mini']).toEqual([bad]);
    // Only the node that served the call rebuilt its cache.
    expect(other.cacheView().newgroup).toBeUndefined();
  });
});
