import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, scene, type Scene } from './fixture.js';

describe('sandbox smoke', () => {
  let s: Scene;
  beforeAll(async () => {
    s = await scene('sqlite');
  });
  afterAll(async () => s?.close());

  it('answers the probe and the passthrough', async () => {
    const lines: string[] = [];
    const r = await s.relay({ log: (l) => lines.push(l), env: { SYNC_FREQUENCY: '1', MEMORY_CACHE_ENABLED: 'true' } });
    const probe = await call(r.url, '/v1/chat/completions', { headers: { Authorization: s.auth }, body: { model: 'runway' } });
    console.log(probe.status, probe.text);
    const st = await call(r.url, '/api/status');
    console.log(st.text);
    const pt = await call(r.url, '/runwayml/v1/image_to_video', { headers: { Authorization: s.auth }, body: { model: 'gen4_turbo' } });
    console.log(pt.status, pt.text, [...pt.headers.entries()]);
    const html = await call(r.url, '/nothing');
    console.log(html.status, html.headers.get('content-type'));
    console.log(lines.join('\n'));
    console.log(JSON.stringify(r.requests.byRoute), s.upstream.calls.count, r.requests.billing);
    expect(probe.status).toBe(500);
  });
});
