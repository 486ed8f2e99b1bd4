import { describe } from 'vitest';
import { pollRouting } from '../../../src/checks/route/poll-routing.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const a = channel({ id: 6, type: 55, models: 'sora-2', baseUrl: 'https://legacy.example.com', key: 'legacy-key-aaaaaaaaaaaa' });
const b = channel({ id: 7, type: 55, models: 'sora-2-pro', baseUrl: 'https://other.example.com', key: 'other-key-bbbbbbbbbbbb' });
const same = channel({ id: 7, type: 55, models: 'sora-2-pro', baseUrl: 'https://legacy.example.com', key: 'legacy-key-aaaaaaaaaaaa' });
const s = (channels: ReturnType<typeof channel>[], path: string, product: 'bltcy' | 'new-api' = 'bltcy') =>
  snapshot({ product, channels, env: { MEMORY_CACHE_ENABLED: 'true' }, target: { path, method: 'GET', group: 'default' } });

describe('route/poll-routing', () => {
  checkTester(pollRouting, [
    { name: 'unprefixed id, two Sora upstreams: the poll may miss', snap: s([a, b], '/v1/videos/video_68d7512d'), expect: [{ code: 'POLL_ROUTING_AMBIGUOUS', status: 'warn', match: /2 different upstreams/ }] },
    { name: 'prefixed id routes on its own model', snap: s([a, b], '/v1/videos/sora-2-pro:task_01k8'), expect: [] },
    { name: 'both channels share upstream and key', snap: s([a, same], '/v1/videos/video_68d7512d'), expect: [] },
    { name: 'one Sora channel', snap: s([a], '/v1/videos/video_68d7512d'), expect: [] },
    { name: 'upstream new-api has no such rule', snap: s([a, b], '/v1/videos/video_68d7512d', 'new-api'), expect: [] },
  ]);
});
