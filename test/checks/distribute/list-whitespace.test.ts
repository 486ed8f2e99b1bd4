import { describe } from 'vitest';
import { listWhitespace } from '../../../src/checks/distribute/list-whitespace.js';
import { channel, checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

describe('distribute/list-whitespace', () => {
  const s = snapshot({ target: { model: 'runway' } });
  checkTester(listWhitespace, [
    { name: 'clean lists', snap: snapshot({ channels: [channel({ id: 1, models: 'runway,pika', group: 'default,vip' })] }), expect: [] },
    { name: 'space after a comma in models', snap: snapshot({ channels: [channel({ id: 1, models: 'runway, pika' })] }), expect: [{ code: 'LIST_ENTRY_WHITESPACE', match: /padded " pika"/, subject: { channelId: 1, column: 'models' } }] },
    { name: 'leading and trailing commas in both lists', snap: snapshot({ channels: [channel({ id: 6, models: ',runway,pika,', group: ',default,' })] }), expect: [{ code: 'LIST_ENTRY_WHITESPACE', match: /2 empty entries/ }, { code: 'LIST_ENTRY_WHITESPACE', match: /group/ }] },
    { name: "the token's model limits", snap: s, target: target(s, { token: token({ id: 3, modelLimitsEnabled: true, modelLimits: 'runway, pika' }), user: user({ id: 1 }) }), expect: [{ code: 'LIST_ENTRY_WHITESPACE', subject: { tokenId: 3 } }] },
  ]);
});
