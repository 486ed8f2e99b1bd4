import { codeInfo, type Code } from '../contract.js';
import { finding } from '../checks/report.js';
import type { Snapshot, TargetFacts } from '../diagnose/facts.js';
import { answerConstraint, type AnswerConstraint } from '../report/verdict.js';
import type { Finding } from '../types.js';
import { branches500, type Branch } from './branches.js';
import { classifyAnswer, type Classification } from './catalogue.js';
import { agreement, dbExpectation } from './compare.js';
import { answerContext, isPassthroughTarget } from './gatherers.js';
import { canAnswer, codesWithStatusRule } from './statuses.js';
import type { Exchange } from './types.js';

// The answer the user saw (--seen-*) or relay-doctor got (--live), read with the catalogue and
// set against everything else the run found. Runs after the checks: it needs their findings to
// say which branches of a 500 the evidence excludes, and it tells the verdict what can explain
// the answer (a routing failure answers 503, so it never explains a 500).

export interface AnswerReport {
  source: 'seen' | 'live';
  from: string[];
  status: number;
  /** Only the status was given: the body decides nothing. */
  statusOnly: boolean;
  kind: Classification['kind'] | 'status-only';
  origin: Classification['origin'];
  originWhy: string[];
  meaning: string;
  code?: string;
  errorCode?: string;
  message?: string;
  requestIds?: Classification['requestIds'];
  goError?: string;
  entries: string[];
  branches?: Branch[];
  consistent: string[];
  excluded: string[];
  /** The answer is an error the verdict must explain. */
  failure: boolean;
  conclusion: string;
}

export interface Judgement {
  findings: Finding[];
  seen?: AnswerReport;
  live?: AnswerReport;
  /** What the verdict must agree with (the answer the user saw, else --live's). */
  answer?: AnswerConstraint;
}

const q = JSON.stringify;
const ERROR_KINDS = new Set(['web-page', 'invalid-url', 'redirect', 'proxy-error']);

function isFailure(status: number, kind: string): boolean {
  return status >= 400 || ERROR_KINDS.has(kind) || status === 202;
}

const REMEDY: Partial<Record<Code, string>> = {
  UPSTREAM_5XX: "The fault is at the upstream the channel points to: read its logs for this request id, or probe it directly (relay-doctor probe-upstream). Restarting the relay or flushing its cache changes nothing here.",
  UPSTREAM_NO_CHANNEL: 'The upstream relay has no channel for its model: fix its channel list (not this relay).',
  UPSTREAM_AUTH_REJECTED: "The upstream refuses the channel's key: renew the key on the channel.",
  UPSTREAM_REJECTED_REQUEST: 'The upstream rejects the request body: compare it with the upstream API.',
  UPSTREAM_HTML_RESPONSE: "The upstream answered its web page: check the channel's base_url and the path prefix it must serve.",
  UPSTREAM_TIMEOUT: 'The upstream did not send headers within the limit (60 s on the passthrough): make it answer sooner, or use its asynchronous API.',
  UPSTREAM_TLS_FAILED: "Fix the upstream's certificate or TLS handshake (the relay verifies certificates).",
  UPSTREAM_DNS_FAILED: "The channel's base_url host does not resolve from the relay: fix the host or DNS.",
  UPSTREAM_CONNECT_FAILED: "The relay cannot connect to the channel's base_url: check host, port and firewall.",
  UPSTREAM_CONNECTION_DROPPED: 'The upstream closed the connection mid-exchange: check its limits (body size, timeouts) and stability.',
  CACHE_STALE_CHANNELS: 'The node routed to a channel the database no longer has: rebuild its routing view (admin channel call or POST /api/channel/fix on that node, or restart it), and remove dangling abilities.',
  CHANNEL_KEY_MISSING: 'Give the channel a key (or enable one of its keys).',
  CHANNEL_BASE_URL_MISSING: "Set the channel's base_url to the upstream gateway.",
  ROUTE_NOT_DEPLOYED: 'Deploy the build that has this route, then re-run.',
  USER_MISSING: "Restore the token's owner, or move the token to an existing user.",
  RELAY_OVERLOADED: 'Add capacity or raise the performance_setting.* thresholds.',
};

