import { describe } from 'vitest';
import { rowReadable } from '../../../src/checks/channel/row-readable.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const s = (engine: 'sqlite' | 'postgres', storage: 'blob' | 'text') =>
  snapshot({ engine, env: { MEMORY_CACHE_ENABLED: 'true' }, channels: [channel({ id: 8, type: 55, models: 'runway', channelInfo: '{"is_multi_key":false}', channelInfoStorage: storage })], target: { path: '/runwayml/v1/image_to_video', group: 'default' } });

describe('channel/row-readable', () => {
  checkTester(rowReadable, [
    { name: 'BLOB as the relay writes it', snap: s('sqlite', 'blob'), expect: [] },
    { name: 'TEXT written by SQL on SQLite: scan error on every single-row read', snap: s('sqlite', 'text'), expect: [{ code: 'CHANNEL_ROW_UNREADABLE', match: /get_channel_failed/ }] },
    { name: 'PostgreSQL returns JSON as bytes: never an issue', snap: s('postgres', 'text'), expect: [] },
  ]);
});
