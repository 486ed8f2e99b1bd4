import { JSON_OPTIONS } from '../../relay/options.js';
import { OPTION_MAP_LOG_LINE } from '../../remedies/commands.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

// Options that decide routing, permission and price answers.
const WATCHED = [...Object.keys(JSON_OPTIONS), 'SelfUseModeEnabled', 'QuotaPerUnit', 'RetryTimes', 'AutomaticDisableChannelEnabled', 'AutomaticEnableChannelEnabled'];

function same(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

export const optionsStale: Check = {
  id: 'cache/options-stale',
  stage: 'cache',
  scope: 'relay',
  codes: ['CACHE_STALE_OPTIONS'],
  description: "each running node holds the options table's values (GET /api/option/)",
  run({ snap }) {
    const out = [];
    for (const node of snap.liveOptions ?? []) {
      if (!node.ok || !node.values) {
        out.push(finding('CACHE_STALE_OPTIONS', `could not read the options ${node.url} holds (${node.error}): pass a root user's access token with --admin-token (and --admin-user <id> before new-api's 2026-07 auth rewrite)`, { status: 'info', subject: { node: node.url } }));
        continue;
      }
      const differs = WATCHED.filter((k) => snap.options.has(k) && node.values!.has(k) && !same(snap.options.get(k)!, node.values!.get(k)!));
      if (!differs.length) continue;
      out.push(
        finding('CACHE_STALE_OPTIONS', `${node.url} still holds other values than the options table for ${differs.join(', ')}: the node has not reloaded them (every ${snap.settings.syncFrequency} s) or failed to parse them`, {
          subject: { node: node.url },
          evidence: { node: node.url, options: differs, syncFrequency: snap.settings.syncFrequency, excerpt: Object.fromEntries(differs.map((k) => [k, { table: snap.options.get(k)!.slice(0, 80), node: node.values!.get(k)!.slice(0, 80) }])) },
          remedy: { text: `Wait ${snap.settings.syncFrequency} s and check again; if the node keeps the old value, its log shows "${OPTION_MAP_LOG_LINE}" (invalid JSON), or save the option through the admin API on that node.` },
        }),
      );
    }
    return out;
  },
};
