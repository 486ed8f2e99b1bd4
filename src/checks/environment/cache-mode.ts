import type { Check } from '../types.js';
import { finding } from '../report.js';

export const cacheMode: Check = {
  id: 'environment/cache-mode',
  stage: 'environment',
  scope: 'relay',
  codes: ['CACHE_FORCED_ON'],
  description: 'MEMORY_CACHE_ENABLED means what the operator thinks',
  run({ snap }) {
    const s = snap.settings;
    if (!s.forcedByRedis || s.memoryCacheRaw === undefined) return [];
    return [
      finding('CACHE_FORCED_ON', `MEMORY_CACHE_ENABLED=${s.memoryCacheRaw} has no effect: REDIS_CONN_STRING is set, and Redis forces the memory cache on`, {
        evidence: { MEMORY_CACHE_ENABLED: s.memoryCacheRaw, REDIS_CONN_STRING: 'set', memoryCacheOn: true, syncFrequency: s.syncFrequency },
        remedy: {
          text: `Disabling the memory cache is not a fix on this deployment. Channel and option edits reach each node within SYNC_FREQUENCY (${s.syncFrequency} s); to apply one at once, save through the admin API or call POST /api/channel/fix on every node.`,
        },
      }),
    ];
  },
};
