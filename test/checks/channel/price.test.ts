import { describe } from 'vitest';
import { modelPrice } from '../../../src/checks/channel/price.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const pass = (options: Record<string, string>, method = 'POST', path = '/runwayml/v1/image_to_video') =>
  snapshot({ options, env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ id: 8, type: 55, models: 'runway' })], target: { path, method, group: 'default' } });
const normal = (options: Record<string, string>) => snapshot({ product: 'new-api', options, env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ id: 1, models: 'my-model' })], target: { model: 'my-model', group: 'default' } });

describe('channel/model-price', () => {
  checkTester(modelPrice, [
    { name: 'passthrough priced by ModelPrice', snap: pass({ ModelPrice: '{"runway":0.5}' }), expect: [{ code: 'PASSTHROUGH_BILLS_FAILURES', status: 'info' }] },
    { name: 'passthrough without a price: flat base quota', snap: pass({ ModelPrice: '{"gen4_turbo":0.5}' }), expect: [{ code: 'MODEL_PRICE_MISSING', match: /flat base quota/ }, { code: 'PASSTHROUGH_BILLS_FAILURES' }] },
    { name: 'polls are free (GET)', snap: pass({ ModelPrice: '{"runway":0.5}' }, 'GET', '/runwayml/v1/tasks/1'), expect: [] },
    { name: 'normal route missing from both maps: model_price_error', snap: normal({ ModelRatio: '{"gpt-4o":1.25}' }), expect: [{ code: 'MODEL_PRICE_MISSING', match: /model_price_error/ }] },
    { name: 'normal route with a ratio', snap: normal({ ModelRatio: '{"my-model":1}' }), expect: [] },
    { name: 'self-use mode accepts unpriced models', snap: normal({ ModelRatio: '{}', SelfUseModeEnabled: 'true' }), expect: [] },
    { name: 'no ratio option row: built-in tables we cannot see, so silent', snap: normal({}), expect: [] },
  ]);
});
