import { describe } from 'vitest';
import { abilitiesSync } from '../../../src/checks/distribute/abilities-sync.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const ch = channel({ id: 8, type: 55, models: 'runway,pika', group: 'default', priority: 5, weight: 3 });
const row = (p: Partial<{ enabled: boolean; priority: number | null; weight: number; channelId: number }> = {}) => ({ group: 'default', model: 'runway', channelId: 8, enabled: true, priority: 5, weight: 3, tag: null, ...p });
const s = (abilities: ReturnType<typeof row>[], env: Record<string, string> = {}, product: 'bltcy' | 'new-api' = 'new-api') =>
  snapshot({ product, channels: [ch], abilities, env, target: { model: 'runway', group: 'default' } });

describe('distribute/abilities-sync', () => {
  checkTester(abilitiesSync, [
    { name: 'in sync', snap: s([row()]), expect: [] },
    { name: 'missing row, memory cache off: the DB path routes, fail', snap: s([]), expect: [{ code: 'ABILITIES_OUT_OF_SYNC', status: 'fail', match: /missing for channel\(s\) #8/ }] },
    { name: 'missing row, memory cache on (new-api): warn', snap: s([], { MEMORY_CACHE_ENABLED: 'true' }), expect: [{ code: 'ABILITIES_OUT_OF_SYNC', status: 'warn' }] },
    { name: 'BF falls back to abilities even with the cache on: fail', snap: s([], { MEMORY_CACHE_ENABLED: 'true' }, 'bltcy'), expect: [{ code: 'ABILITIES_OUT_OF_SYNC', status: 'fail', match: /falls back/ }] },
    { name: 'enabled flag stale after an SQL status edit', snap: s([row({ enabled: false })]), expect: [{ code: 'ABILITIES_OUT_OF_SYNC', match: /#8 \(enabled\)/ }] },
    { name: 'NULL priority from a hand-inserted row', snap: s([row({ priority: null })]), expect: [{ code: 'ABILITIES_OUT_OF_SYNC', match: /priority/ }] },
    { name: 'extra hand-inserted row for another channel', snap: s([row(), row({ channelId: 6 })]), expect: [{ code: 'ABILITIES_OUT_OF_SYNC', match: /extra .*#6/ }] },
  ]);
});
