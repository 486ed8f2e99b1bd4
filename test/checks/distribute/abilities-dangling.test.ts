import { describe } from 'vitest';
import { abilitiesDangling } from '../../../src/checks/distribute/abilities-dangling.js';
import { channel, checkTester, snapshot } from '../../support/snapshot.js';

const row = (channelId: number, priority: number | null = 0) => ({ group: 'default', model: 'runway', channelId, enabled: true, priority, weight: 0, tag: null });

describe('distribute/abilities-dangling', () => {
  checkTester(abilitiesDangling, [
    { name: 'rows point at existing channels', snap: snapshot({ channels: [channel({ id: 8 })], abilities: [row(8)] }), expect: [] },
    { name: 'row of a deleted channel', snap: snapshot({ channels: [channel({ id: 8 })], abilities: [row(8), row(6)] }), expect: [{ code: 'ABILITY_DANGLING', status: 'warn', match: /#6/ }] },
    { name: 'NULL priority', snap: snapshot({ channels: [channel({ id: 8 })], abilities: [row(8, null)] }), expect: [{ code: 'ABILITY_PRIORITY_NULL', status: 'warn' }] },
  ]);
});
