// The normal relay routes of the sandbox: a real chat call through an OpenAI-type channel to the
// scripted upstream, upstream errors, the price check, and a network failure.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertChannel, setOption } from '../../src/sample/rows.js';
import type { RelayHandle } from '../../src/sandbox/index.js';
import { describeEngines } from '../support/engines.js';
import { call, scene, type Scene } from './fixture.js';

describeEngines('sandbox relay routes', (engine) => {
  let s: Scene;
  let relay: RelayHandle;
  const chat = (model: string) => call(relay.url, '/v1/chat/completions', { headers: { Authorization: s.auth }, body: { model, messages: [{ role: 'user', content: 'hi' }] } });

  beforeAll(async () => {
    s = await scene(engine);
    await insertChannel(s.db, { type: 1, models: 'chat-ok,chat-unpriced', group: 'default', baseUrl: s.upstream.url, key: s.channelKey });
    await insertChannel(s.db, { type: 1, models: 'chat-down', group: 'default', baseUrl: 'http://127.0.0.1:9', key: s.channelKey });
    await setOption(s.db, 'ModelRatio', { 'chat-ok': 1, 'chat-down': 1 });
    relay = await s.relay();
  });
  afterAll(async () => s?.close());

  it('relays a valid chat request to the channel with its key and passes the answer', async () => {
    const r = await chat('chat-ok');
    expect(r.status).toBe(200);
    expect(s.upstream.calls.last.at(-1)).toMatchObject({ method: 'POST', path: '/v1/chat/completions', keyMatched: true });
    expect(relay.requests.upstreamCalls).toBe(1);
  });

  it('an upstream error comes back as a relay error carrying the relay request id', async () => {
    s.upstream.setMode('5xx');
    try {
      const r = await chat('chat-ok');
      expect(r.status).toBe(500);
      const rid = r.headers.get('x-oneapi-request-id')!;
      expect(rid.split(',')).toHaveLength(1);
      expect(r.json.error.message).toMatch(new RegExp(`^upstream error: do request failed \\(request id: B\\S+\\) \\(request id: ${rid}\\)$`));
      expect(r.json.error.code).toBe('do_request_failed');
    } finally {
      s.upstream.setMode('ok');
    }
  });

  it('an unpriced model fails after selection with model_price_error; a dead base URL with do_request_failed', async () => {
    const calls = s.upstream.calls.count;
    const p = await chat('chat-unpriced');
    expect(p.status).toBe(500);
    expect(p.json.error.code).toBe('model_price_error');
    expect(p.json.error.message).toMatch(/^模型 chat-unpriced 倍率或价格未配置/);
    expect(s.upstream.calls.count).toBe(calls);
    const d = await chat('chat-down');
    expect(d.status).toBe(500);
    expect(d.json.error).toMatchObject({ type: 'new_api_error', code: 'do_request_failed' });
    expect(d.json.error.message).toMatch(/^upstream error: do request failed \(request id: /);
  });
});
