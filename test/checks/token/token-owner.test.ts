import { describe } from 'vitest';
import { tokenOwner } from '../../../src/checks/token/token-owner.js';
import { checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

const snap = snapshot();
const t = token({ id: 1, userId: 7 });

describe('token/token-owner', () => {
  checkTester(tokenOwner, [
    { name: 'live enabled owner', snap, target: target(snap, { token: t, user: user({ id: 7 }) }), expect: [] },
    { name: 'owner row missing: 500 record not found', snap, target: target(snap, { token: t, user: null }), expect: [{ code: 'USER_MISSING', match: /500.*record not found/ }] },
    { name: 'owner soft-deleted', snap, target: target(snap, { token: t, user: user({ id: 7, deleted: true }) }), expect: [{ code: 'USER_MISSING', match: /soft-deleted/ }] },
    { name: 'owner banned: 403', snap, target: target(snap, { token: t, user: user({ id: 7, status: 2 }) }), expect: [{ code: 'USER_BANNED', match: /用户已被封禁/ }] },
    { name: 'NA-main words the 500 differently', snap: snapshot({ product: 'new-api', build: 'NA-main' }), target: target(snapshot({ product: 'new-api', build: 'NA-main' }), { token: t, user: null }), expect: [{ code: 'USER_MISSING', match: /Database error/ }] },
  ]);
});
