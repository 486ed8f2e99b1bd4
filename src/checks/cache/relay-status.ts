import { answerText, exchangeEvidence } from '../../live/describe.js';
import type { NodeFacts, StatusRead } from '../../live/types.js';
import type { Finding } from '../../types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

// Is each node there, is it the product and build the database belongs to, and did it restart
// while relay-doctor looked (RB §1.1; F3, F8, F23, F31).

const NEW_BUILDS = new Set(['BF', 'NA-0.9.16', 'NA-main']);

function statusEvidence(s: StatusRead | undefined): Record<string, unknown> | undefined {
  if (!s) return undefined;
  if (s.failure) return { error: s.failure.error };
  const out: Record<string, unknown> = { httpStatus: s.httpStatus };
  if (s.notStatus) out.answer = s.notStatus;
  for (const k of ['version', 'startTime', 'systemName', 'headerVersion'] as const) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

function unreachable(n: NodeFacts): Finding | undefined {
  const s = n.statusStart;
  const probe = n.routing ?? n.route;
  const evidence = { node: n.label, status: statusEvidence(s), probe: exchangeEvidence(probe) };
  const remedy = { text: 'Check the URL (scheme, host, port), that this machine can reach it, and that the relay process is running (its console; a restart loop shows as start_time changing).' };
  if (s.failure && (!probe || probe.failure)) return finding('RELAY_UNREACHABLE', `${n.label} cannot be reached: ${s.failure.error}`, { subject: { node: n.label }, evidence, remedy });
  if (probe?.failure) return finding('RELAY_UNREACHABLE', `${n.label} answered /api/status but not the probe (${probe.method} ${probe.path}): ${probe.failure.error}`, { subject: { node: n.label }, evidence, remedy });
  const kind = n.routing?.classification?.kind;
  if (kind === 'proxy-error') return finding('RELAY_UNREACHABLE', `${n.label} is answered by a proxy without a healthy relay behind it (${answerText(n.routing)})`, { subject: { node: n.label }, evidence, remedy });
  if (s.notStatus && (kind === 'web-page' || kind === 'invalid-url' || !n.routing)) {
    return finding('RELAY_UNREACHABLE', `${n.label} does not answer like a new-api / one-api relay: /api/status gives ${s.notStatus}${n.routing ? `, /v1/chat/completions gives ${answerText(n.routing)}` : ''}`, { subject: { node: n.label }, evidence, remedy: { text: "Point --relay-url at the relay itself (its own port, e.g. http://host:3000), not at a web front end." } });
  }
  return undefined;
}

export const relayStatus: Check = {
  id: 'cache/relay-status',
  stage: 'cache',
  scope: 'relay',
  codes: ['RELAY_UNREACHABLE', 'RELAY_CRASH_LOOP', 'RELAY_BUILD_OUTDATED'],
  description: 'each relay node answers, runs the expected build, and did not restart during the run',
  run({ snap, target }) {
    const relay = snap.live?.relay;
    if (!relay) return [];
    const out: Finding[] = [];
    for (const n of relay.nodes) {
      const u = unreachable(n);
      if (u) out.push(u);
      const a = n.statusStart;
      const b = n.statusEnd;
      if (a.ok && b?.ok && a.startTime !== undefined && b.startTime !== undefined && a.startTime !== b.startTime) {
        out.push(
          finding('RELAY_CRASH_LOOP', `${n.label} restarted while relay-doctor was probing it: /api/status start_time moved from ${a.startTime} to ${b.startTime} within ${Math.round((b.at - a.at) / 1000)} s`, {
            subject: { node: n.label },
            evidence: { node: n.label, first: statusEvidence(a), second: statusEvidence(b) },
            remedy: { text: "Read the node's console for the panic or fatal line before each start (startup: nil-map rebuild panic F23, Redis ping, database DSN, route registration)." },
          }),
        );
      } else if (a.ok && b && !b.ok && b.failure) {
        out.push(
          finding('RELAY_CRASH_LOOP', `${n.label} stopped answering during the run (start_time ${a.startTime}, then: ${b.failure.error})`, {
            subject: { node: n.label },
            evidence: { node: n.label, first: statusEvidence(a), second: statusEvidence(b) },
            remedy: { text: "Read the node's console: a process that dies mid-run is crashing (or being redeployed)." },
          }),
        );
      }
      // The running build lacks a route the database's product has: indirect build evidence (F3).
      const rc = n.route?.classification;
      const def = target.route?.matched;
      if (def && rc && (rc.kind === 'web-page' || rc.kind === 'invalid-url')) {
        out.push(
          finding('RELAY_BUILD_OUTDATED', `${n.label} runs a build without ${def.pattern}${def.since ? ` (added to ${snap.product.product} on ${def.since})` : ''}: older than the code the database belongs to${a.version !== undefined ? ` (/api/status version ${q(a.version)})` : ''}`, {
            subject: { node: n.label },
            evidence: { node: n.label, route: def.pattern, since: def.since, answer: exchangeEvidence(n.route), status: statusEvidence(a) },
            remedy: { text: 'Deploy the current build to this node (BF\'s /api/status version is empty: compare start_time with the deployment time).' },
          }),
        );
      }
      const pc = n.routing?.classification;
      if (pc?.kind === 'channel-selected' && pc.errorCode === 'invalid_text_request' && NEW_BUILDS.has(snap.product.build)) {
        out.push(
          finding('RELAY_BUILD_OUTDATED', `${n.label} answers the probe with 400 invalid_text_request, like new-api builds before 2025-08-14, while the database's schema is ${snap.product.build}`, {
            subject: { node: n.label },
            evidence: { node: n.label, probe: exchangeEvidence(n.routing), databaseBuild: snap.product.build },
            remedy: { text: 'Deploy one build to every node, newer than the last migration (F73).' },
          }),
        );
      }
      const hint = a.productHint;
      const named = snap.options.get('SystemName');
      // With a SystemName option the name is the option's, not the product default: no hint then.
      if (hint && hint !== snap.product.product && named === undefined) {
        out.push(
          finding('RELAY_BUILD_OUTDATED', `${n.label} reports system_name ${q(a.systemName)}, the default of ${hint}, while the database belongs to ${snap.product.product}: the node may run another product's build (routes and channel type numbers differ)`, {
            status: 'warn',
            subject: { node: n.label },
            evidence: { node: n.label, status: statusEvidence(a), databaseProduct: snap.product.product, hints: a.hints },
          }),
        );
      }
    }
    return out;
  },
};

const q = JSON.stringify;
