// The Bltcy passthrough through the sandbox relay and the scripted upstream: what is forwarded,
// what comes back (two request ids), its own errors, Go's transport errors, retries and billing.

import net from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { RelayHandle } from '../../src/sandbox/index.js';
import { describeEngines } from '../support/engines.js';
import { call, scene, type Scene } from './fixture.js';

const PATH = '/runwayml/v1/image_to_video';

describeEngines('sandbox passthrough', (engine) => {
  let s: Scene;
  let relay: RelayHandle;
  let lines: string[] = [];
  const q = (id: string) => s.db.dialect.q(id);
  const post = (path = PATH, more: Record<string, string> = {}, body: unknown = { model: 'gen4_turbo', promptImage: 'https://example.invalid/a.png' }) =>
    call(relay.url, path, { headers: { Authorization: s.auth, ...more }, body });
  const setChannel = (col: string, value: unknown) => s.db.query(`UPDATE channels SET ${q(col)} = ? WHERE id = ?`, [value, s.seed.channelId]);

  beforeAll(async () => {
    s = await scene(engine);
    relay = await s.relay({ headerTimeoutMs: 400, log: (l) => lines.push(l) });
  });
  afterEach(async () => {
    s.upstream.setMode('ok', { key: s.channelKey, delayMs: 0, cors: false });
    s.upstream.calls.reset();
    relay.requests.reset();
    lines = [];
    await setChannel('base_url', s.upstream.url);
    await setChannel('key', s.channelKey);
  });
  afterAll(async () => s?.close());

  it('forwards base_url + path + query with the channel key and the client headers; bills the submit', async () => {
    const before = await s.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE type = 2');
    const r = await call(relay.url, `${PATH}?trace=1`, { headers: { Authorization: s.auth, 'X-Client-Trace': 'abc', Origin: 'https://app.example' }, body: { model: 'gen4_turbo' } });
    expect(r.status).toBe(200);
    const ids = r.headers.get('x-oneapi-request-id')!.split(', ');
    expect(ids).toHaveLength(2);
    expect(ids[1]).toMatch(/^B/);
    expect(ids[0]).not.toMatch(/^B/);
    const c = s.upstream.calls.last[0]!;
    expect(c).toMatchObject({ method: 'POST', path: `${PATH}?trace=1`, keyMatched: true });
    expect(c.headers['x-client-trace']).toBe('abc');
    expect(c.headers.origin).toBe('https://app.example');
    expect(JSON.parse(c.body)).toEqual({ model: 'gen4_turbo' });
    // The client's own relay token never reaches the upstream as Authorization.
    expect(c.headers.authorization).toBe('Bearer ***');
    expect(relay.requests.billing).toHaveLength(1);
    expect(relay.requests.billing[0]).toMatchObject({ model: 'runway', quota: 1000, source: 'base', channelId: s.seed.channelId });
    const after = await s.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM logs WHERE type = 2');
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n) + 1);
    const [log] = await s.db.query<{ content: string }>('SELECT content FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1');
    expect(log!.content).toBe('Bltcy透传（runway/runway），价格: $0.0000, 配额: 1000, 来源: base');
    expect(lines).toContain(`[DEBUG Bltcy] Method: POST, targetURL: ${s.upstream.url}${PATH}?trace=1, bodyLen: 22`);
  });

  it('an upstream 500 passes through verbatim with two request ids, and is billed', async () => {
    s.upstream.setMode('5xx');
    const r = await post();
    expect(r.status).toBe(500);
    const [own, theirs] = r.headers.get('x-oneapi-request-id')!.split(', ');
    expect(r.json.error.message).toContain(`(request id: ${theirs})`);
    expect(r.json.error.message).not.toContain(own!);
    expect(relay.requests.billing).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('[WARN Bltcy] POST/PUT request returned 5xx error: status=500'))).toBe(true);
  });

  it('GET polls retry a 5xx three times and are never billed; POST /feed is a poll too', async () => {
    s.upstream.setMode('5xx');
    const r = await call(relay.url, '/runway/v1/tasks/task-1', { headers: { Authorization: s.auth } });
    expect(r.status).toBe(500);
    expect(s.upstream.calls.count).toBe(3);
    expect(relay.requests.upstreamCalls).toBe(3);
    s.upstream.setMode('ok');
    const feed = await post('/runway/v1/feed', {}, { ids: ['t'] });
    expect(feed.status).toBe(200);
    expect(relay.requests.billing).toEqual([]);
  });

  it('an upstream slower than the header timeout: 500 request_failed with Go text', async () => {
    s.upstream.setMode('slow', { delayMs: 1200 });
    const t0 = Date.now();
    const r = await post();
    expect(Date.now() - t0).toBeLessThan(1100);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({
      code: 'request_failed',
      message: `转发请求到旧网关失败: failed to send request to legacy gateway: Post "${s.upstream.url}${PATH}": net/http: timeout awaiting response headers`,
      data: null,
    });
    expect(relay.requests.billing).toEqual([]);
  });

  it('reset, refused, truncated, scheme-less: the transport errors', async () => {
    s.upstream.setMode('reset');
    const reset = await post();
    expect(reset.json.code).toBe('request_failed');
    expect(reset.json.message).toMatch(/: (read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: read: connection reset by peer|EOF)$/);

    const closed = net.createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', () => res()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((res) => closed.close(() => res()));
    await setChannel('base_url', `http://127.0.0.1:${port}`);
    const refused = await post();
    expect(refused.json.message).toBe(`转发请求到旧网关失败: failed to send request to legacy gateway: Post "http://127.0.0.1:${port}${PATH}": dial tcp 127.0.0.1:${port}: connect: connection refused`);

    await setChannel('base_url', s.upstream.url);
    s.upstream.setMode('truncate');
    const cut = await post();
    expect(cut.status).toBe(500);
    expect(cut.json).toEqual({ code: 'response_processing_failed', message: '处理响应失败: failed to read response body: unexpected EOF', data: null });

    await setChannel('base_url', 'legacy-gateway.example');
    const scheme = await post();
    expect(scheme.json.message).toBe(`转发请求到旧网关失败: failed to send request to legacy gateway: Post "legacy-gateway.example${PATH}": unsupported protocol scheme ""`);
  });

  it("the passthrough's own checks: invalid_base_url, no_available_key", async () => {
    await setChannel('base_url', null);
    expect((await post()).json).toEqual({ code: 'invalid_base_url', message: '渠道 BaseURL 未配置，请在渠道设置中配置旧网关地址', data: null });
    await setChannel('base_url', '');
    expect((await post()).json.code).toBe('invalid_base_url');
    await setChannel('base_url', s.upstream.url);
    await setChannel('key', '');
    const r = await post();
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ code: 'no_available_key', message: '该渠道没有可用的密钥', data: null });
    expect(s.upstream.calls.count).toBe(0);
  });

  it('multi-key channel with every key disabled falls back to the first key', async () => {
    const info = JSON.stringify({ is_multi_key: true, multi_key_size: 2, multi_key_status_list: { '0': 3, '1': 3 }, multi_key_polling_index: 0, multi_key_mode: 'random' });
    await setChannel('key', `${s.channelKey}\nsk-second-key`);
    await setChannel('channel_info', engine === 'sqlite' ? Buffer.from(info) : info);
    try {
      const r = await post();
      expect(r.status).toBe(200);
      expect(s.upstream.calls.last[0]!.keyMatched).toBe(true);
    } finally {
      await setChannel('channel_info', engine === 'sqlite' ? Buffer.from('{"is_multi_key":false}') : '{"is_multi_key":false}');
    }
  });

  it('upstream answers pass through whatever they are: 401, HTML, the gateway no-channel 503', async () => {
    await setChannel('key', 'sk-wrong');
    const denied = await post();
    expect(denied.status).toBe(401);
    expect(denied.json.error.message).toMatch(/^无效的令牌 \(request id: B/);
    await setChannel('key', s.channelKey);
    s.upstream.setMode('html');
    const html = await post();
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    s.upstream.setMode('no-channel');
    const nc = await post();
    expect(nc.status).toBe(503);
    expect(nc.json.error.message).toMatch(/^当前分组 default 下对于模型 runway 无可用渠道/);
  });

  it('upstream CORS headers are dropped (an older build would send them twice)', async () => {
    s.upstream.setMode('ok', { cors: true });
    const r = await post(PATH, { Origin: 'https://app.example' });
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const old = await s.relay({ stripUpstreamCors: false });
    const r2 = await call(old.url, PATH, { headers: { Authorization: s.auth, Origin: 'https://app.example' }, body: {} });
    expect(r2.headers.get('access-control-allow-origin')).toBe('*, *');
  });

  it('Kling: the original path is forwarded, the body re-serialised with sorted keys, billed on model_name', async () => {
    const r = await call(relay.url, '/kling/v1/videos/text2video', { headers: { Authorization: s.auth }, body: { prompt: 'a cat', model_name: 'kling-v1-6', duration: '5' } });
    expect(r.status).toBe(200);
    const c = s.upstream.calls.last[0]!;
    expect(c.path).toBe('/kling/v1/videos/text2video');
    expect(c.body).toBe('{"duration":"5","model_name":"kling-v1-6","prompt":"a cat"}');
    expect(relay.requests.billing[0]).toMatchObject({ model: 'kling-v1-6', source: 'base', quota: 1000 });
    const poll = await call(relay.url, '/kling/v1/videos/text2video/task-9', { headers: { Authorization: s.auth } });
    expect(poll.status).toBe(200);
    expect(relay.requests.billing).toHaveLength(1);
  });
});

describeEngines('sandbox passthrough: unreadable channel row', (engine) => {
  let s: Scene;
  beforeAll(async () => {
    s = await scene(engine);
  });
  afterAll(async () => s?.close());

  it('SQLite channel_info stored as text: the cache routes, the re-read fails with the scan error', async () => {
    if (engine !== 'sqlite') return; // PostgreSQL and MySQL hand json over as bytes: no scan error there
    await s.db.query('UPDATE channels SET channel_info = ? WHERE id = ?', ['{"is_multi_key":false}', s.seed.channelId]);
    const relay = await s.relay({ env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    const probe = await call(relay.url, '/v1/chat/completions', { headers: { Authorization: s.auth }, body: { model: 'runway' } });
    expect(probe.json.error.code).toBe('invalid_request');
    const cols = await s.db.query<{ name: string }>("SELECT name FROM pragma_table_info('channels')");
    const idx = cols.findIndex((c) => c.name === 'channel_info');
    const r = await call(relay.url, PATH, { headers: { Authorization: s.auth }, body: {} });
    expect(r.json).toEqual({ code: 'get_channel_failed', message: `获取渠道失败: sql: Scan error on column index ${idx}, name "channel_info": unexpected end of JSON input`, data: null });
  });
});
