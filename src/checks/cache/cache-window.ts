import type { Check } from '../types.js';
import { finding } from '../report.js';

export const cacheWindow: Check = {
  id: 'cache/cache-window',
  stage: 'cache',
  scope: 'relay',
  codes: ['CACHE_WINDOW_OPEN'],
  description: 'how long a database fix takes to reach each running node',
  run({ snap }) {
    const s = snap.settings;
    if (snap.run.relayUrls.length) return [];
    const parts: string[] = [];
    if (s.memoryCacheOn) parts.push(`channels and options are cached in memory on each node and rebuilt every ${s.syncFrequency} s`);
    else parts.push(`options reload every ${s.syncFrequency} s; channel routing reads the database directly (memory cache off)`);
    if (s.redisSet) parts.push(`Redis token and user hashes live up to ${s.syncFrequency} s after they were written`);
    return [
      finding('CACHE_WINDOW_OPEN', `no live relay was probed: this report is what the database says. ${parts.join('; ')}, so a database fix can take up to ${s.syncFrequency} s to reach each node`, {
        evidence: { memoryCacheOn: s.memoryCacheOn, forcedByRedis: s.forcedByRedis, syncFrequency: s.syncFrequency, redis: s.redisSet, ...(s.syncFrequencyNote ? { note: s.syncFrequencyNote } : {}) },
        remedy: { text: 'To see what each running node believes, run again with --relay-url <node> (repeatable) and --token.' },
      }),
    ];
  },
};
