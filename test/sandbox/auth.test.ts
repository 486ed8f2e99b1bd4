// TokenAuth through the sandbox relay: every token and owner failure, the channel pin, the group
// checks, on each engine the run has.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertToken, insertUser, setOption } from '../../src/sample/rows.js';
import type { RelayHandle } from '../../src/sandbox/index.js';
import { describeEngines } from '../support/engines.js';
import { call, scene, type Scene } from './fixture.js';

const probe = (base: string, auth: string | undefined, model = 'runway') =>
  call(base, '/v1/chat/completions', { headers: auth ? { Authorization: auth } : {}, body: { model } });

describeEngines('sandbox TokenAuth (BF)', (engine) => {
  let s: Scene;
  let relay: RelayHandle;
  beforeAll(async () => {
    s = await scene(engine);
    // A usable but unpriced group, so the group checks can be told apart.
    await setOption(s.db, 'UserUsableGroups', { default: '默认分组', vip: 'vip分组', vip2: 'vip2' });
    relay = await s.relay();
  });
  afterAll(async () => s?.close());

  const token = async (more: Parameters<typeof insertToken>[1]) => (await insertToken(s.db, more)).key;

  it('no key: 401 未提供令牌 carrying the response request id', async () => {
    const r = await probe(relay.url, undefined);
    expect(r.status).toBe(401);
    const rid = r.headers.get('x-oneapi-request-id')!;
    expect(r.json).toEqual({ error: { message: `未提供令牌 (request id: ${rid})`, type: 'new_api_error', code: '' } });
  });

  it('unknown or soft-deleted key: 401 无效的令牌', async () => {
    expect((await probe(relay.url, 'Bearer sk-doesnotexist')).json.error.message).toMatch(/^无效的令牌 \(request id: /);
    const gone = await token({ userId: s.seed.userId, deletedAt: true });
    const r = await probe(relay.url, `Bearer sk-${gone}`);
    expect(r.status).toBe(401);
    expect(r.json.error.message).toMatch(/^无效的令牌/);
  });

  it('token statuses, expiry and quota, with the masked key and the status written back', async () => {
    const disabled = await token({ userId: s.seed.userId, status: 2 });
    expect((await probe(relay.url, `Bearer sk-${disabled}`)).json.error.message).toMatch(/^该令牌状态不可用/);
    const expired = await token({ userId: s.seed.userId, status: 3 });
    expect((await probe(relay.url, `Bearer sk-${expired}`)).json.error.message).toMatch(/^该令牌已过期/);
    const exhausted = await token({ userId: s.seed.userId, status: 4 });
    const ex = await probe(relay.url, `Bearer sk-${exhausted}`);
    expect(ex.status).toBe(401);
    expect(ex.json.error.message).toContain(`该令牌额度已用尽 TokenStatusExhausted[sk-${exhausted.slice(0, 3)}***${exhausted.slice(-3)}]`);

    const past = await insertToken(s.db, { userId: s.seed.userId, expiredTime: Math.floor(Date.now() / 1000) - 60 });
    expect((await probe(relay.url, `Bearer sk-${past.key}`)).json.error.message).toMatch(/^该令牌已过期/);
    const empty = await insertToken(s.db, { userId: s.seed.userId, remainQuota: 0, unlimitedQuota: false });
    const e = await probe(relay.url, `Bearer sk-${empty.key}`);
    expect(e.json.error.message).toContain(`[sk-${empty.key.slice(0, 3)}***${empty.key.slice(-3)}] 该令牌额度已用尽 !token.UnlimitedQuota && token.RemainQuota = 0`);
    // Without Redis the relay stores what it computed.
    const rows = await s.db.query<{ id: number; status: number }>('SELECT id, status FROM tokens WHERE id IN (?, ?) ORDER BY id', [past.id, empty.id]);
    expect(rows.map((r) => Number(r.status))).toEqual([3, 4]);
  });

  it('owner soft-deleted: 500 record not found; owner banned: 403', async () => {
    const orphan = await token({ userId: s.seed.deletedUserId });
    const r = await probe(relay.url, `Bearer sk-${orphan}`);
    expect(r.status).toBe(500);
    expect(r.json.error).toMatchObject({ type: 'new_api_error', code: '' });
    expect(r.json.error.message).toMatch(/^record not found \(request id: /);

    const [banned] = await s.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'banned-eve'");
    const b = await probe(relay.url, `Bearer sk-${await token({ userId: Number(banned!.id) })}`);
    expect(b.status).toBe(403);
    expect(b.json.error.message).toMatch(/^用户已被封禁/);
  });

  it('group checks: not usable, not in GroupRatio, empty group falls back to the user group', async () => {
    const svip = await token({ userId: s.seed.userId, group: 'svip' });
    const a = await probe(relay.url, `Bearer sk-${svip}`);
    expect(a.status).toBe(403);
    expect(a.json.error.message).toMatch(/^令牌分组 svip 已被禁用 \(request id: /);

    const vip2 = await token({ userId: s.seed.userId, group: 'vip2' });
    const b = await probe(relay.url, `Bearer sk-${vip2}`);
    expect(b.status).toBe(403);
    expect(b.json.error.message).toMatch(/^分组 vip2 已被弃用/);

    const uid = await insertUser(s.db, { group: 'studio-old' });
    const fallback = await token({ userId: uid, group: '' });
    const c = await probe(relay.url, `Bearer sk-${fallback}`);
    expect(c.status).toBe(503);
    expect(c.json.error).toMatchObject({ type: 'new_api_error', code: 'model_not_found' });
    expect(c.json.error.message).toMatch(/^分组 studio-old 下模型 runway 无可用渠道（distributor） \(request id: /);
  });

  it('channel pin: refused for a common user, honoured for an admin, 400 for an unknown id', async () => {
    const pinned = await probe(relay.url, `Bearer sk-${s.seed.tokenKey}-${s.seed.channelId}`);
    expect(pinned.status).toBe(403);
    expect(pinned.json.error.message).toMatch(/^普通用户不支持指定渠道/);

    const root = await token({ userId: s.seed.userIds[0]!, group: 'default' });
    // Channel 5 is disabled: the pin checks the row's status.
    expect((await probe(relay.url, `Bearer sk-${root}-5`)).json.error.message).toMatch(/^该渠道已被禁用/);
    expect((await probe(relay.url, `Bearer sk-${root}-99`)).status).toBe(400);
    const ok = await probe(relay.url, `Bearer sk-${root}-${s.seed.channelId}`, 'anything-unlisted');
    expect(ok.status).toBe(500);
    expect(ok.json.error.code).toBe('invalid_request');
  });

  it('BF reads the key from x-ptoken when Authorization is absent', async () => {
    const r = await call(relay.url, '/v1/chat/completions', { headers: { 'x-ptoken': `sk-${s.seed.tokenKey}` }, body: { model: 'runway' } });
    expect(r.status).toBe(500);
    expect(r.json.error.code).toBe('invalid_request');
  });

  it('token model limits refuse the routing model by name', async () => {
    const limited = await token({ userId: s.seed.userId, modelLimitsEnabled: true, modelLimits: 'kling,pika' });
    const r = await call(relay.url, '/runwayml/v1/image_to_video', { headers: { Authorization: `Bearer sk-${limited}` }, body: {} });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/^该令牌无权访问模型 runway/);
    expect(s.upstream.calls.count).toBe(0);
  });
});

describeEngines('sandbox TokenAuth (new-api 0.9.16)', (engine) => {
  let s: Scene;
  let relay: RelayHandle;
  beforeAll(async () => {
    s = await scene(engine, 'na-0.9.16');
    relay = await s.relay();
  });
  afterAll(async () => s?.close());

  it('words the unusable group the newer way and ignores x-ptoken', async () => {
    const { key } = await insertToken(s.db, { userId: s.seed.userId, group: 'svip' });
    const r = await probe(relay.url, `Bearer sk-${key}`);
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/^无权访问 svip 分组 \(request id: /);
    const p = await call(relay.url, '/v1/chat/completions', { headers: { 'x-ptoken': `sk-${s.seed.tokenKey}` }, body: { model: 'gpt-4o-mini' } });
    expect(p.status).toBe(401);
    expect(p.json.error.message).toMatch(/^未提供令牌/);
  });
});
