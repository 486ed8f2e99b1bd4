// The live checks on crafted probe results: the routing probe against the database, nodes that
// disagree, the re-probe, restarts, routes not deployed, refusals, and the Redis hashes.
import { describe, expect, it } from 'vitest';
import { redisHashes } from '../../src/checks/cache/redis-hashes.js';
import { relayRouting } from '../../src/checks/cache/relay-routing.js';
import { relayStatus } from '../../src/checks/cache/relay-status.js';
import { relayToken } from '../../src/checks/cache/relay-token.js';
import { routeDeployed } from '../../src/checks/cache/route-deployed.js';
import { cacheWindow } from '../../src/checks/cache/cache-window.js';
import type { Check } from '../../src/checks/types.js';
import { classifyAnswer } from '../../src/live/catalogue.js';
import type { Exchange, LiveFacts, NodeFacts, RedisFacts, StatusRead } from '../../src/live/types.js';
import type { TokenRow, UserRow } from '../../src/relay/model.js';
import { channel, snapshot, target, token, user } from '../support/snapshot.js';

const err = (message: string, code = '') => JSON.stringify({ error: { message, type: 'new_api_error', param: '', code } });
const OPTIONS = { GroupRatio: '{"default":1,"vip":1}', UserUsableGroups: '{"default":"默认分组","vip":"vip分组"}' };
const ch8 = channel({ id: 8, type: 55, models: 'kling,runway,suno,pika', group: 'default', baseUrl: 'https://gw.example.com', key: 'upstream-channel-key-0001' });

function probe(status: number, body: string, extra: Partial<Exchange> = {}): Exchange {
  return { purpose: 'routing-probe', method: 'POST', path: '/v1/chat/completions', at: Date.now(), ms: 3, model: 'runway', status, classification: classifyAnswer({ status, headers: {}, body }, { build: 'BF', probe: true }), ...extra };
}
const routes = () => probe(500, err('field messages is required (request id: 2025102810300012345678AbCdEfGh)', 'invalid_request'));
const none = (g = 'default') => probe(503, err(`分组 ${g} 下模型 runway 无可用渠道（distributor）`, 'model_not_found'));
const up = (startTime = 1_760_000_000): StatusRead => ({ at: Date.now(), ok: true, httpStatus: 200, version: '', startTime, systemName: 'API Gateway', productHint: 'bltcy', hints: [] });
const node = (label: string, p: Partial<NodeFacts> = {}): NodeFacts => ({ url: label, label, statusStart: up(), statusEnd: up(), ...p });

function scene(o: { live?: LiveFacts; channels?: ReturnType<typeof channel>[]; tok?: Partial<Omit<TokenRow, 'key'>>; usr?: Partial<UserRow>; env?: Record<string, string> } = {}) {
  const snap = snapshot({ env: { MEMORY_CACHE_ENABLED: 'true', SYNC_FREQUENCY: '5', ...o.env }, channels: o.channels ?? [ch8], options: OPTIONS, target: { path: '/runwayml/v1/image_to_video' }, relayUrls: ['http://a:3000'] });
  snap.live = o.live;
  const t = target(snap, { token: token({ id: 5, group: 'default', ...o.tok }), user: user({ id: 2, ...o.usr }) });
  return { snap, t };
}
const run = (check: Check, s: ReturnType<typeof scene>) => check.run({ snap: s.snap, target: s.t });
const relay = (nodes: NodeFacts[], recheck?: LiveFacts['relay'] extends infer R ? (R extends { recheck?: infer X } ? X : never) : never): LiveFacts => ({ relay: { nodes, notes: [], probeModel: 'runway', recheck } });

