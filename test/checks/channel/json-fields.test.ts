import { describe } from 'vitest';
import { jsonFields } from '../../../src/checks/channel/json-fields.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const normal = (p: Partial<Parameters<typeof channel>[0]>) => snapshot({ product: 'new-api', env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ id: 3, models: 'gpt-4o', ...p })], target: { path: '/v1/chat/completions', model: 'gpt-4o', group: 'default' } });
const pass = (p: Partial<Parameters<typeof channel>[0]>) => snapshot({ env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ id: 8, type: 55, models: 'runway', ...p })], target: { path: '/runway/v1/x', group: 'default' } });

describe('channel/json-fields', () => {
  checkTester(jsonFields, [
    { name: 'valid JSON everywhere', snap: normal({ modelMapping: '{"gpt-4o":"gpt-4o-2024"}', setting: '{"proxy":""}', statusCodeMapping: '{"404":"400"}' }), expect: [] },
    { name: 'model_mapping not JSON: 500 model_mapped_error', snap: normal({ modelMapping: '{gpt-4o:x}' }), expect: [{ code: 'CHANNEL_JSON_INVALID', status: 'fail', match: /model_mapped_error/ }] },
    { name: 'model_mapping cycle', snap: normal({ modelMapping: '{"a":"b","b":"a"}' }), expect: [{ code: 'CHANNEL_JSON_INVALID', match: /cycle/ }] },
    { name: 'status_code_mapping 400 → 500', snap: normal({ statusCodeMapping: '{"400":"500"}' }), expect: [{ code: 'STATUS_CODE_MAPPED_TO_5XX', match: /400 into 500/ }] },
    { name: 'the passthrough ignores model_mapping (warn only)', snap: pass({ modelMapping: '{bad' }), expect: [{ code: 'CHANNEL_JSON_INVALID', status: 'warn' }] },
    { name: 'the passthrough reads setting (passthrough_quota)', snap: pass({ setting: '{"passthrough_quota":' }), expect: [{ code: 'CHANNEL_JSON_INVALID', status: 'fail', match: /setting/ }] },
    { name: 'the passthrough ignores status_code_mapping', snap: pass({ statusCodeMapping: '{"400":"500"}' }), expect: [] },
  ]);
});
