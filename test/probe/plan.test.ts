import { describe, expect, it } from 'vitest';
import { probeOptionsFrom } from '../../src/commands/probe-upstream.js';
import { isPassthrough, planChannel, safeRoutePath } from '../../src/probe/plan.js';
import { routeFor } from '../../src/relay/routes.js';
import { UsageError } from '../../src/types.js';
import { channel } from '../support/snapshot.js';

// The outbound request as the relay builds it (RB §3.7, §3.8, §10.3): URL, key(s), which probes.

const BF = { product: 'bltcy' as const, build: 'BF' as const, probeId: 'relay-doctor-probe-abcd1234' };
const RUNWAY = '/runwayml/v1/image_to_video';
const route = routeFor('bltcy', 'POST', RUNWAY);
const urls = (p: ReturnType<typeof planChannel>) => p.probes.map((x) => `${x.request.kind} ${x.request.method} ${x.request.url}`);

describe('target URL', () => {
  it('passthrough: base_url + the original path with its prefix; safe mode looks up a task that cannot exist', () => {
    const p = planChannel(channel({ id: 8, type: 55, baseUrl: 'https://legacy.example.com', models: 'runway' }), { ...BF, path: RUNWAY, method: 'POST', route, model: 'runway' });
    expect(urls(p)).toEqual(['models GET https://legacy.example.com/v1/models', 'route GET https://legacy.example.com/runwayml/v1/tasks/relay-doctor-probe-abcd1234']);
    expect(p.probes[0]!.request).toMatchObject({ expectModels: ['runway'], targetModel: 'runway', passthrough: true });
  });

  it('no slash clean-up: a trailing slash gives "//", a path is prepended as is', () => {
    const slash = planChannel(channel({ id: 8, type: 55, baseUrl: 'https://legacy.example.com/' }), { ...BF, path: RUNWAY, route });
    expect(urls(slash)[1]).toBe('route GET https://legacy.example.com//runwayml/v1/tasks/relay-doctor-probe-abcd1234');
    const live = planChannel(channel({ id: 8, type: 55, baseUrl: 'https://legacy.example.com/v1' }), { ...BF, path: `${RUNWAY}?trace=1`, method: 'POST', route, live: { body: '{}' } });
    expect(urls(live)).toEqual(['live POST https://legacy.example.com/v1/runwayml/v1/image_to_video?trace=1']);
    expect(live.probes[0]!.request.headers).toEqual({ 'content-type': 'application/json' });
  });

  it("an empty base_url falls back to the type's default host; none for the passthrough", () => {
    const mm = planChannel(channel({ id: 3, type: 35, baseUrl: '' }), { ...BF });
    expect(mm.baseUrl).toBe('https://api.minimax.chat');
    const none = planChannel(channel({ id: 8, type: 55, baseUrl: '' }), { ...BF, path: RUNWAY, route });
    expect(none.probes).toEqual([]);
    expect(none.skipped.map((f) => f.code)).toEqual(['UPSTREAM_PROBE_SKIPPED']);
    expect(none.skipped[0]!.message).toMatch(/invalid_base_url/);
    const openai = planChannel(channel({ id: 1, type: 1, baseUrl: '' }), { product: 'new-api', build: 'NA-main' });
    expect(urls(openai)).toEqual(['models GET https://api.openai.com/v1/models']);
  });

  it('a type beyond the table with an empty base_url, or a base_url without scheme, is not probed', () => {
    expect(planChannel(channel({ id: 9, type: 99, baseUrl: '' }), BF).skipped[0]!.message).toMatch(/panics/);
    expect(planChannel(channel({ id: 9, type: 55, baseUrl: 'legacy.example.com' }), BF).skipped[0]!.message).toMatch(/unsupported protocol scheme/);
  });

  it('RelayBltcy forwards through any channel type (type 35 on /minimax)', () => {
    const r = routeFor('bltcy', 'POST', '/minimax/v1/video_generation');
    const p = planChannel(channel({ id: 4, type: 35, baseUrl: 'https://legacy.example.com' }), { ...BF, path: '/minimax/v1/video_generation', route: r });
    expect(isPassthrough(channel({ id: 4, type: 35 }), 'bltcy', r)).toBe(true);
    expect(urls(p)).toContain('route GET https://legacy.example.com/minimax/v1/query/video_generation?task_id=relay-doctor-probe-abcd1234');
  });

  it('a non-passthrough route probes the model list only, with model_mapping applied', () => {
    const r = routeFor('bltcy', 'POST', '/v1/chat/completions');
    const p = planChannel(channel({ id: 1, type: 1, modelMapping: '{"gpt-4o-mini":"gpt-4o-mini-2024-07-18"}' }), { ...BF, path: '/v1/chat/completions', route: r, model: 'gpt-4o-mini' });
    expect(urls(p)).toEqual(['models GET https://api.example.com/v1/models']);
    expect(p.probes[0]!.request).toMatchObject({ targetModel: 'gpt-4o-mini-2024-07-18', passthrough: false });
  });

  it('types that do not take a Bearer key: transport only, no key sent', () => {
    const p = planChannel(channel({ id: 2, type: 14, baseUrl: 'https://api.anthropic.com' }), BF);
    expect(urls(p)).toEqual(['reach GET https://api.anthropic.com/']);
    expect(p.probes[0]!.request.key).toBeUndefined();
  });
});

