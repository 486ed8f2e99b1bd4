import type { Check } from '../types.js';
import { finding } from '../report.js';
import { blobChannelInfoSql } from '../../remedies/commands.js';

export const rowReadable: Check = {
  id: 'channel/row-readable',
  stage: 'channel',
  scope: 'target',
  codes: ['CHANNEL_ROW_UNREADABLE'],
  description: 'the relay can read the selected channel row by id (SQLite channel_info stored as BLOB)',
  run({ snap, target }) {
    if (snap.db.engine !== 'sqlite') return [];
    return target.channels
      .filter((c) => c.channelInfoStorage === 'text')
      .map((c) =>
        finding('CHANNEL_ROW_UNREADABLE', `channel #${c.id} has channel_info stored as TEXT (written by SQL): the relay's single-row read fails with "Scan error on column … channel_info", while the cache still routes to it${target.passthrough ? '; the passthrough answers 500 get_channel_failed (获取渠道失败: sql: Scan error …)' : ''}`, {
          subject: { channelId: c.id },
          evidence: { storage: 'text', engine: 'sqlite' },
          remedy: { text: 'Re-save the channel in the admin UI, or rewrite the value as a BLOB.', commands: [blobChannelInfoSql(c.id)] },
        }),
      );
  },
};
