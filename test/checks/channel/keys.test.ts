import { describe } from 'vitest';
import { channelKeys } from '../../../src/checks/channel/keys.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const s = (p: Parameters<typeof channel>[0]) => snapshot({ env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ models: 'runway', type: 55, ...p })], target: { path: '/runway/v1/tasks', group: 'default' } });
const multi = (status: Record<string, number>, size = 2) => JSON.stringify({ is_multi_key: true, multi_key_size: size, multi_key_status_list: status, multi_key_mode: 'random' });

describe('channel/keys', () => {
  checkTester(channelKeys, [
    { name: 'one key', snap: s({ id: 8, key: 'sk-upstream-aaaaaaaaaaaa' }), expect: [] },
    { name: 'empty key: no_available_key', snap: s({ id: 8, key: '' }), expect: [{ code: 'CHANNEL_KEY_MISSING', status: 'fail', match: /no_available_key/ }] },
    { name: 'two lines without multi-key mode', snap: s({ id: 8, key: 'key-one-aaaaaaaa\nkey-two-bbbbbbbb' }), expect: [{ code: 'CHANNEL_MULTIKEY_UNFLAGGED', status: 'warn' }] },
    { name: 'multi-key with one key enabled', snap: s({ id: 8, key: 'key-one-aaaaaaaa\nkey-two-bbbbbbbb', channelInfo: multi({ '0': 3 }) }), expect: [] },
    { name: 'multi-key all disabled: BF keeps using the first key', snap: s({ id: 8, key: 'key-one-aaaaaaaa\nkey-two-bbbbbbbb', channelInfo: multi({ '0': 3, '1': 2 }) }), expect: [{ code: 'CHANNEL_KEY_MISSING', status: 'warn', match: /first key/ }] },
    { name: 'multi-key mode with an empty list', snap: s({ id: 8, key: '', channelInfo: multi({}, 0) }), expect: [{ code: 'CHANNEL_KEY_MISSING', status: 'fail' }] },
  ]);
});