describe('keys', () => {
  const multi = (status: Record<string, number>) => JSON.stringify({ is_multi_key: true, multi_key_size: 3, multi_key_status_list: status, multi_key_mode: 'random' });
  const keys = 'sk-firstKEY000000000000001\nsk-secondKEY00000000000002\nsk-thirdKEY000000000000003';

  it('multi-key: one probe per enabled key, shown masked', () => {
    const p = planChannel(channel({ id: 8, type: 55, key: keys, channelInfo: multi({ '1': 2 }) }), BF);
    expect(p.probes.map((x) => [x.keyIndex, x.keyMasked])).toEqual([
      [0, 'sk-firs…0001'],
      [2, 'sk-thir…0003'],
    ]);
    expect(p.probes[1]!.request.key!.reveal()).toBe('sk-thirdKEY000000000000003');
    expect(JSON.stringify(p)).not.toContain('sk-thirdKEY000000000000003');
  });

  it('every key disabled: BF falls back to the first', () => {
    const p = planChannel(channel({ id: 8, type: 55, key: keys, channelInfo: multi({ '0': 2, '1': 2, '2': 2 }) }), BF);
    expect(p.probes.map((x) => x.keyIndex)).toEqual([0]);
  });

  it('no key, or a single key holding line breaks, is not sent', () => {
    expect(planChannel(channel({ id: 8, type: 55, key: '' }), BF).skipped[0]!.message).toMatch(/no_available_key/);
    const lines = planChannel(channel({ id: 8, type: 55, key: 'sk-aaaaaaaaaaaa\nsk-bbbbbbbbbbbb' }), BF);
    expect(lines.probes).toEqual([]);
    expect(lines.skipped[0]!.message).toMatch(/line break/);
  });
});

describe('safe task lookups per prefix', () => {
  const id = 'relay-doctor-probe-x';
  it.each([
    ['/runway/v1/image_to_video', '/runway/v1/tasks/relay-doctor-probe-x'],
    ['/pika/generate/2.2/t2v', '/pika/v1/tasks/relay-doctor-probe-x'],
    ['/kling/v1/videos/text2video', '/kling/v1/videos/text2video/relay-doctor-probe-x'],
    ['/suno/generate', '/suno/fetch/relay-doctor-probe-x'],
    ['/v1/videos', '/v1/videos/relay-doctor-probe-x'],
    ['/tripo/task', '/tripo/task/relay-doctor-probe-x'],
  ])('POST %s → GET %s', (path, expected) => {
    expect(safeRoutePath(path, 'POST', id).path).toBe(expected);
  });

  it('a GET is probed as it is, with its query', () => {
    expect(safeRoutePath('/runwayml/v1/tasks/abc?x=1', 'GET', id).path).toBe('/runwayml/v1/tasks/abc?x=1');
  });
});

describe('command options', () => {
  it('--timeout caps every phase; defaults keep the header wait well below the relay\'s 60 s', () => {
    expect(probeOptionsFrom({}).timeouts).toEqual({ dnsMs: 5000, connectMs: 10000, tlsMs: 10000, headersMs: 20000, bodyMs: 20000 });
    expect(probeOptionsFrom({ timeout: '2' }).timeouts).toEqual({ dnsMs: 2000, connectMs: 2000, tlsMs: 2000, headersMs: 2000, bodyMs: 2000 });
    expect(probeOptionsFrom({ timeout: '65' }).timeouts.headersMs).toBe(65000);
    expect(probeOptionsFrom({}).slowMs).toBe(45000);
    expect(probeOptionsFrom({ slowAfter: '30', retries: '2' })).toMatchObject({ slowMs: 30000, retries: 2 });
    expect(() => probeOptionsFrom({ timeout: '0' })).toThrow(UsageError);
    expect(() => probeOptionsFrom({ retries: '-1' })).toThrow(UsageError);
  });
});
