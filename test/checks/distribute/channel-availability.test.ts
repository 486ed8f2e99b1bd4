import { describe } from 'vitest';
import { channelAvailability } from '../../../src/checks/distribute/channel-availability.js';
import { cell, channel, checkTester, snapshot } from '../../support/snapshot.js';

const base = { id: 8, type: 55, models: 'kling,runway,suno,pika', group: 'default', baseUrl: 'https://legacy.example.com' };
const bltcy = channel(base);
const on = { MEMORY_CACHE_ENABLED: 'true' };
const s = (channels: ReturnType<typeof channel>[], extra: Parameters<typeof snapshot>[0] = {}) => snapshot({ channels, env: on, target: { path: '/runwayml/v1/image_to_video', group: 'default' }, ...extra });

describe('distribute/channel-availability', () => {
  checkTester(channelAvailability, [
    { name: 'channel 8 serves runway in default', snap: s([bltcy]), expect: [] },
    { name: 'no channel lists the model', snap: s([channel({ id: 1, models: 'gpt-4o' })]), expect: [{ code: 'NO_CHANNEL_FOR_MODEL', status: 'fail', match: /503 model_not_found 分组 default 下模型 runway 无可用渠道（distributor）/ }] },
    { name: 'listed only in another group', snap: s([channel({ ...base, group: 'vip' })]), expect: [{ code: 'GROUP_HAS_NO_CHANNEL', match: /"vip"/ }] },
    { name: 'padded group entry is named', snap: s([channel({ ...base, group: 'vip, default' })]), expect: [{ code: 'GROUP_HAS_NO_CHANNEL', match: /differs only by spaces/ }] },
    { name: 'all listing channels disabled, with the recorded reason', snap: s([channel({ ...base, status: 3, otherInfo: '{"status_reason":"upstream 401","status_time":1761600000}' })]), expect: [{ code: 'CHANNELS_ALL_DISABLED', match: /automatically disabled: upstream 401/ }] },
    {
      name: 'memory cache off: abilities lack the channel although channels list it',
      snap: snapshot({ channels: [bltcy], abilities: [], target: { path: '/runwayml/v1/image_to_video', group: 'default' } }),
      expect: [{ code: 'GROUP_HAS_NO_CHANNEL', match: /routing view has none.*abilities table/ }],
    },
    {
      name: 'abilities name a deleted channel (DB path): record not found',
      snap: snapshot({ channels: [], abilities: [{ group: 'default', model: 'runway', channelId: 99, enabled: true, priority: 0, weight: 0, tag: null }], target: { path: '/runwayml/v1/image_to_video', group: 'default' } }),
      expect: [{ code: 'ABILITY_DANGLING', status: 'fail', match: /record not found/ }],
    },
    {
      name: 'BF fallback picks a channel disabled by SQL: the passthrough answers 403 channel_disabled',
      snap: s([channel({ ...base, status: 2 })], { abilities: [{ group: 'default', model: 'runway', channelId: 8, enabled: true, priority: 0, weight: 0, tag: null }] }),
      expect: [{ code: 'CHANNELS_ALL_DISABLED', status: 'fail', match: /403 channel_disabled/ }],
    },
    {
      name: 'memory cache off, normal route: a disabled channel keeps receiving traffic (warn)',
      snap: snapshot({ product: 'new-api', channels: [channel({ id: 3, models: 'gpt-4o', status: 2 })], abilities: [{ group: 'default', model: 'gpt-4o', channelId: 3, enabled: true, priority: 0, weight: 0, tag: null }], target: { model: 'gpt-4o', group: 'default' } }),
      expect: [{ code: 'CHANNELS_ALL_DISABLED', status: 'warn', match: /keep going/ }],
    },
    { name: 'sweep cell of a model nobody offers is informational', snap: s([bltcy]), target: cell(s([bltcy]), 'minimax', 'default'), expect: [{ code: 'NO_CHANNEL_FOR_MODEL', status: 'info' }] },
    { name: 'sweep cell of an offered model missing in a group fails', snap: s([bltcy]), target: cell(s([bltcy]), 'runway', 'vip'), expect: [{ code: 'GROUP_HAS_NO_CHANNEL', status: 'fail' }] },
    { name: 'empty user group prints as an empty name (two spaces)', snap: s([bltcy]), target: cell(s([bltcy]), 'runway', ''), expect: [{ code: 'GROUP_HAS_NO_CHANNEL', match: /分组  下模型 runway/ }] },
  ]);
});
