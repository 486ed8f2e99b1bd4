import { routeView } from '../../live/compare.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

/**
 * BF ≥ 2025-11-25 rebuilds its whole routing cache inside a request whose lookup misses, and
 * falls back to abilities (RB §5.3, §11.1): our own zero-cost probe can heal a stale node, so a
 * probe that routes says nothing about the node's view a moment before.
 */
export const probeMayHeal: Check = {
  id: 'cache/probe-may-heal',
  stage: 'cache',
  scope: 'relay',
  codes: ['CACHE_PROBE_MAY_HEAL'],
  description: "the fork's inline cache rebuild can hide the staleness a probe looks for",
  run({ snap }) {
    if (snap.product.build !== 'BF' || !snap.settings.memoryCacheOn) return [];
    const routed = (snap.live?.relay?.nodes ?? []).filter((n) => routeView(n.routing) === 'routes');
    if (!routed.length) return [];
    const logged = snap.logs?.analysis.clusters.some((c) => c.signature.startsWith('cache-retry')) ?? false;
    return [
      finding('CACHE_PROBE_MAY_HEAL', `${routed.map((n) => n.label).join(', ')} ${routed.length > 1 ? 'route' : 'routes'} the probe now, but this fork rebuilds its routing cache inside any request that misses it and falls back to abilities: the probe itself may have healed a stale view, so it cannot prove the view was fresh when the user's request failed${logged ? '; the logs given show [CacheRetry] lines: that rebuild happened' : ''}`, {
        evidence: { nodes: routed.map((n) => n.label), build: snap.product.build, cacheRetryLines: logged },
        remedy: { text: "If the user saw 503 model_not_found, the relay's log lines of that moment ([CacheRetry] / [CacheFallback]) decide: attach them with --log-file." },
      }),
    ];
  },
};
