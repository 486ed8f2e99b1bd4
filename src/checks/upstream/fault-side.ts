import type { ProbeRecord } from '../../probe/types.js';
import { finding } from '../report.js';
import type { Check } from '../types.js';

// When every probe of the selected channels' upstreams answers normally, say so with the
// numbers: a failure of this request is then raised on the relay's side, not upstream.

const ms = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);

function line(p: ProbeRecord): string {
  const what = p.kind === 'models' ? 'model list' : p.kind === 'route' ? 'task lookup on the route prefix' : p.kind === 'live' ? 'the real request' : 'connection';
  return `${what} ${p.status ?? '–'}${p.bodyKind !== 'empty' ? ` ${p.bodyKind.toUpperCase()}` : ''} in ${ms(p.phases.totalMs)} (first byte ${ms(p.phases.ttfbMs)})`;
}

export const upstreamFaultSide: Check = {
  id: 'upstream/fault-side',
  stage: 'upstream',
  scope: 'target',
  codes: ['UPSTREAM_HEALTHY'],
  description: 'whether the upstream answers the channel key normally, which puts a failure on the relay side',
  run({ snap, target }) {
    const up = snap.upstream;
    if (!up) return [];
    const ids = new Set(target.channels.map((c) => c.id));
    const probes = up.probes.filter((p) => ids.has(p.channelId));
    const sent = probes.filter((p) => p.attempts > 0);
    if (!sent.length || probes.some((p) => p.findings.some((f) => f.status !== 'info'))) return [];
    const byChannel = new Map<number, ProbeRecord[]>();
    for (const p of sent) byChannel.set(p.channelId, [...(byChannel.get(p.channelId) ?? []), p]);
    const parts = [...byChannel].map(([id, ps]) => `channel #${id}'s upstream answers its key: ${ps.map(line).join('; ')}`);
    const first = [...byChannel.keys()][0]!;
    return [
      finding('UPSTREAM_HEALTHY', `${parts.join('. ')}. The upstream answers fine: a failure of this request comes from the relay, not from upstream (these probes are read-only; probe-upstream --live sends the real request)`, {
        subject: { channelIds: [...byChannel.keys()] },
        evidence: {
          probes: sent.map((p) => ({ channelId: p.channelId, ...(p.keyIndex !== undefined ? { keyIndex: p.keyIndex } : {}), kind: p.kind, method: p.method, url: p.url, status: p.status, bodyKind: p.bodyKind, phases: p.phases })),
        },
        remedy: {
          text: 'Look at the relay side of the flowchart (the stages above), or send the real request upstream to compare.',
          commands: [`relay-doctor probe-upstream --channel ${first}${target.path ? ` --path ${target.path} --live --body @request.json` : ''}`],
        },
      }),
    ];
  },
};
