import { oddEntries } from '../../relay/lists.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const listWhitespace: Check = {
  id: 'distribute/list-whitespace',
  stage: 'distribute',
  scope: 'relay',
  codes: ['LIST_ENTRY_WHITESPACE'],
  description: 'models and group lists have no empty or space-padded entries (the relay does not trim)',
  run({ snap, target }) {
    const out = [];
    for (const c of snap.channels) {
      for (const column of ['models', 'group'] as const) {
        const v = column === 'models' ? c.models : c.group;
        const odd = oddEntries(v);
        if (!odd.empty && !odd.padded.length) continue;
        const what = [odd.empty && `${odd.empty} empty entr${odd.empty === 1 ? 'y' : 'ies'}`, odd.padded.length && `padded ${odd.padded.map((p) => JSON.stringify(p)).join(', ')}`].filter(Boolean).join(' and ');
        out.push(
          finding('LIST_ENTRY_WHITESPACE', `channel #${c.id} ${column} ${JSON.stringify(v)} has ${what}: the relay splits on ',' without trimming, so these are different ${column === 'models' ? 'model' : 'group'} names`, {
            subject: { channelId: c.id, column },
            evidence: { channelId: c.id, column, value: v, enabled: c.status === 1 },
            remedy: { text: `Rewrite the ${column} list without spaces or empty entries through the admin UI (so abilities follow).` },
          }),
        );
      }
    }
    const t = target.token?.token;
    if (t?.modelLimitsEnabled) {
      const odd = oddEntries(t.modelLimits);
      if (odd.padded.length || (odd.empty && t.modelLimits !== '')) {
        out.push(
          finding('LIST_ENTRY_WHITESPACE', `token #${t.id} model_limits ${JSON.stringify(t.modelLimits)} has empty or padded entries the relay does not trim`, {
            subject: { tokenId: t.id, column: 'model_limits' },
            evidence: { padded: odd.padded, empty: odd.empty },
            remedy: { text: "Rewrite the token's model limits without spaces." },
          }),
        );
      }
    }
    return out;
  },
};
