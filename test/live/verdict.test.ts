// The answer the user saw, judged against the run's findings, and the verdict agreeing with it:
// a 500 is never blamed on the routing cache unless its body says get_channel_failed … record
// not found (contract, failure-modes.md F1).
import { describe, expect, it } from 'vitest';
import { finding } from '../../src/checks/report.js';
import { judgeAnswers } from '../../src/live/judge.js';
import type { LiveFacts, SeenFacts } from '../../src/live/types.js';
import { verdictOf } from '../../src/report/verdict.js';
import type { Finding } from '../../src/types.js';
import { channel, snapshot, target, token, user } from '../support/snapshot.js';

const OPTIONS = { GroupRatio: '{"default":1}', UserUsableGroups: '{"default":"默认分组"}' };
const RID = '2025102810300012345678AbCdEfGh';
const UP = 'B2025102810300198765432ZyXwVuTs';
const err = (message: string, code = '') => JSON.stringify({ error: { message, type: 'new_api_error', param: '', code } });
const stale = finding('CACHE_STALE_CHANNELS', 'node b has no channel for runway in group "default"', { subject: { node: 'http://b:3000' } });
const disagree = finding('RELAY_NODES_DISAGREE', 'the nodes route runway differently');

function judge(seen: SeenFacts | undefined, prior: Finding[], o: { live?: LiveFacts; channels?: ReturnType<typeof channel>[] } = {}) {
  const snap = snapshot({ env: { MEMORY_CACHE_ENABLED: 'true', SYNC_FREQUENCY: '5' }, channels: o.channels ?? [channel({ id: 8, type: 55, models: 'runway,pika,kling', group: 'default', key: 'upstream-key-000000001' })], options: OPTIONS, target: { path: '/runwayml/v1/image_to_video' } });
  snap.live = { ...o.live, seen };
  const t = target(snap, { token: token({ id: 5, group: 'default' }), user: user({ id: 2 }) });
  const j = judgeAnswers(snap, t, prior);
  const all = [...prior, ...j.findings];
  return { j, all, verdict: verdictOf(all, [], [], j.answer) };
}
const seen = (status: number, body?: string, headers: Record<string, string[]> = {}): SeenFacts => ({ status, body, headers, from: ['--seen-status'] });

