import type { Check } from '../types.js';

// The upstream probes' findings (src/probe/classify.ts) for the channels this request selects.

export const upstreamProbes: Check = {
  id: 'upstream/probes',
  stage: 'upstream',
  scope: 'target',
  codes: [
    'UPSTREAM_DNS_FAILED',
    'UPSTREAM_CONNECT_FAILED',
    'UPSTREAM_CONNECTION_DROPPED',
    'UPSTREAM_TLS_FAILED',
    'UPSTREAM_TIMEOUT',
    'UPSTREAM_SLOW',
    'UPSTREAM_5XX',
    'UPSTREAM_AUTH_REJECTED',
    'UPSTREAM_HTML_RESPONSE',
    'UPSTREAM_NO_CHANNEL',
    'UPSTREAM_CORS_DUPLICATE',
    'UPSTREAM_NOT_MODIFIED',
    'UPSTREAM_REJECTED_REQUEST',
    'UPSTREAM_REDIRECT',
    'UPSTREAM_PROTOCOL_ERROR',
    'UPSTREAM_PROBE_SKIPPED',
  ],
  description: "the selected channels' upstreams, reached directly with the channel key",
  run({ snap, target }) {
    const up = snap.upstream;
    if (!up) return [];
    const ids = new Set(target.channels.map((c) => c.id));
    return up.probes.filter((p) => ids.has(p.channelId)).flatMap((p) => p.findings.map((f) => ({ ...f })));
  },
};
