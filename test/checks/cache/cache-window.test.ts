import { describe } from 'vitest';
import { cacheWindow } from '../../../src/checks/cache/cache-window.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('cache/cache-window', () => {
  checkTester(cacheWindow, [
    { name: 'memory cache on: window of SYNC_FREQUENCY', snap: snapshot({ env: { MEMORY_CACHE_ENABLED: 'true', SYNC_FREQUENCY: '120' } }), expect: [{ code: 'CACHE_WINDOW_OPEN', status: 'info', match: /up to 120 s/ }] },
    { name: 'Redis: hashes live SYNC_FREQUENCY too', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://h:6379' } }), expect: [{ code: 'CACHE_WINDOW_OPEN', match: /Redis token and user hashes/ }] },
    { name: 'memory cache off: channel edits are immediate', snap: snapshot(), expect: [{ code: 'CACHE_WINDOW_OPEN', match: /take effect at once/ }] },
    { name: 'one-api default is 600 s', snap: snapshot({ product: 'one-api', env: { MEMORY_CACHE_ENABLED: 'true' } }), expect: [{ code: 'CACHE_WINDOW_OPEN', match: /600 s/ }] },
  ]);
});
