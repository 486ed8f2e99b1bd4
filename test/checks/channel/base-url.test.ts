import { describe } from 'vitest';
import { baseUrl } from '../../../src/checks/channel/base-url.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const route = { path: '/runwayml/v1/image_to_video', group: 'default' };
const s = (p: Parameters<typeof channel>[0], product: 'bltcy' | 'new-api' = 'bltcy', build?: 'NA-main') =>
  snapshot({ product, build, env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ models: 'runway,gpt-4o', group: 'default', ...p })], target: product === 'bltcy' ? route : { model: 'gpt-4o', group: 'default' } });

describe('channel/base-url', () => {
  checkTester(baseUrl, [
    { name: 'bare origin', snap: s({ id: 8, type: 55, baseUrl: 'https://legacy.example.com' }), expect: [] },
    { name: 'type 55 with empty base_url: invalid_base_url', snap: s({ id: 8, type: 55, baseUrl: '' }), expect: [{ code: 'CHANNEL_BASE_URL_MISSING', status: 'fail', match: /invalid_base_url/ }] },
    { name: 'NULL base_url has no fallback', snap: s({ id: 8, type: 55, baseUrl: null }), expect: [{ code: 'CHANNEL_BASE_URL_MISSING', status: 'fail', match: /NULL/ }] },
    { name: 'non-55 channel on a passthrough route falls back to its type default host', snap: s({ id: 10, type: 35, baseUrl: '' }), expect: [{ code: 'CHANNEL_BASE_URL_MISSING', status: 'warn', match: /api\.minimax\.chat/ }] },
    { name: 'trailing slash doubles the slash', snap: s({ id: 8, type: 55, baseUrl: 'https://legacy.example.com/' }), expect: [{ code: 'CHANNEL_BASE_URL_MALFORMED', match: /"\/"/ }] },
    { name: 'a path is prepended to every forwarded path', snap: s({ id: 8, type: 55, baseUrl: 'https://legacy.example.com/v1' }), expect: [{ code: 'CHANNEL_BASE_URL_MALFORMED', match: /path \/v1/ }] },
    { name: 'no scheme', snap: s({ id: 8, type: 55, baseUrl: 'legacy.example.com' }), expect: [{ code: 'CHANNEL_BASE_URL_MALFORMED', match: /unsupported protocol scheme/ }] },
    { name: 'localhost', snap: s({ id: 8, type: 55, baseUrl: 'http://127.0.0.1:3000' }), expect: [{ code: 'CHANNEL_BASE_URL_MALFORMED', match: /localhost/ }] },
    { name: 'a normal route: a base URL with a path is how some types work (openrouter.ai/api)', snap: s({ id: 4, type: 20, baseUrl: 'https://openrouter.ai/api' }, 'new-api'), expect: [] },
    { name: 'type beyond the build table with empty base_url panics', snap: s({ id: 3, type: 61, baseUrl: '' }, 'new-api', 'NA-main'), expect: [{ code: 'CHANNEL_TYPE_OUT_OF_RANGE', match: /61 entries/ }] },
  ]);
});
