import { describe } from 'vitest';
import { tokenGroup } from '../../../src/checks/token/token-group.js';
import { checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

const opts = { GroupRatio: '{"default":1,"vip":1}', UserUsableGroups: '{"default":"d","vip":"v","svip":"s"}' };
const snap = snapshot({ options: opts });
const tg = (group: string, ug = 'default', s = snap) => target(s, { token: token({ id: 1, group }), user: user({ id: 1, group: ug }) });

describe('token/token-group', () => {
  checkTester(tokenGroup, [
    { name: 'usable token group in GroupRatio', snap, target: tg('vip'), expect: [] },
    { name: 'empty token group falls back to the user group', snap, target: tg('', 'svip'), expect: [{ code: 'GROUP_FALLBACK_TO_USER', status: 'info', match: /"svip"/ }] },
    { name: 'group not usable: BF wording', snap, target: tg('enterprise'), expect: [{ code: 'GROUP_NOT_USABLE', match: /令牌分组 enterprise 已被禁用/ }] },
    { name: 'usable but missing from GroupRatio', snap, target: tg('svip'), expect: [{ code: 'GROUP_NOT_IN_RATIO', match: /分组 svip 已被弃用/ }] },
    { name: "the user's own group is always usable", snap, target: tg('partner', 'partner'), expect: [{ code: 'GROUP_NOT_IN_RATIO' }] },
    { name: 'broken GroupRatio JSON refuses every group', snap: snapshot({ options: { ...opts, GroupRatio: '{bad' } }), target: tg('default', 'default', snapshot({ options: { ...opts, GroupRatio: '{bad' } })), expect: [{ code: 'GROUP_NOT_IN_RATIO' }] },
    { name: 'NA-main wording for unusable groups', snap: snapshot({ product: 'new-api', build: 'NA-main', options: opts }), target: tg('enterprise', 'default', snapshot({ product: 'new-api', build: 'NA-main', options: opts })), expect: [{ code: 'GROUP_NOT_USABLE', match: /无权访问 enterprise 分组/ }] },
  ]);
});
