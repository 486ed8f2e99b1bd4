import { describe } from 'vitest';
import { cacheMode } from '../../../src/checks/environment/cache-mode.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

describe('environment/cache-mode', () => {
  checkTester(cacheMode, [
    { name: 'Redis set, MEMORY_CACHE_ENABLED=false: forced on', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://127.0.0.1:6379', MEMORY_CACHE_ENABLED: 'false' } }), expect: [{ code: 'CACHE_FORCED_ON', status: 'warn', match: /MEMORY_CACHE_ENABLED=false has no effect/ }] },
    { name: 'no Redis, false: honoured', snap: snapshot({ env: { MEMORY_CACHE_ENABLED: 'false' } }), expect: [] },
    { name: 'Redis set, explicit true: nothing to warn', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://h:6379', MEMORY_CACHE_ENABLED: 'true' } }), expect: [] },
    { name: 'Redis set, variable unset: nothing to warn', snap: snapshot({ env: { REDIS_CONN_STRING: 'redis://h:6379' } }), expect: [] },
    { name: 'one-api needs SYNC_FREQUENCY for Redis: not forced', snap: snapshot({ product: 'one-api', env: { REDIS_CONN_STRING: 'redis://h:6379', MEMORY_CACHE_ENABLED: 'false' } }), expect: [] },
  ]);
});
