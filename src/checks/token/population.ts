import { dialectFor } from '../../db/dialect.js';
import { usingGroup } from '../../relay/token.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

/** Sweep only: every active token's group as TokenAuth would judge it, and unusable stored keys. */
export const tokenPopulation: Check = {
  id: 'token/population',
  stage: 'token',
  scope: 'relay',
  codes: ['GROUP_NOT_USABLE', 'GROUP_NOT_IN_RATIO', 'TOKEN_KEY_MALFORMED'],
  description: 'across active tokens: refused token groups and keys that can never authenticate',
  run({ snap }) {
    const out = [];
    const d = dialectFor(snap.db.engine);
    const refused = new Map<string, { code: 'GROUP_NOT_USABLE' | 'GROUP_NOT_IN_RATIO'; tokens: number; userGroups: Set<string>; detail: string }>();
    for (const gu of snap.groupUse ?? []) {
      if (!gu.tokenGroup) continue;
      const r = usingGroup({ group: gu.tokenGroup }, { group: gu.userGroup ?? '' }, snap.options, snap.product.build, snap.product.family);
      if (!r.refused) continue;
      const k = `${r.refused.code}|${gu.tokenGroup}`;
      const e = refused.get(k) ?? { code: r.refused.code, tokens: 0, userGroups: new Set(), detail: r.refused.detail };
      e.tokens += gu.tokens;
      e.userGroups.add(gu.userGroup ?? '');
      refused.set(k, e);
    }
    for (const [k, e] of refused) {
      const group = k.split('|').slice(1).join('|');
      out.push(
        finding(e.code, `${e.tokens} active token(s) use group ${JSON.stringify(group)}, which TokenAuth refuses: ${e.detail}`, {
          subject: { group },
          evidence: { tokens: e.tokens, ownerGroups: [...e.userGroups] },
          remedy: {
            text: e.code === 'GROUP_NOT_IN_RATIO' ? `Add "${group}" to GroupRatio, or move these tokens to a group that is in it.` : `Add "${group}" to UserUsableGroups, or move these tokens (relay-doctor fix-groups plans it).`,
            commands: ['relay-doctor fix-groups', `SELECT id, name, user_id FROM tokens WHERE ${d.q('group')} = ${d.lit(group)} AND status = 1;`],
          },
        }),
      );
    }
    const mk = snap.malformedKeys;
    if (mk && mk.count > 0) {
      out.push(
        finding('TOKEN_KEY_MALFORMED', `${mk.count} token(s) have a stored key with '-' or an sk- prefix: the relay's key parsing can never match them`, {
          evidence: { count: mk.count, tokenIds: mk.ids },
          remedy: { text: 'Reissue these tokens from the relay; keys are stored without sk- and never contain -.', commands: [`SELECT id, name FROM tokens WHERE ${d.q('key')} LIKE '%-%' OR ${d.q('key')} LIKE 'sk-%';`] },
        }),
      );
    }
    return out;
  },
};
