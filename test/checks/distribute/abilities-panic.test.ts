import { describe } from 'vitest';
import { abilitiesPanic } from '../../../src/checks/distribute/abilities-panic.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const ch = (group: string, status = 1) => channel({ id: 8, models: 'runway', group, status });
const row = { group: 'default', model: 'runway', channelId: 8, enabled: true, priority: 0, weight: 0, tag: null };
const on = { MEMORY_CACHE_ENABLED: 'true' };

describe('distribute/abilities-panic', () => {
  checkTester(abilitiesPanic, [
    { name: 'every channel group has abilities', snap: snapshot({ channels: [ch('default')], abilities: [row], env: on }), expect: [] },
    { name: 'group renamed by SQL: rebuild panics', snap: snapshot({ channels: [ch('premium')], abilities: [row], env: on }), expect: [{ code: 'ABILITY_GROUP_PANIC_RISK', status: 'fail', match: /"premium".*nil map/ }] },
    { name: 'leading comma creates the empty group', snap: snapshot({ channels: [ch(',default,')], abilities: [row], env: on }), expect: [{ code: 'ABILITY_GROUP_PANIC_RISK', match: /""/ }] },
    { name: 'disabled channels are not iterated', snap: snapshot({ channels: [ch('premium', 2)], abilities: [row], env: on }), expect: [] },
    { name: 'memory cache off: nothing rebuilds, a warning', snap: snapshot({ channels: [ch('premium')], abilities: [row] }), expect: [{ code: 'ABILITY_GROUP_PANIC_RISK', status: 'warn' }] },
    { name: 'one-api has no recovery: crash loop', snap: snapshot({ product: 'one-api', channels: [ch('premium')], abilities: [row], env: on }), expect: [{ code: 'ABILITY_GROUP_PANIC_RISK', match: /crash-loops/ }] },
  ]);
});
