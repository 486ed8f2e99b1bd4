import { describe } from 'vitest';
import { channelTypeCheck } from '../../../src/checks/channel/channel-type.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const s = (type: number, path: string, models = 'runway,minimax,kling,jimeng', product: 'bltcy' | 'new-api' = 'bltcy') =>
  snapshot({ product, env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ id: 10, type, models, baseUrl: 'https://legacy.example.com' })], target: { path, group: 'default', method: 'POST' } });

describe('channel/channel-type', () => {
  checkTester(channelTypeCheck, [
    { name: 'type 55 on a passthrough route', snap: s(55, '/runwayml/v1/image_to_video'), expect: [] },
    { name: 'type 35 (MiniMax) on /minimax/*', snap: s(35, '/minimax/v1/video_generation'), expect: [{ code: 'CHANNEL_TYPE_MISMATCH', match: /type 35 \(MiniMax\)/ }] },
    { name: 'Kling task route needs 55 to switch to the passthrough', snap: s(50, '/kling/v1/videos/text2video'), expect: [{ code: 'CHANNEL_TYPE_MISMATCH', match: /native task adaptor/ }] },
    { name: 'jimeng through the passthrough', snap: s(55, '/jimeng/?Action=CVSync2AsyncSubmitTask'), expect: [{ code: 'CHANNEL_TYPE_MISMATCH', match: /GET with a body/ }] },
    { name: 'normal route: no expectation', snap: s(1, '/v1/chat/completions', 'gpt-4o'), expect: [] },
  ]);
});
