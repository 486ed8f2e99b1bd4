import { tokenProblems } from '../../relay/token.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

const MESSAGE = {
  TOKEN_DISABLED: '401 该令牌状态不可用',
  TOKEN_EXPIRED: '401 该令牌已过期',
  TOKEN_EXHAUSTED: '401 该令牌额度已用尽',
};

export const tokenState: Check = {
  id: 'token/token-state',
  stage: 'token',
  scope: 'target',
  codes: ['TOKEN_DISABLED', 'TOKEN_EXPIRED', 'TOKEN_EXHAUSTED'],
  description: 'status, expiry and quota, computed from the numbers as the relay does',
  run({ snap, target }) {
    const t = target.token?.token;
    if (!t || t.deleted) return [];
    const seen = new Set<string>();
    return tokenProblems(t, snap.run.now)
      .filter((p) => (seen.has(p.code) ? false : (seen.add(p.code), true)))
      .map((p) =>
        finding(p.code, `token #${t.id}: ${p.detail}; the relay answers ${snap.product.build === 'NA-main' ? '401 Invalid token' : MESSAGE[p.code]}`, {
          subject: { tokenId: t.id },
          evidence: { tokenId: t.id, status: t.status, expired_time: t.expiredTime, remain_quota: t.remainQuota, unlimited_quota: t.unlimitedQuota, now: snap.run.now },
          remedy: {
            text:
              p.code === 'TOKEN_EXHAUSTED'
                ? 'Top up the token (or make it unlimited) in the admin UI. With Redis, the cached hash keeps the old quota for up to SYNC_FREQUENCY seconds.'
                : p.code === 'TOKEN_EXPIRED'
                  ? 'Extend expired_time (or set -1 for never) in the admin UI.'
                  : 'Re-enable the token in the admin UI.',
          },
        }),
      );
  },
};
