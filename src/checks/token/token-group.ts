import { dialectFor } from '../../db/dialect.js';
import { groupRefusalMessage } from '../../relay/token.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const tokenGroup: Check = {
  id: 'token/token-group',
  stage: 'token',
  scope: 'target',
  codes: ['GROUP_NOT_USABLE', 'GROUP_NOT_IN_RATIO', 'GROUP_FALLBACK_TO_USER'],
  description: 'the using group: the token group if set (usable and in GroupRatio), else the user group',
  run({ snap, target }) {
    const ug = target.usingGroup;
    const t = target.token?.token;
    const u = target.token?.user;
    if (!ug || !t || !u) return [];
    const d = dialectFor(snap.db.engine);
    if (ug.refused) {
      const msg = groupRefusalMessage(ug.refused.code, ug.group, snap.product.build);
      return [
        finding(ug.refused.code, `token #${t.id} asks for group ${JSON.stringify(ug.group)}: ${ug.refused.detail}; the relay answers 403 ${msg}`, {
          subject: { tokenId: t.id, group: ug.group },
          evidence: { tokenGroup: t.group, userGroup: u.group, option: ug.refused.code === 'GROUP_NOT_IN_RATIO' ? 'GroupRatio' : 'UserUsableGroups' },
          remedy: {
            text: ug.refused.code === 'GROUP_NOT_IN_RATIO' ? `Add "${ug.group}" to GroupRatio, or give the token a group that is in it.` : `Add "${ug.group}" to UserUsableGroups, or give the token a usable group (relay-doctor fix-groups plans it).`,
            commands: ['relay-doctor fix-groups'],
          },
        }),
      ];
    }
    if (ug.from === 'user' && snap.product.family === 'new-api') {
      return [
        finding('GROUP_FALLBACK_TO_USER', `token #${t.id} has an empty group, so the relay uses its owner's group ${JSON.stringify(u.group ?? '')} (no UserUsableGroups or GroupRatio check applies)`, {
          subject: { tokenId: t.id, userId: u.id },
          evidence: { tokenGroup: t.group ?? '', userGroup: u.group ?? '', usingGroup: ug.group },
          remedy: {
            text: 'Editing the token column does not change routing unless the new group is usable and in GroupRatio; the user group decides today.',
            commands: [`SELECT id, ${d.q('group')} FROM users WHERE id = ${u.id};`],
          },
        }),
      ];
    }
    return [];
  },
};
