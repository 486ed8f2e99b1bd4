import type { Check } from '../types.js';
import { finding } from '../report.js';

export const abilitiesDangling: Check = {
  id: 'distribute/abilities-dangling',
  stage: 'distribute',
  scope: 'relay',
  codes: ['ABILITY_DANGLING', 'ABILITY_PRIORITY_NULL'],
  description: 'abilities rows point at existing channels and carry a priority',
  run({ snap }) {
    const a = snap.abilities;
    const out = [];
    if (a.danglingCount > 0) {
      const ids = [...new Set(a.dangling.map((r) => r.channelId))];
      out.push(
        finding('ABILITY_DANGLING', `${a.danglingCount} abilities row(s) point at channel(s) that no longer exist (${ids.map((i) => `#${i}`).join(', ')}): on the abilities path the winner lookup fails with "record not found" (503)`, {
          evidence: { count: a.danglingCount, channelIds: ids, sample: a.dangling.slice(0, 5).map((r) => ({ group: r.group, model: r.model, channelId: r.channelId })) },
          remedy: { text: 'Rebuild abilities from channels; it drops rows of deleted channels.', commands: ['relay-doctor fix-abilities --apply'] },
        }),
      );
    }
    if (a.nullPriorityCount > 0) {
      out.push(
        finding('ABILITY_PRIORITY_NULL', `${a.nullPriorityCount} abilities row(s) have a NULL priority (hand-inserted): NULL never equals MAX(priority), so the abilities path never picks them`, {
          evidence: { count: a.nullPriorityCount },
          remedy: { text: 'Rebuild abilities from channels.', commands: ['relay-doctor fix-abilities --apply'] },
        }),
      );
    }
    return out;
  },
};
