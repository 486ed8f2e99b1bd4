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
    // Quiet when a running node answered the routing probe: cache/relay-routing says what it believes.
    const relay = snap.live?.relay;
    if (relay?.nodes.some((n) => n.routing?.status !== undefined)) return [];
    const why = relay?.notes.length ? ` (${relay.notes.join('; ')})` : '';
    const parts: string[] = [];
    if (s.memoryCacheOn) parts.push(`each node caches channels and options in memory and rebuilds them every ${s.syncFrequency} s`);
    if (s.redisSet) parts.push(`Redis token and user hashes live up to ${s.syncFrequency} s after they were written`);
    const window = s.memoryCacheOn || s.redisSet
      ? `${parts.join('; ')}, so a database fix can take up to ${s.syncFrequency} s to reach each node`
      : `the memory cache is off, so channel and token edits take effect at once; option edits (GroupRatio, ModelPrice…) reload every ${s.syncFrequency} s`;
    return [
      finding('CACHE_WINDOW_OPEN', `${relay ? `no node's routing view was probed${why}` : 'no live relay was probed'}: this report is what the database says. ${window}`, {
        evidence: { memoryCacheOn: s.memoryCacheOn, forcedByRedis: s.forcedByRedis, syncFrequency: s.syncFrequency, redis: s.redisSet, ...(s.syncFrequencyNote ? { note: s.syncFrequencyNote } : {}) },
        remedy: { text: 'To see what each running node believes, run again with --relay-url <node> (repeatable) and --token.' },
      }),
    ];
  },
};