describe('live/judge and the verdict', () => {
  it('a 500 with the upstream\'s body: UPSTREAM_5XX, the stale nodes are reported but not blamed', () => {
    const { j, verdict } = judge(seen(500, err(`upstream error: do request failed (request id: ${UP})`, 'do_request_failed'), { 'x-oneapi-request-id': [RID, UP] }), [stale, disagree]);
    expect(j.findings.map((f) => [f.code, f.subject])).toEqual([['UPSTREAM_5XX', { answer: 'seen' }]]);
    expect(verdict.primary?.code).toBe('UPSTREAM_5XX');
    expect(verdict.ranked).toEqual(['UPSTREAM_5XX', 'RELAY_NODES_DISAGREE', 'CACHE_STALE_CHANNELS']);
    expect(verdict.reason).toMatch(/Not the cause of it: RELAY_NODES_DISAGREE, CACHE_STALE_CHANNELS/);
    const b = Object.fromEntries(j.seen!.branches!.map((x) => [x.id, x.state]));
    expect(b['upstream-own']).toBe('proven');
    expect(b.routing).toBe('excluded');
    expect(b['stale-view-deleted']).toBe('excluded');
    expect(Object.values(b).filter((s) => s === 'proven')).toHaveLength(1);
  });

  it('a 500 with only the status: the cache is never blamed; the database excludes key, base_url and owner', () => {
    const { j, verdict } = judge(seen(500), [stale]);
    expect(j.findings).toEqual([]);
    expect(verdict.primary).toBeUndefined();
    expect(verdict.status).toBe('unhealthy');
    expect(verdict.reason).toMatch(/CACHE_STALE_CHANNELS\) can produce the 500 the user saw, so none is blamed/);
    const b = Object.fromEntries(j.seen!.branches!.map((x) => [x.id, x]));
    expect(b['no-key']!.state).toBe('excluded');
    expect(b['no-base-url']!.state).toBe('excluded');
    expect(b['tokenauth-owner']!.state).toBe('excluded');
    expect(b['row-unreadable']!.state).toBe('excluded');
    expect(b['upstream-own']!.state).toBe('possible');
    expect(b['stale-view-deleted']!.state).toBe('possible');
    expect(j.seen!.consistent).not.toContain('CACHE_STALE_CHANNELS');
    expect(j.seen!.excluded).toContain('CACHE_STALE_CHANNELS');
    expect(j.seen!.conclusion).toMatch(/still possible: .*upstream-own/);
  });

  it('a 500 with only the status and a database fault that answers 500: that fault is primary', () => {
    const noKey = finding('CHANNEL_KEY_MISSING', 'channel #8 has no key');
    const { verdict, j } = judge(seen(500), [stale, noKey]);
    expect(verdict.primary?.code).toBe('CHANNEL_KEY_MISSING');
    expect(j.seen!.branches!.find((x) => x.id === 'no-key')!.state).toBe('supported');
  });

  it('a 500 get_channel_failed … record not found: the stale routing view is proven by the body', () => {
    const { j, verdict } = judge(seen(500, JSON.stringify({ code: 'get_channel_failed', message: '获取渠道失败: record not found', data: null })), []);
    expect(j.findings.map((f) => f.code)).toEqual(['CACHE_STALE_CHANNELS']);
    expect(verdict.primary?.code).toBe('CACHE_STALE_CHANNELS');
    expect(j.seen!.branches!.find((x) => x.state === 'proven')!.id).toBe('stale-view-deleted');
  });

  it('a 503 model_not_found while the database serves, no probe: CACHE_WINDOW_OPEN (warn), inconclusive', () => {
    const { j, verdict } = judge(seen(503, err(`分组 default 下模型 runway 无可用渠道（distributor） (request id: ${RID})`, 'model_not_found')), []);
    expect(j.findings.map((f) => [f.code, f.status])).toEqual([['CACHE_WINDOW_OPEN', 'warn']]);
    expect(j.findings[0]!.message).toMatch(/routes it to #8; no node was probed/);
    expect(verdict.status).toBe('inconclusive');
    expect(verdict.reason).toMatch(/show no failure, yet the 503 the user saw/);
  });

  it('a 503 model_not_found confirmed by the probe: CACHE_STALE_CHANNELS is primary', () => {
    const { j, verdict } = judge(seen(503, err('分组 default 下模型 runway 无可用渠道（distributor）', 'model_not_found')), [disagree, stale]);
    expect(j.findings).toEqual([]);
    expect(verdict.primary?.code).toBe('RELAY_NODES_DISAGREE');
    expect(verdict.reason).toMatch(/^agrees with the 503 the user saw/);
  });

  it('a 503 naming another group than the database gives: CACHE_STALE_TOKEN', () => {
    const { j, verdict } = judge(seen(503, err('分组  下模型 runway 无可用渠道（distributor）', 'model_not_found')), []);
    expect(j.findings.map((f) => f.code)).toEqual(['CACHE_STALE_TOKEN']);
    expect(verdict.primary?.code).toBe('CACHE_STALE_TOKEN');
  });

  it('a 401 the database explains: the database finding is primary', () => {
    const gone = finding('TOKEN_NOT_FOUND', 'no tokens row has this key');
    const { verdict } = judge(seen(401, err('无效的令牌')), [stale, gone]);
    expect(verdict.primary?.code).toBe('TOKEN_NOT_FOUND');
  });

  it('a success seen: the verdict is the usual one', () => {
    const { verdict, j } = judge(seen(200, JSON.stringify({ id: 'task-1' })), [stale]);
    expect(j.answer?.failure).toBe(false);
    expect(verdict.primary?.code).toBe('CACHE_STALE_CHANNELS');
  });

  it('without an answer, CACHE_STALE_TOKEN outranks the routing symptoms it explains', () => {
    const tokenHash = finding('CACHE_STALE_TOKEN', 'Redis hash token:… Group "" vs "default"');
    const v = verdictOf([disagree, stale, tokenHash], []);
    expect(v.primary?.code).toBe('CACHE_STALE_TOKEN');
    expect(v.ranked[0]).toBe('CACHE_STALE_TOKEN');
  });
});
