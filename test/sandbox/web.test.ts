// What the sandbox relay answers outside the relay chain: the web page for unknown paths, 404 JSON
// under /v1 and /api, trailing-slash redirects, CORS preflights, /api/status, /v1/models, and the
// console lines it writes.

import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setOption } from '../../src/sample/rows.js';
import type { RelayHandle } from '../../src/sandbox/index.js';
import { describeEngines } from '../support/engines.js';
import { call, scene, type Scene } from './fixture.js';

describeEngines('sandbox web routes', (engine) => {
  let s: Scene;
  let relay: RelayHandle;
  const lines: string[] = [];
  beforeAll(async () => {
    s = await scene(engine);
    relay = await s.relay({ log: lines });
  });
  afterAll(async () => s?.close());

  it('unknown paths get the web page (200 HTML); unknown /v1 and /api paths 404 JSON', async () => {
    const page = await call(relay.url, '/runwayml-typo/v1/image_to_video', { headers: { Authorization: s.auth }, body: {} });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.text).toMatch(/^<!doctype html>/);
    expect(page.headers.get('x-oneapi-request-id')).toMatch(/^\d{14}\d{1,9}[0-9A-Za-z]{8}$/);
    // A POST-only route asked with GET falls through to the page as well.
    expect((await call(relay.url, '/suno/generate')).headers.get('content-type')).toMatch(/^text\/html/);

    const v1 = await call(relay.url, '/v1/video/unknown', { body: {} });
    expect(v1.status).toBe(404);
    expect(v1.json).toEqual({ error: { message: 'Invalid URL (POST /v1/video/unknown)', type: 'invalid_request_error', param: '', code: '' } });
    expect((await call(relay.url, '/api/nothing')).status).toBe(404);
  });

  it('trailing slashes redirect (307 for POST, 301 for GET); preflights answer 204', async () => {
    const post = await call(relay.url, '/v1/chat/completions/?a=1', { headers: { Authorization: s.auth }, body: { model: 'runway' } });
    expect(post.status).toBe(307);
    expect(post.headers.get('location')).toBe('/v1/chat/completions?a=1');
    const get = await call(relay.url, '/v1/models/');
    expect(get.status).toBe(301);
    expect(get.headers.get('location')).toBe('/v1/models');
    const wildcard = await call(relay.url, '/runwayml', { headers: { Authorization: s.auth }, body: {} });
    expect(wildcard.status).toBe(307);
    expect(wildcard.headers.get('location')).toBe('/runwayml/');
    const pre = await call(relay.url, '/runwayml/v1/image_to_video', { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('/api/status tells the product and the start time; SystemName overrides the name after a sync', async () => {
    const st = await call(relay.url, '/api/status');
    expect(st.json).toMatchObject({ success: true, data: { version: '', start_time: relay.startTime, system_name: 'API Gateway' } });
    expect(Math.abs(relay.startTime - Date.now() / 1000)).toBeLessThan(60);
    await setOption(s.db, 'SystemName', 'Studio Relay');
    await relay.nextSync();
    expect((await call(relay.url, '/api/status')).json.data.system_name).toBe('Studio Relay');
    await setOption(s.db, 'SystemName', 'API Gateway');
  });

  it('/v1/models lists the enabled abilities of the using group', async () => {
    const r = await call(relay.url, '/v1/models', { headers: { Authorization: s.auth } });
    expect(r.status).toBe(200);
    expect(r.json.data.map((m: { id: string }) => m.id).sort()).toEqual(['gpt-4o', 'gpt-4o-mini', 'kling', 'pika', 'runway', 'suno']);
    expect((await call(relay.url, '/v1/models')).status).toBe(401);
  });

  it('counts requests per route and writes the documented console lines', async () => {
    const before = relay.requests.byRoute['GET /api/status'] ?? 0;
    await call(relay.url, '/api/status');
    expect(relay.requests.byRoute['GET /api/status']).toBe(before + 1);
    expect(relay.requests.byRoute.web).toBeGreaterThanOrEqual(2);
    expect(relay.requests.byRoute['404']).toBeGreaterThanOrEqual(2);
    await call(relay.url, '/v1/chat/completions', { body: { model: 'runway' } });
    const gin = lines.filter((l) => l.startsWith('[GIN]'));
    expect(gin.length).toBe(relay.requests.total);
    expect(gin.some((l) => /^\[GIN\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d \| \d+[0-9A-Za-z]{8} \| 401 \| +\S+ \| +127\.0\.0\.1 \| +POST \/v1\/chat\/completions$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[ERR\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d \| \d+[0-9A-Za-z]{8} \| user 0 \| 未提供令牌 $/.test(l))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^\[SYS\] .* \| REDIS_CONN_STRING not set, Redis is not enabled $/));
    expect(lines.join('\n')).not.toContain(s.seed.tokenKey);
    expect(lines.join('\n')).not.toContain(s.channelKey);
  });

  it('a stream works as the log sink too', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(c, _e, cb) {
        chunks.push(String(c));
        cb();
      },
    });
    const r = await s.relay({ log: sink });
    await call(r.url, '/api/status');
    await r.stop();
    expect(chunks.join('')).toMatch(/\[GIN\] .* \| 200 \| .* GET \/api\/status\n/);
  });

  it('an older build without a route answers its web page there; the other routes still work', async () => {
    const old = await s.relay({ omitRoutes: ['/runwayml/*path'] });
    const page = await call(old.url, '/runwayml/v1/image_to_video', { headers: { Authorization: s.auth }, body: {} });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(old.requests.byRoute.web).toBe(1);
    const runway = await call(old.url, '/runway/v1/image_to_video', { body: {} });
    expect(runway.status).toBe(401);
    expect(s.upstream.calls.count).toBe(0);
  });
});
