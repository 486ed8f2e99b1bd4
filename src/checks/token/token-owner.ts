import type { Check } from '../types.js';
import { finding } from '../report.js';
import { restoreRowSql } from '../../remedies/commands.js';

export const tokenOwner: Check = {
  id: 'token/token-owner',
  stage: 'token',
  scope: 'target',
  codes: ['USER_MISSING', 'USER_BANNED'],
  description: "the token's owner exists, is not soft-deleted and is enabled",
  run({ snap, target }) {
    const t = target.token?.token;
    if (!t || t.deleted) return [];
    const u = target.token?.user;
    const answer = snap.product.build === 'NA-main' ? '500 "Database error, please contact the administrator"' : '500 with the message "record not found"';
    if (!u || u.deleted) {
      return [
        finding('USER_MISSING', `token #${t.id} belongs to user #${t.userId ?? 'NULL'}, who is ${u ? 'soft-deleted' : 'missing'}: TokenAuth's user lookup fails and the relay answers ${answer}`, {
          subject: { tokenId: t.id, userId: t.userId },
          evidence: { tokenId: t.id, userId: t.userId, userRow: u ? 'soft-deleted' : 'absent' },
          remedy: {
            text: 'Restore the user (clear deleted_at) or move the token to a live user. With Redis, delete user:<id> afterwards or wait SYNC_FREQUENCY.',
            commands: u ? [restoreRowSql('users', u.id)] : [],
          },
        }),
      ];
    }
    const deletedOneApi = snap.product.family === 'one-api' && u.status === 3;
    if (u.status !== 1) {
      return [
        finding('USER_BANNED', `user #${u.id} (${u.username ?? ''}) has status ${u.status}${deletedOneApi ? ' (deleted)' : ''}: the relay answers 403 用户已被封禁`, {
          subject: { userId: u.id },
          evidence: { userId: u.id, status: u.status },
          remedy: { text: 'Re-enable the user in the admin UI (with Redis the user hash keeps the old status for up to SYNC_FREQUENCY seconds).' },
        }),
      ];
    }
    return [];
  },
};
