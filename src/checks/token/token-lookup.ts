import { dialectFor } from '../../db/dialect.js';
import { storedKeyUnusable } from '../../relay/token.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';
import { restoreRowSql } from '../../remedies/commands.js';

export const tokenLookup: Check = {
  id: 'token/token-lookup',
  stage: 'token',
  scope: 'target',
  codes: ['TOKEN_NOT_FOUND', 'TOKEN_KEY_MALFORMED'],
  description: 'the caller key finds a live token row the way TokenAuth looks it up',
  run({ snap, target }) {
    const tf = target.token;
    if (!tf) return [];
    const out = [];
    const d = dialectFor(snap.db.engine);
    const t = tf.token;
    if (!t) {
      const how = tf.by === 'key' ? 'the key' : tf.by === 'id' ? `id ${snap.run.target.tokenId}` : `name ${JSON.stringify(snap.run.target.tokenName)}`;
      out.push(
        finding('TOKEN_NOT_FOUND', `no token row matches ${how}: the relay answers 401 (无效的令牌 / Invalid token)`, {
          evidence: { lookup: tf.by, ...(tf.parsed ? { keyLength: tf.parsed.lookup.length, hadSkPrefix: tf.parsed.hadPrefix } : {}) },
          remedy: { text: 'Check that the client sends Authorization: Bearer sk-<key> of an existing token, against the database this relay uses; issue a new token otherwise.' },
        }),
      );
    } else if (t.deleted) {
      out.push(
        finding('TOKEN_NOT_FOUND', `token #${t.id} (${t.name ?? 'unnamed'}) is soft-deleted: the relay's lookup skips it and answers 401`, {
          subject: { tokenId: t.id },
          evidence: { tokenId: t.id, deleted_at: 'set' },
          remedy: { text: 'Issue a new token; or restore this one by clearing deleted_at.', commands: [restoreRowSql('tokens', t.id)] },
        }),
      );
    }
    if (tf.parsed?.pin !== undefined && t && !t.deleted) {
      const admin = (tf.user?.role ?? 0) >= 10;
      if (!admin) {
        out.push(
          finding('TOKEN_KEY_MALFORMED', `the key carries a "-${tf.parsed.pin}" suffix, which pins a channel; the owner is not an admin, so the relay answers 403 普通用户不支持指定渠道`, {
            subject: { tokenId: t.id },
            evidence: { suffix: tf.parsed.pin, ownerRole: tf.user?.role ?? null },
            remedy: { text: 'Send the key without the -<id> suffix (only admins may pin a channel).' },
          }),
        );
      }
    }
    if (t && tf.by !== 'key') {
      const why = storedKeyUnusable(t.key.reveal());
      if (why) {
        out.push(
          finding('TOKEN_KEY_MALFORMED', `token #${t.id} can never authenticate: ${why}`, {
            subject: { tokenId: t.id },
            evidence: { tokenId: t.id },
            remedy: { text: 'Issue a new token from the relay (keys are 48 characters of [0-9a-zA-Z], stored without sk-).', commands: [`SELECT id, name FROM tokens WHERE ${d.q('key')} LIKE '%-%' OR ${d.q('key')} LIKE 'sk-%';`] },
          }),
        );
      }
    }
    return out;
  },
};
