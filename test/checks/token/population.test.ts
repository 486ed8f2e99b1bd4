import { describe } from 'vitest';
import { tokenPopulation } from '../../../src/checks/token/population.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

const options = { GroupRatio: '{"default":1}', UserUsableGroups: '{"default":"d","vip":"v"}' };

describe('token/population', () => {
  checkTester(tokenPopulation, [
    { name: 'all tokens use default', snap: snapshot({ options, groupUse: [{ tokenGroup: 'default', userGroup: 'default', tokens: 50 }, { tokenGroup: '', userGroup: 'default', tokens: 12 }] }), expect: [] },
    { name: 'tokens in a group missing from GroupRatio', snap: snapshot({ options, groupUse: [{ tokenGroup: 'vip', userGroup: 'default', tokens: 7 }] }), expect: [{ code: 'GROUP_NOT_IN_RATIO', match: /^7 active token/ }] },
    { name: 'tokens in an unusable group, summed across owner groups', snap: snapshot({ options, groupUse: [{ tokenGroup: 'x', userGroup: 'default', tokens: 2 }, { tokenGroup: 'x', userGroup: 'vip', tokens: 3 }] }), expect: [{ code: 'GROUP_NOT_USABLE', match: /^5 active/ }] },
    { name: 'stored keys that can never match', snap: snapshot({ malformedKeys: { ids: [4, 9], count: 2 } }), expect: [{ code: 'TOKEN_KEY_MALFORMED', match: /^2 token/ }] },
  ]);
});
