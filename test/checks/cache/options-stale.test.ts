import { describe } from 'vitest';
import { optionsStale } from '../../../src/checks/cache/options-stale.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

const table = { GroupRatio: '{"default":1,"vip":1}', ModelPrice: '{"runway":0.5}', SystemName: 'API Gateway' };
const s = (nodes: { url: string; ok: boolean; error?: string; values?: Record<string, string> }[]) => {
  const snap = snapshot({ options: table, env: { SYNC_FREQUENCY: '60' } });
  snap.liveOptions = nodes.map((n) => ({ ...n, values: n.values ? new Map(Object.entries(n.values)) : undefined }));
  return snap;
};

describe('cache/options-stale', () => {
  checkTester(optionsStale, [
    { name: 'no admin token: nothing probed', snap: snapshot({ options: table }), expect: [] },
    { name: 'node agrees (JSON spacing ignored)', snap: s([{ url: 'http://a', ok: true, values: { GroupRatio: '{ "default": 1, "vip": 1 }', ModelPrice: '{"runway":0.5}' } }]), expect: [] },
    { name: 'node holds the old ModelPrice', snap: s([{ url: 'http://a', ok: true, values: { GroupRatio: '{"default":1,"vip":1}', ModelPrice: '{}' } }]), expect: [{ code: 'CACHE_STALE_OPTIONS', status: 'fail', match: /http:\/\/a .*ModelPrice/, subject: { node: 'http://a' } }] },
    { name: 'a display option that differs is not a routing matter', snap: s([{ url: 'http://a', ok: true, values: { SystemName: 'Old name' } }]), expect: [] },
    { name: 'the admin API refused', snap: s([{ url: 'http://b', ok: false, error: '无权进行此操作，access token 无效' }]), expect: [{ code: 'CACHE_STALE_OPTIONS', status: 'info', match: /--admin-token/ }] },
  ]);
});
