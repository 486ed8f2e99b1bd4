import { describe } from 'vitest';
import { tokenState } from '../../../src/checks/token/token-state.js';
import { checkTester, snapshot, target, token, user } from '../../support/snapshot.js';

const snap = snapshot();
const u = user({ id: 1 });
const tt = (p: Parameters<typeof token>[0]) => target(snap, { token: token(p), user: u });

describe('token/token-state', () => {
  checkTester(tokenState, [
    { name: 'enabled, unlimited, never expires', snap, target: tt({ id: 1 }), expect: [] },
    { name: 'status 2 disabled', snap, target: tt({ id: 1, status: 2 }), expect: [{ code: 'TOKEN_DISABLED', match: /该令牌状态不可用/ }] },
    { name: 'status 3 expired', snap, target: tt({ id: 1, status: 3 }), expect: [{ code: 'TOKEN_EXPIRED' }] },
    { name: 'expired_time in the past while status stays 1 (Redis deployments)', snap, target: tt({ id: 1, expiredTime: 1000 }), expect: [{ code: 'TOKEN_EXPIRED', match: /in the past/ }] },
    { name: 'remain_quota 0 and not unlimited', snap, target: tt({ id: 1, unlimitedQuota: false, remainQuota: 0 }), expect: [{ code: 'TOKEN_EXHAUSTED' }] },
    { name: 'negative quota after passthrough billing', snap, target: tt({ id: 1, unlimitedQuota: false, remainQuota: -500 }), expect: [{ code: 'TOKEN_EXHAUSTED', match: /-500/ }] },
    { name: 'unlimited quota ignores remain_quota', snap, target: tt({ id: 1, unlimitedQuota: true, remainQuota: -5 }), expect: [] },
    { name: 'exhausted status and zero quota report once', snap, target: tt({ id: 1, status: 4, unlimitedQuota: false, remainQuota: 0 }), expect: [{ code: 'TOKEN_EXHAUSTED' }] },
  ]);
});
