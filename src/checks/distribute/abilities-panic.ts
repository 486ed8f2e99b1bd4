import { dialectFor } from '../../db/dialect.js';
import { panicGroups } from '../../relay/abilities.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

export const abilitiesPanic: Check = {
  id: 'distribute/abilities-panic',
  stage: 'distribute',
  scope: 'relay',
  codes: ['ABILITY_GROUP_PANIC_RISK'],
  description: "every enabled channel's group exists in abilities (else the cache rebuild panics)",
  run({ snap }) {
    const risky = panicGroups(snap.channels, snap.abilities.groups);
    if (!risky.length) return [];
    const on = snap.settings.memoryCacheOn;
    const d = dialectFor(snap.db.engine);
    const byGroup = new Map<string, number[]>();
    for (const r of risky) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.channelId]);
    const list = [...byGroup].map(([g, ids]) => `${JSON.stringify(g)} (channel ${ids.map((i) => `#${i}`).join(', ')})`).join(', ');
    const effect = on
      ? snap.product.build === 'NA-2504' || snap.product.build === 'OA'
        ? 'the next cache rebuild panics with "assignment to entry in nil map"; this build has no recovery: the relay exits and crash-loops at startup'
        : `the next cache rebuild (within SYNC_FREQUENCY = ${snap.settings.syncFrequency} s) panics with "assignment to entry in nil map" and the process exits; at restart it recovers by rewriting abilities${snap.product.build === 'BF' ? ', and a request that misses the cache rebuilds inline and gets 500 new_api_panic' : ''}`
      : 'the memory cache is off, so nothing rebuilds today; turning it on (or setting REDIS_CONN_STRING) would make the first rebuild panic';
    return [
      finding('ABILITY_GROUP_PANIC_RISK', `group(s) ${list} appear in no abilities row: ${effect}`, {
        status: on ? 'fail' : 'warn',
        evidence: { groups: [...byGroup.keys()], channels: [...new Set(risky.map((r) => r.channelId))], memoryCacheOn: on },
        remedy: {
          text: 'Rebuild abilities from channels (this also clears the crash risk), or re-save the channel through the admin UI; fix empty or space-padded group entries first.',
          commands: ['relay-doctor fix-abilities --apply', `SELECT DISTINCT ${d.q('group')} FROM abilities;`],
        },
      }),
    ];
  },
};
