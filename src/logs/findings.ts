import type { Finding, FindingStatus, Remedy } from '../types.js';
import { logCodeInfo } from './codes.js';
import type { Cluster } from './types.js';

const RANK: Record<FindingStatus, number> = { fail: 0, warn: 1, info: 2 };

const REMEDIES: Record<string, string> = {
  GROUP_HAS_NO_CHANNEL:
    'A log line cannot tell whether another group serves the model (that would be NO_CHANNEL_FOR_MODEL): run `relay-doctor diagnose --model <m> --group <g>`; then list the model on an enabled channel of that group through the admin UI so abilities follow.',
  NO_CHANNEL_FOR_MODEL: 'Add the routing model to an enabled channel through the admin UI (so abilities follow); run diagnose to confirm against the database.',
  CHANNELS_ALL_DISABLED: 'Fix the upstream error that disabled the channel, re-enable it through the admin UI, and consider a second channel or priority tier.',
  ABILITY_GROUP_PANIC_RISK: 'Run POST /api/channel/fix (or re-save the channel in the admin UI) so every channel group has abilities rows; never insert channels by SQL.',
  RELAY_CRASH_LOOP: 'Read the panic above the restart; for the nil-map panic rebuild abilities (POST /api/channel/fix).',
  RELAY_PANIC: 'Read the panic value and the stack in the log; report it upstream if it is not a configuration problem.',
  OPTION_JSON_INVALID: 'Repair the option JSON (options table); the relay reloads it within SYNC_FREQUENCY seconds on every node.',
  CHANNEL_JSON_INVALID: "Repair the channel's JSON fields through the admin UI.",
  REDIS_UNREACHABLE: 'Restore Redis, or unset REDIS_CONN_STRING and accept the memory-cache-only mode.',
  MODEL_PRICE_MISSING: 'Add a ModelPrice (USD per call) or ModelRatio entry for the model name the relay bills.',
  USER_MISSING: "Restore the token owner (clear users.deleted_at) or move the token to a live user; with Redis delete user:<uid> afterwards.",
  UPSTREAM_TIMEOUT: 'The upstream needs more than 60 s to send headers: make it answer sooner (asynchronous submit); the passthrough cannot wait longer without a code change.',
  UPSTREAM_SLOW: 'Check the upstream latency with `relay-doctor probe-upstream`; builds before 2025-11-07 also cancel body reads early.',
  UPSTREAM_TLS_FAILED: 'Check the certificate and the network path to the upstream (`relay-doctor probe-upstream`).',
  UPSTREAM_DNS_FAILED: 'Correct the channel base_url host or the DNS of the relay host.',
  UPSTREAM_CONNECT_FAILED: 'Check that the upstream listens and the relay host can reach it (firewall, port).',
  UPSTREAM_CONNECTION_DROPPED: 'Check body-size and idle limits of the upstream and any proxy in between; retry uploads on the client.',
  UPSTREAM_5XX: 'The upstream itself failed: fix it there; clients polling tasks should keep polling.',
  UPSTREAM_NO_CHANNEL: "The upstream relay lacks a channel for its model: fix it at the upstream (or the channel key's group there).",
  UPSTREAM_AUTH_REJECTED: 'Replace the channel key (it is rejected by the upstream).',
  RELAY_BUILD_OUTDATED: 'Deploy a current build of the relay.',
  CACHE_STALE_CHANNELS: 'Wait SYNC_FREQUENCY seconds, call POST /api/channel/fix on each node, or restart.',
};

/** Turn log clusters into findings: one per code, the worst status of its clusters, the evidence merged. */
export function clustersToFindings(clusters: Cluster[]): Finding[] {
  const byCode = new Map<string, Cluster[]>();
  for (const c of clusters) {
    const list = byCode.get(c.code);
    if (list) list.push(c);
    else byCode.set(c.code, [c]);
  }
  const out: Finding[] = [];
  for (const [code, list] of byCode) {
    const info = logCodeInfo(code);
    list.sort((a, b) => RANK[a.status] - RANK[b.status] || b.count - a.count);
    const main = list[0]!;
    const status = main.status;
    const lines = list.reduce((n, c) => n + c.count, 0);
    const union = <T>(f: (c: Cluster) => T[]) => [...new Set(list.flatMap(f))];
    const channels = union((c) => c.channels).sort((a, b) => a - b);
    const models = union((c) => c.models);
    const groups = union((c) => c.groups);
    const requestIds = union((c) => c.requestIds).slice(0, 5);
    const first = list.map((c) => c.firstSeen).filter((x): x is string => x !== null).sort()[0] ?? null;
    const last = list.map((c) => c.lastSeen).filter((x): x is string => x !== null).sort().at(-1) ?? null;

    const parts = [`${main.title}: ${lines} log line${lines === 1 ? '' : 's'}`];
    if (first) parts.push(first === last ? `at ${first}` : `${first} … ${last}`);
    if (channels.length) parts.push(`channel${channels.length > 1 ? 's' : ''} ${channels.map((c) => `#${c}`).join(', ')}`);
    if (models.length) parts.push(`model${models.length > 1 ? 's' : ''} ${models.join(', ')}`);
    if (groups.length) parts.push(`group${groups.length > 1 ? 's' : ''} ${groups.map((g) => (g === '' ? '(empty)' : g)).join(', ')}`);
    let message = parts.join('; ');
    if (code === 'GROUP_HAS_NO_CHANNEL') message += '. The line names the group; it cannot tell whether another group serves the model';
    if (code === 'RELAY_BUILD_OUTDATED' && clusters.some((c) => c.code === 'UPSTREAM_SLOW' && c.details.some((d) => d.text.startsWith('context canceled')))) {
      message += '. The context-canceled body reads in the same logs are what builds from 2025-11-07 fixed';
    }

    const f: Finding = { code, status, stage: info.stage, message, check: 'logs' };
    const subject: Record<string, unknown> = {};
    if (channels.length) subject.channels = channels;
    if (models.length) subject.models = models;
    if (groups.length) subject.groups = groups;
    if (Object.keys(subject).length) f.subject = subject;
    f.evidence = {
      source: 'logs',
      lines,
      requests: list.reduce((n, c) => n + c.requests, 0),
      firstSeen: first,
      lastSeen: last,
      requestIds,
      examples: list.slice(0, 3).map((c) => c.example),
      signatures: list.map((c) => ({ signature: c.signature, count: c.count, status: c.status, details: c.details.slice(0, 5) })),
      paths: union((c) => c.paths).slice(0, 10),
    };
    const text = REMEDIES[code];
    if (text) f.remedy = { text } satisfies Remedy;
    out.push(f);
  }
  return out.sort((a, b) => RANK[a.status] - RANK[b.status]);
}
