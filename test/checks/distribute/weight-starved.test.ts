import { describe } from 'vitest';
import { weightStarved } from '../../../src/checks/distribute/weight-starved.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const chans = [channel({ id: 1, models: 'gpt-4o', weight: 0 }), channel({ id: 2, models: 'gpt-4o', weight: 10 })];
const s = (product: 'new-api' | 'bltcy', env: Record<string, string>) => snapshot({ product, channels: chans, env, target: { model: 'gpt-4o', group: 'default' } });

describe('distribute/weight-starved', () => {
  checkTester(weightStarved, [
    { name: 'new-api 0.9.16 cache path starves weight 0', snap: s('new-api', { MEMORY_CACHE_ENABLED: 'true' }), expect: [{ code: 'WEIGHT_ZERO_STARVED', subject: { channelId: 1 } }] },
    { name: 'BF adds 10 to every weight', snap: s('bltcy', { MEMORY_CACHE_ENABLED: 'true' }), expect: [] },
    { name: 'the DB path adds 10 too', snap: s('new-api', {}), expect: [] },
  ]);
});