function statusOnlyReport(source: 'seen' | 'live', status: number, from: string[]): AnswerReport {
  return { source, from, status, statusOnly: true, kind: 'status-only', origin: 'unknown', originWhy: [], meaning: `only the status (${status}) is known`, entries: [], consistent: [], excluded: [], failure: status >= 400, conclusion: '' };
}

function fromClassification(source: 'seen' | 'live', from: string[], c: Classification): AnswerReport {
  const r: AnswerReport = { source, from, status: c.status, statusOnly: false, kind: c.kind, origin: c.origin, originWhy: c.originWhy, meaning: c.meaning, entries: c.entries, consistent: [], excluded: [], failure: isFailure(c.status, c.kind), conclusion: '' };
  if (c.code) r.code = c.code;
  if (c.errorCode) r.errorCode = c.errorCode;
  if (c.message) r.message = c.message;
  r.requestIds = c.requestIds;
  if (c.goError) r.goError = c.goError;
  return r;
}

function describe(r: AnswerReport): string {
  return `${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}${r.message ? ` "${r.message.length > 100 ? `${r.message.slice(0, 100)}…` : r.message}"` : ''}`;
}

/** Judge one answer: report, findings, and the codes that can and cannot explain it. */
function judgeOne(snap: Snapshot, t: TargetFacts, prior: Finding[], source: 'seen' | 'live', from: string[], status: number, c: Classification | undefined): { report: AnswerReport; findings: Finding[] } {
  const report = c ? fromClassification(source, from, c) : statusOnlyReport(source, status, from);
  const who = source === 'seen' ? `the ${status} the user saw` : `the ${status} --live got`;
  const out: Finding[] = [];
  const fails = prior.filter((f) => f.status === 'fail');
  const failing = new Set(fails.map((f) => f.code));
  const passthrough = isPassthroughTarget(snap, t);
  const subject = { answer: source };
  const evidence = { status, kind: report.kind, origin: report.origin, originWhy: report.originWhy, code: report.errorCode, message: report.message, requestIds: report.requestIds, goError: report.goError, from };

  // Codes that can and cannot produce this answer.
  const rules = codesWithStatusRule();
  let consistent: string[];
  let excluded: string[];
  if (status === 500) report.branches = branches500(snap, t, prior, passthrough, c && !c.code && c.kind === 'unknown' ? undefined : c);
  const decisive = Boolean(c && (c.code || c.consistent.length));
  if (decisive) {
    consistent = [...c!.consistent];
    excluded = rules.filter((code) => !consistent.includes(code));
  } else if (report.branches) {
    const open = report.branches.filter((b) => b.state !== 'excluded');
    consistent = [...new Set(open.flatMap((b) => b.codes))].filter((code) => code !== 'CACHE_STALE_CHANNELS');
    excluded = rules.filter((code) => !consistent.includes(code));
  } else {
    consistent = rules.filter((code) => canAnswer(code, status) === true);
    excluded = rules.filter((code) => canAnswer(code, status) === false);
  }
  report.consistent = consistent;
  report.excluded = excluded;

  const failure = isFailure(status, report.kind);
  if (c && failure) {
    if (c.code && codeInfo(c.code)) {
      const msg = `${who} (${describe(report)}): ${c.meaning}${c.origin === 'upstream' && c.originWhy.length ? ` — ${c.originWhy.join('; ')}` : ''}`;
      out.push(finding(c.code, msg, { subject, evidence, remedy: REMEDY[c.code] ? { text: REMEDY[c.code]! } : undefined }));
    } else if (c.kind === 'no-channel' || c.kind === 'selector-error') {
      const exp = dbExpectation(snap, t);
      const explained = ['CACHE_STALE_CHANNELS', 'RELAY_NODES_DISAGREE', 'CACHE_STALE_TOKEN', 'CACHE_STALE_USER'].some((x) => failing.has(x));
      if (exp && c.group !== undefined && exp.group !== undefined && c.group !== exp.group && !explained) {
        const code: Code = t.groupFrom === 'user' ? 'CACHE_STALE_USER' : 'CACHE_STALE_TOKEN';
        out.push(
          finding(code, `${who} names group ${q(c.group)}, while the database gives the caller the using group ${q(exp.group)}: the node that answered held an older view of the ${code === 'CACHE_STALE_USER' ? 'user' : 'token'} (a Redis hash, up to ${snap.settings.syncFrequency} s, F34/F35) or reads another database`, {
            subject,
            evidence: { ...evidence, answerGroup: c.group, databaseGroup: exp.group },
            remedy: { text: 'Run again with --redis (or REDIS_CONN_STRING in --env-file) to name the stale hash, and --relay-url to probe each node.' },
          }),
        );
      } else if (exp?.serves && !explained) {
        const probed = snap.live?.relay?.nodes.filter((n) => n.routing) ?? [];
        const nowAgree = probed.length > 0 && probed.every((n) => agreement(n.recheck ?? n.routing, exp) === 'agree');
        const tail = probed.length
          ? nowAgree
            ? `every probed node (${probed.map((n) => n.label).join(', ')}) routes it now: the node that answered was stale then and has caught up since, or it is a node relay-doctor did not probe`
            : 'the probe did not settle it'
          : `no node was probed: the node that answered had a routing view older than the database (within SYNC_FREQUENCY = ${snap.settings.syncFrequency} s of a database edit, F27/F30) or reads another database. Confirm with --relay-url <each node> --token`;
        out.push(
          finding('CACHE_WINDOW_OPEN', `${who} says the node had no channel for ${q(c.model ?? t.model)} in group ${q(c.group ?? t.group ?? '')}, while the database routes it to ${exp.channels.map((id) => `#${id}`).join(', ')}; ${tail}`, {
            status: 'warn',
            subject,
            evidence: { ...evidence, database: { channels: exp.channels, routing: exp.mode }, syncFrequency: snap.settings.syncFrequency },
            remedy: { text: `A routing view catches up within ${snap.settings.syncFrequency} s per node (or at once after POST /api/channel/fix on that node).`, commands: probed.length ? undefined : [`relay-doctor diagnose … --relay-url <node> --token <key> --recheck-after ${snap.settings.syncFrequency + 10}`] },
          }),
        );
      }
    }
  }

  // One line that says what the answer means, in the terms of the evidence.
  if (!failure) report.conclusion = `${describe(report)}: ${report.meaning}; nothing to explain`;
  else if (c?.code && !report.statusOnly) report.conclusion = `${describe(report)} → ${c.code}: ${c.meaning}`;
  else if (report.branches) {
    const proven = report.branches.filter((b) => b.state === 'proven' || b.state === 'supported');
    const open = report.branches.filter((b) => b.state === 'possible');
    const ex = report.branches.filter((b) => b.state === 'excluded');
    report.conclusion = proven.length
      ? `a 500 here comes from one of ${report.branches.length} branches; the evidence points at: ${proven.map((b) => b.title).join('; ')}`
      : `a 500 here comes from one of ${report.branches.length} branches; the evidence excludes ${ex.length} (${ex.map((b) => b.id).join(', ')}); still possible: ${open.map((b) => b.id).join(', ')}. The body (--seen-body), the headers (--seen-headers) or --live decides`;
  } else report.conclusion = `${describe(report)}: ${report.meaning}`;
  return { report, findings: out };
}

export function judgeAnswers(snap: Snapshot, target: TargetFacts | undefined, prior: Finding[]): Judgement {
  const j: Judgement = { findings: [] };
  if (!target || target.cell) return j;
  const seen = snap.live?.seen;
  if (seen?.status !== undefined) {
    const c = seen.body !== undefined ? classifyAnswer({ status: seen.status, headers: seen.headers, body: seen.body }, answerContext(snap, target)) : undefined;
    const r = judgeOne(snap, target, prior, 'seen', seen.from, seen.status, c);
    j.seen = r.report;
    j.findings.push(...r.findings);
  }
  const liveX: Exchange | undefined = snap.live?.relay?.nodes[0]?.live;
  if (liveX?.status !== undefined && liveX.classification) {
    const r = judgeOne(snap, target, [...prior, ...j.findings], 'live', [`--live via ${snap.live!.relay!.nodes[0]!.label}`], liveX.status, liveX.classification);
    j.live = r.report;
    j.findings.push(...r.findings);
  }
  const main = j.seen ?? j.live;
  j.answer = answerConstraint(main);
  return j;
}
