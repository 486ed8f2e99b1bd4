import { describe } from 'vitest';
import { probeMayHeal } from '../../../src/checks/cache/probe-may-heal.js';
import type { LiveFacts, NodeFacts } from '../../../src/live/types.js';
import type { LogFacts } from '../../../src/logs/gatherer.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

function node(kind: 'channel-selected' | 'no-channel'): NodeFacts {
  return {
    url: 'http://10.0.0.5:3000',
    label: 'http://10.0.0.5:3000',
    statusStart: { at: 0, ok: true, hints: [] },
    routing: { purpose: 'routing-probe', method: 'POST', path: '/v1/chat/completions', at: 0, ms: 3, status: kind === 'no-channel' ? 503 : 500, classification: { kind } as never },
  };
}

function s(opts: { product?: 'bltcy' | 'new-api'; cache?: boolean; kind?: 'channel-selected' | 'no-channel'; retryLines?: boolean }) {
  const snap = snapshot({ product: opts.product ?? 'bltcy', env: opts.cache === false ? {} : { MEMORY_CACHE_ENABLED: 'true' } });
  snap.live = { relay: { nodes: [node(opts.kind ?? 'channel-selected')], notes: [] } } satisfies LiveFacts;
  if (opts.retryLines) snap.logs = { sources: ['app.log'], lastLines: [], analysis: { clusters: [{ signature: 'cache-retry-healed' }] } } as unknown as LogFacts;
  return snap;
}

describe('cache/probe-may-heal', () => {
  checkTester(probeMayHeal, [
    { name: 'BF with the cache on, the probe routes: it may have healed the node', snap: s({}), expect: [{ code: 'CACHE_PROBE_MAY_HEAL', status: 'info', match: /may have healed/ }] },
    { name: 'the logs show the inline rebuild', snap: s({ retryLines: true }), expect: [{ code: 'CACHE_PROBE_MAY_HEAL', match: /\[CacheRetry\] lines/ }] },
    { name: 'the probe found no channel: nothing healed', snap: s({ kind: 'no-channel' }), expect: [] },
    { name: 'upstream new-api has no inline rebuild', snap: s({ product: 'new-api' }), expect: [] },
    { name: 'memory cache off: routing reads the database', snap: s({ cache: false }), expect: [] },
  ]);
});
