// The scripted upstream answered over real HTTP on loopback, mode by mode.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startUpstream, type UpstreamHandle } from '../../src/sandbox/index.js';
import { call } from './fixture.js';

const KEY = 'sk-upstream-test-key-0001';

describe('sandbox upstream', () => {
  let up: UpstreamHandle | undefined;
  afterEach(async () => {
    await up?.close();
    up = undefined;
  });

  it('ok: a JSON task with its own B-prefixed request id, and the call is recorded with the key hidden', async () => {
    up = await startUpstream({ key: KEY });
    const r = await call(up.url, '/runwayml/v1/image_to_video?x=1', { headers: { Authorization: `Bearer ${KEY}`, 'X-Ptoken': 'user-secret' }, body: { model: 'gen4_turbo' } });
    expect(r.status).toBe(200);
    expect(typeof r.json.id).toBe('string');
    expect(r.headers.get('x-oneapi-request-id')).toMatch(/^B\d{14}\d{1,9}[0-9A-Za-z]{8}$/);
    expect(up.calls.count).toBe(1);
    const c = up.calls.last[0]!;
    expect(c).toMatchObject({ method: 'POST', path: '/runwayml/v1/image_to_video?x=1', keyMatched: true, mode: 'ok' });
    expect(JSON.parse(c.body)).toEqual({ model: 'gen4_turbo' });
    expect(JSON.stringify(c.headers)).not.toContain(KEY);
    expect(JSON.stringify(c.headers)).not.toContain('user-secret');
    expect(c.headers.authorization).toBe('Bearer ***');
    expect(up.calls.byPath['/runwayml/v1/image_to_video']).toBe(1);
  });

  it('answers 401 to a wrong key in every mode, and mode 401 to everyone', async () => {
    up = await startUpstream({ key: KEY, mode: '5xx' });
    const wrong = await call(up.url, '/runway/v1/tasks', { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toMatch(/^无效的令牌 \(request id: B/);
    expect(up.calls.last[0]!.keyMatched).toBe(false);
    up.setMode('401');
    expect((await call(up.url, '/runway/v1/tasks', { headers: { Authorization: `Bearer ${KEY}` } })).status).toBe(401);
  });

  it('5xx: a legacy-gateway 500 whose message carries the gateway request id', async () => {
    up = await startUpstream({ mode: '5xx' });
    const r = await call(up.url, '/runwayml/v1/image_to_video', { body: {} });
    expect(r.status).toBe(500);
    expect(r.json.error.type).toBe('new_api_error');
    const rid = r.headers.get('x-oneapi-request-id')!;
    expect(r.json.error.message).toContain(`(request id: ${rid})`);
  });

  it('html, no-channel, cors and the model list', async () => {
    up = await startUpstream({ mode: 'html' });
    const html = await call(up.url, '/runwayml/v1/x', { body: {} });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('<!doctype html>');

    up.setMode('no-channel');
    const nc = await call(up.url, '/pika/generate', { body: {} });
    expect(nc.status).toBe(503);
    expect(nc.json.error.message).toMatch(/^当前分组 default 下对于模型 pika 无可用渠道 \(request id: B/);

    up.setMode('cors');
    const cors = await call(up.url, '/runway/v1/x', { body: {} });
    expect(cors.headers.get('access-control-allow-origin')).toBe('*, *');

    const models = await call(up.url, '/v1/models');
    expect(models.status).toBe(200);
    expect(models.json.data.map((m: { id: string }) => m.id)).toContain('runway');
  });

  it('slow waits before the headers; setMode changes the delay', async () => {
    up = await startUpstream({ mode: 'slow', delayMs: 300 });
    const t0 = Date.now();
    const r = await call(up.url, '/runway/v1/x', { body: {} });
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    up.setMode('ok', { delayMs: 0 });
    const t1 = Date.now();
    await call(up.url, '/runway/v1/x', { body: {} });
    expect(Date.now() - t1).toBeLessThan(250);
  });

  it('reset tears the connection down; truncate closes mid-body', async () => {
    up = await startUpstream({ mode: 'reset' });
    await expect(call(up.url, '/runway/v1/x', { body: {} })).rejects.toThrow();
    expect(up.calls.count).toBe(1);

    up.setMode('truncate');
    const { port } = new URL(up.url);
    // A raw client sees the promised Content-Length and fewer bytes before the close.
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(Number(port), '127.0.0.1', () => s.write('GET /runway/v1/x HTTP/1.1\r\nHost: x\r\n\r\n'));
      let buf = '';
      s.on('data', (d) => (buf += d.toString()));
      s.on('close', () => resolve(buf));
    });
    expect(got).toContain('Content-Length: 4096');
    expect(got.split('\r\n\r\n')[1]!.length).toBeLessThan(4096);
  });
});