describe('cache/relay-routing', () => {
  it('agreement: no finding', () => {
    expect(run(relayRouting, scene({ live: relay([node('http://a:3000', { routing: routes() })]) }))).toEqual([]);
  });

  it('the node has no channel while the database routes it: CACHE_STALE_CHANNELS', () => {
    const f = run(relayRouting, scene({ live: relay([node('http://a:3000', { routing: none() })]) }));
    expect(f.map((x) => x.code)).toEqual(['CACHE_STALE_CHANNELS']);
    expect(f[0]!.message).toMatch(/http:\/\/a:3000 has no channel for runway in group "default".*routes runway in group "default" to #8/);
    expect(f[0]!.remedy?.text).toMatch(/--recheck-after 15/);
  });

  it('healed after the re-probe: stale cache confirmed', () => {
    const live = relay([node('http://a:3000', { routing: none(), recheck: routes() })], { waitedS: 6, how: '--recheck-after 6', ran: true });
    const [f] = run(relayRouting, scene({ live }));
    expect(f!.code).toBe('CACHE_STALE_CHANNELS');
    expect(f!.message).toMatch(/stale cache confirmed: healed after 6 s/);
    expect(f!.evidence?.recheck).toMatchObject({ waitedS: 6, healed: true });
  });

  it('still failing after a full sync window: not a cache problem', () => {
    const live = relay([node('http://a:3000', { routing: none(), recheck: none() })], { waitedS: 15, how: '--recheck-after 15', ran: true });
    expect(run(relayRouting, scene({ live }))[0]!.message).toMatch(/not a cache problem: still failing after a full sync window \(15 s ≥ SYNC_FREQUENCY 5 s/);
  });

  it('a re-probe shorter than the window settles nothing', () => {
    const live = relay([node('http://a:3000', { routing: none(), recheck: none() })], { waitedS: 2, how: '--recheck-after 2', ran: true });
    expect(run(relayRouting, scene({ live }))[0]!.message).toMatch(/less than SYNC_FREQUENCY \(5 s\)/);
  });

  it('the node routes where the database has no enabled channel (F29 direction)', () => {
    const disabled = channel({ ...ch8, id: 8, status: 2, key: 'upstream-channel-key-0001' });
    const f = run(relayRouting, scene({ channels: [disabled], live: relay([node('http://a:3000', { routing: routes() })]) }));
    expect(f.map((x) => x.code)).toEqual(['CACHE_STALE_CHANNELS']);
    expect(f[0]!.message).toMatch(/selects a channel.*no enabled channel.*get_channel_failed/);
  });

  it('two nodes: RELAY_NODES_DISAGREE names the stale one, first', () => {
    const f = run(relayRouting, scene({ live: relay([node('http://a:3000', { routing: routes() }), node('http://b:3000', { routing: none() })]) }));
    expect(f.map((x) => x.code)).toEqual(['RELAY_NODES_DISAGREE', 'CACHE_STALE_CHANNELS']);
    expect(f[0]!.subject).toMatchObject({ stale: ['http://b:3000'] });
    expect(f[0]!.message).toMatch(/Stale: http:\/\/b:3000/);
    expect(f[1]!.subject).toMatchObject({ node: 'http://b:3000' });
  });

  it('the node routes another group than the database gives the token: CACHE_STALE_TOKEN', () => {
    const f = run(relayRouting, scene({ env: { REDIS_CONN_STRING: 'redis://127.0.0.1:6379' }, live: relay([node('http://a:3000', { routing: none('') })]) }));
    expect(f.map((x) => x.code)).toEqual(['CACHE_STALE_TOKEN']);
    expect(f[0]!.message).toMatch(/group "" .*using group "default".*Redis token hash/);
  });

  it('the node lets a token through that the rows disable: CACHE_STALE_TOKEN', () => {
    const f = run(relayRouting, scene({ tok: { status: 2 }, live: relay([node('http://a:3000', { routing: routes() })]) }));
    expect(f.map((x) => x.code)).toEqual(['CACHE_STALE_TOKEN']);
  });

  it('performance guard', () => {
    const f = run(relayRouting, scene({ live: relay([node('http://a:3000', { routing: probe(503, err('system cpu overloaded', 'system_cpu_overloaded')) })]) }));
    expect(f.map((x) => x.code)).toEqual(['RELAY_OVERLOADED']);
  });
});

describe('cache/relay-token', () => {
  it('the node refuses a token the rows accept: the code the answer names', () => {
    const f = run(relayToken, scene({ live: relay([node('http://a:3000', { routing: probe(401, err('该令牌状态不可用')) })]) }));
    expect(f.map((x) => [x.code, x.stage])).toEqual([['TOKEN_DISABLED', 'token']]);
    expect(f[0]!.message).toMatch(/another database/);
  });
  it('no finding when the rows refuse too', () => {
    expect(run(relayToken, scene({ tok: { status: 2 }, live: relay([node('http://a:3000', { routing: probe(401, err('该令牌状态不可用')) })]) }))).toEqual([]);
  });
});

describe('cache/relay-status', () => {
  it('unreachable', () => {
    const n = node('http://a:3000', { statusStart: { at: 0, ok: false, hints: [], failure: { kind: 'refused', error: 'connection refused (connect ECONNREFUSED 127.0.0.1:3000)' } }, statusEnd: undefined, routing: { ...routes(), status: undefined, classification: undefined, failure: { kind: 'refused', error: 'connection refused' } } });
    const f = run(relayStatus, scene({ live: relay([n]) }));
    expect(f.map((x) => x.code)).toEqual(['RELAY_UNREACHABLE']);
    expect(f[0]!.message).toMatch(/cannot be reached: connection refused/);
  });
  it('start_time moved: a restart during the run', () => {
    const f = run(relayStatus, scene({ live: relay([node('http://a:3000', { routing: routes(), statusEnd: up(1_760_000_009) })]) }));
    expect(f.map((x) => x.code)).toEqual(['RELAY_CRASH_LOOP']);
  });
  it('not a relay: a web front end', () => {
    const html = probe(200, '<!doctype html><html></html>');
    const n = node('http://a:3000', { statusStart: { at: 0, ok: false, httpStatus: 200, hints: [], notStatus: 'an HTML page (status 200) instead of the status JSON' }, statusEnd: undefined, routing: html });
    expect(run(relayStatus, scene({ live: relay([n]) })).map((x) => x.code)).toEqual(['RELAY_UNREACHABLE']);
  });
  it('a route the build lacks: RELAY_BUILD_OUTDATED (warn), indirect', () => {
    const rc: Exchange = { purpose: 'route-check', method: 'POST', path: '/runwayml/v1/image_to_video', at: 0, ms: 2, status: 200, classification: classifyAnswer({ status: 200, headers: { 'content-type': ['text/html'] }, body: '<!doctype html>' }, { build: 'BF', routeKnown: true, passthrough: true }) };
    const f = run(relayStatus, scene({ live: relay([node('http://a:3000', { routing: routes(), route: rc })]) }));
    expect(f.map((x) => [x.code, x.status])).toEqual([['RELAY_BUILD_OUTDATED', 'warn']]);
    expect(f[0]!.message).toMatch(/without \/runwayml\/\*path \(added to bltcy on 2025-10-11\)/);
  });
});

describe('cache/route-deployed', () => {
  it('HTML before TokenAuth on a known route: ROUTE_NOT_DEPLOYED', () => {
    const rc: Exchange = { purpose: 'route-check', method: 'POST', path: '/runwayml/v1/image_to_video', at: 0, ms: 2, status: 200, classification: classifyAnswer({ status: 200, headers: {}, body: '<!doctype html><html></html>' }, { build: 'BF', routeKnown: true }) };
    const f = run(routeDeployed, scene({ live: relay([node('http://a:3000', { route: rc })]) }));
    expect(f.map((x) => [x.code, x.stage])).toEqual([['ROUTE_NOT_DEPLOYED', 'route']]);
  });
  it("TokenAuth's 401: deployed", () => {
    const rc: Exchange = { purpose: 'route-check', method: 'POST', path: '/runwayml/v1/image_to_video', at: 0, ms: 2, status: 401, classification: classifyAnswer({ status: 401, headers: {}, body: err('未提供令牌') }, { build: 'BF', routeKnown: true }) };
    expect(run(routeDeployed, scene({ live: relay([node('http://a:3000', { route: rc })]) }))).toEqual([]);
  });
});

describe('cache/cache-window', () => {
  it('quiet once a node answered; speaks when none did', () => {
    expect(run(cacheWindow, scene({ live: relay([node('http://a:3000', { routing: routes() })]) }))).toEqual([]);
    const down = node('http://a:3000', { statusStart: { at: 0, ok: false, hints: [], failure: { kind: 'refused', error: 'refused' } } });
    expect(run(cacheWindow, scene({ live: relay([down]) })).map((f) => f.code)).toEqual(['CACHE_WINDOW_OPEN']);
    const noToken: LiveFacts = { relay: { nodes: [node('http://a:3000')], notes: ["no --token: the zero-cost routing probe needs the caller's key"] } };
    expect(run(cacheWindow, scene({ live: noToken }))[0]!.message).toMatch(/^no node's routing view was probed \(no --token: the zero-cost routing probe needs the caller's key\)/);
  });
});

describe('cache/redis-hashes', () => {
  const HEX = 'token:' + 'a'.repeat(64);
  const redis = (p: Partial<RedisFacts>): LiveFacts => ({ redis: { ok: true, format: 'new-api', tokenLookup: 'hmac', secretFrom: 'CRYPTO_SECRET', tokenHashes: [], dbIndex: 3, ...p } });
  const tokenHash = (fields: Record<string, string>, ttl = 42) => ({ key: HEX, ttl, fields: { Id: '5', Group: 'default', Status: '1', ExpiredTime: '-1', UnlimitedQuota: 'true', ModelLimitsEnabled: 'false', ModelLimits: '', AllowIps: '', RemainQuota: '1000', Key: '', ...fields } });

  it('a matching hash: nothing', () => {
    expect(run(redisHashes, scene({ live: redis({ tokenHashes: [tokenHash({})] }) }))).toEqual([]);
  });
  it('Group "" vs "default": CACHE_STALE_TOKEN naming field, key, TTL and remedy', () => {
    const [f, ...rest] = run(redisHashes, scene({ live: redis({ tokenHashes: [tokenHash({ Group: '' })] }) }));
    expect(rest).toEqual([]);
    expect(f!.code).toBe('CACHE_STALE_TOKEN');
    expect(f!.message).toContain(`Redis hash ${HEX} (TTL 42 s) is older than tokens row #5: Group "" (Redis) vs "default" (row)`);
    expect(f!.evidence?.fields).toEqual([{ field: 'Group', redis: '', row: 'default' }]);
    expect(f!.remedy?.text).toMatch(/Wait 42 s/);
    expect(f!.remedy?.commands).toEqual([`redis-cli -n 3 DEL ${HEX}`]);
  });
  it('quota drift is not staleness; a different verdict is', () => {
    expect(run(redisHashes, scene({ tok: { unlimitedQuota: false, remainQuota: 500 }, live: redis({ tokenHashes: [tokenHash({ UnlimitedQuota: 'false', RemainQuota: '480' })] }) }))).toEqual([]);
    const f = run(redisHashes, scene({ tok: { unlimitedQuota: false, remainQuota: 500 }, live: redis({ tokenHashes: [tokenHash({ UnlimitedQuota: 'false', RemainQuota: '0' })] }) }));
    expect(f[0]!.evidence?.fields).toEqual([{ field: 'RemainQuota', redis: '0', row: '500' }]);
  });
  it('copies found by SCAN: each stale copy is named', () => {
    const f = run(redisHashes, scene({ live: redis({ tokenLookup: 'scan', secretFrom: undefined, tokenHashes: [tokenHash({ Status: '2' }), { ...tokenHash({}), key: 'token:' + 'b'.repeat(64) }] }) }));
    expect(f.map((x) => x.subject?.key)).toEqual([HEX]);
    expect(f[0]!.message).toMatch(/Status "2" \(Redis\) vs "1" \(row\)/);
    expect(f[0]!.evidence?.lookup).toMatch(/SCAN.*2 copies/);
  });
  it('user hash: CACHE_STALE_USER', () => {
    const f = run(redisHashes, scene({ live: redis({ userHash: { key: 'user:2', ttl: 17, fields: { Id: '2', Group: 'vip', Status: '1' } } }) }));
    expect(f.map((x) => x.code)).toEqual(['CACHE_STALE_USER']);
    expect(f[0]!.message).toMatch(/user:2 \(TTL 17 s\).*Group "vip" \(Redis\) vs "default" \(row\)/);
  });
  it('auth-version fence above the row: AUTH_VERSION_FENCE', () => {
    const f = run(redisHashes, scene({ usr: { authVersion: 3 }, live: redis({ authVersion: { key: 'auth:user:version:2', value: '5', ttl: -1 } }) }));
    expect(f.map((x) => x.code)).toEqual(['AUTH_VERSION_FENCE']);
    expect(f[0]!.remedy?.commands).toEqual(['redis-cli -n 3 DEL auth:user:version:2']);
  });
  it('one-api: the key name holds the raw key, so it is never printed', () => {
    const s = scene({ live: { redis: { ok: true, format: 'one-api', tokenLookup: 'one-api-key', tokenHashes: [], dbIndex: 0, oneApi: { token: { ttl: 300, json: { id: 5, status: 2, expired_time: -1, unlimited_quota: true } }, userGroup: { key: 'user_group:2', value: 'vip', ttl: 300 } } } } });
    const f = run(redisHashes, s);
    expect(f.map((x) => x.code)).toEqual(['CACHE_STALE_TOKEN', 'CACHE_STALE_USER']);
    expect(JSON.stringify(f)).not.toContain(s.t.token!.token!.key.reveal());
    expect(f[0]!.subject?.key).toBe('token:<key of token #5>');
  });
});
