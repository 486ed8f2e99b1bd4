import { describe } from 'vitest';
import { tokenLookup } from '../../../src/checks/token/token-lookup.js';
import { checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

const snap = snapshot({ target: { path: '/runwayml/v1/image_to_video' } });
const t = token({ id: 12, key: 'A'.repeat(48) });

describe('token/token-lookup', () => {
  checkTester(tokenLookup, [
    { name: 'live token found', snap, target: target(snap, { token: t, user: user({ id: 1 }) }), expect: [] },
    { name: 'unknown key: 401', snap, target: target(snap, { given: 'sk-doesnotexist' }), expect: [{ code: 'TOKEN_NOT_FOUND', status: 'fail', match: /401/ }] },
    { name: 'soft-deleted token', snap, target: target(snap, { token: token({ id: 3, deleted: true }), user: user({ id: 1 }) }), expect: [{ code: 'TOKEN_NOT_FOUND', match: /soft-deleted/ }] },
    { name: 'channel pin from a common user: 403', snap, target: target(snap, { token: t, user: user({ id: 1, role: 1 }), given: `sk-${'A'.repeat(48)}-8` }), expect: [{ code: 'TOKEN_KEY_MALFORMED', match: /普通用户不支持指定渠道/ }] },
    { name: 'channel pin from an admin is allowed', snap, target: target(snap, { token: t, user: user({ id: 1, role: 10 }), given: `sk-${'A'.repeat(48)}-8` }), expect: [] },
    { name: 'stored key with a dash can never match (looked up by id)', snap, target: target(snap, { token: token({ id: 4, key: 'abc-def' }), user: user({ id: 1 }), by: 'id' }), expect: [{ code: 'TOKEN_KEY_MALFORMED', match: /contains '-'/ }] },
    { name: 'stored key with sk- prefix (looked up by name)', snap, target: target(snap, { token: token({ id: 5, key: 'sk-abcdef' }), user: user({ id: 1 }), by: 'name' }), expect: [{ code: 'TOKEN_KEY_MALFORMED', match: /starts with sk-/ }] },
  ]);
});
