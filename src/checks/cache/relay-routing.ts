import type { Code } from '../../contract.js';
import type { Snapshot, TargetFacts } from '../../diagnose/facts.js';
import { agreement, dbExpectation, routeView, type Agreement, type DbExpectation } from '../../live/compare.js';
import { answerText, exchangeEvidence } from '../../live/describe.js';
import type { NodeFacts, RelayFacts } from '../../live/types.js';
import type { Finding } from '../../types.js';
import type { Check } from '../types.js';
import { finding } from '../report.js';

// What each running node does with the request (the zero-cost probe, RB §11.1) against what the
// database says it should do (F27, F29, F30, F31, F34, F35, F75).

const q = JSON.stringify;

function dbText(exp: DbExpectation): string {
  const where = `${exp.model} in group ${q(exp.group ?? '')}`;
  if (exp.serves) return `the database routes ${where} to ${exp.channels.map((id) => `#${id}`).join(', ')}`;
  return `the database has no enabled channel for ${where}`;
}

function windowText(snap: Snapshot): string {
  const s = snap.settings;
  if (s.memoryCacheOn) return `each node rebuilds its routing view every ${s.syncFrequency} s (SYNC_FREQUENCY)`;
  return `relay-doctor was told the memory cache is off (the node would route from abilities, like the database): check the node reads this database and pass the relay's --env-file so relay-doctor knows its MEMORY_CACHE_ENABLED / REDIS_CONN_STRING`;
}

interface Healing {
  text: string;
  healed: boolean;
  waited: number;
}

/** What the re-probe says about a disagreement: healed, or still there after the wait. */
function healing(snap: Snapshot, node: NodeFacts, exp: DbExpectation, relay: RelayFacts): Healing | undefined {
  if (!node.recheck || !relay.recheck?.ran) return undefined;
  const waited = relay.recheck.waitedS;
  const sync = snap.settings.syncFrequency;
  const a = agreement(node.recheck, exp);
  if (a === 'agree') return { healed: true, waited, text: `stale cache confirmed: healed after ${waited} s (the re-probe now answers ${answerText(node.recheck)}, as the database says)` };
  if (waited >= sync) {
    return {
      healed: false,
      waited,
      text: `not a cache problem: still failing after a full sync window (${waited} s ≥ SYNC_FREQUENCY ${sync} s, re-probe: ${answerText(node.recheck)}). The node does not see this database's state: it may read another database (its SQL_DSN), its rebuild may fail (see ABILITY_GROUP_PANIC_RISK), or its SYNC_FREQUENCY is longer`,
    };
  }
  return { healed: false, waited, text: `still disagreeing after ${waited} s, which is less than SYNC_FREQUENCY (${sync} s): not settled yet; re-probe with --recheck-after ${sync + 10}` };
}

function remedyFor(snap: Snapshot, h: Healing | undefined): { text: string; commands?: string[] } {
  const sync = snap.settings.syncFrequency;
  if (h?.healed) return { text: `Nothing to do now: the node caught up by itself. Next time, a database edit reaches routing after at most ${sync} s per node, or at once after an admin channel call or POST /api/channel/fix on each node.` };
  if (h && !h.healed && h.waited >= sync) return { text: "Check the node's SQL_DSN (it must be the database relay-doctor read), its console for rebuild panics, and SYNC_FREQUENCY; restart it once the cause is fixed." };
  return {
    text: `Wait up to ${sync} s for the node's next rebuild, or rebuild it now (any admin channel call, or POST /api/channel/fix, on that node; or restart it). Re-run with --recheck-after ${sync + 10} to prove it heals.`,
    commands: [`curl -X POST <node>/api/channel/fix -H 'Authorization: <admin access token>' -H 'New-Api-User: <admin user id>'`],
  };
}

function staleTokenCode(exp: DbExpectation, t: TargetFacts): Code {
  if (exp.refusal && (exp.refusal.code === 'USER_BANNED' || exp.refusal.code === 'USER_MISSING')) return 'CACHE_STALE_USER';
  return t.groupFrom === 'user' && !exp.refusal ? 'CACHE_STALE_USER' : 'CACHE_STALE_TOKEN';
}

function nodeFinding(snap: Snapshot, t: TargetFacts, node: NodeFacts, a: Agreement, exp: DbExpectation, relay: RelayFacts): Finding | undefined {
  const x = node.routing!;
  const h = healing(snap, node, exp, relay);
  const subject = { node: node.label, group: exp.group, model: exp.model };
  const evidence: Record<string, unknown> = {
    node: node.label,
    probe: exchangeEvidence(x),
    database: { group: exp.group, model: exp.model, channels: exp.channels, routing: exp.mode, refusal: exp.refusal?.code },
    syncFrequency: snap.settings.syncFrequency,
  };
  if (h) evidence.recheck = { waitedS: h.waited, healed: h.healed, probe: exchangeEvidence(node.recheck) };
  const tail = h ? ` — ${h.text}` : '';
  const ans = answerText(x);
  switch (a) {
    case 'relay-lacks':
      return finding('CACHE_STALE_CHANNELS', `${node.label} has no channel for ${exp.model} in group ${q(exp.group ?? '')} (probe: ${ans}), while ${dbText(exp)}: the node's routing view is older than the database; ${windowText(snap)}${tail}`, {
        subject,
        evidence,
        remedy: remedyFor(snap, h),
      });
    case 'relay-extra':
      return finding('CACHE_STALE_CHANNELS', `${node.label} selects a channel for ${exp.model} in group ${q(exp.group ?? '')} (probe: ${ans}), while ${dbText(exp)}: its routing view still holds a channel the database has disabled or deleted, so the passthrough answers 403 channel_disabled or 500 get_channel_failed (record not found) (F29); ${windowText(snap)}${tail}`, {
        subject,
        evidence,
        remedy: remedyFor(snap, h),
      });
    case 'group-differs': {
      const code = staleTokenCode(exp, t);
      const who = code === 'CACHE_STALE_USER' ? `user #${t.token?.user?.id ?? '?'}` : `token #${t.token?.token?.id ?? '?'}`;
      return finding(code, `${node.label} routed the request with group ${q(x.classification?.group ?? '')} (probe: ${ans}), while the database gives ${who} the using group ${q(exp.group ?? '')}: the node's view of the ${code === 'CACHE_STALE_USER' ? 'user' : 'token'} is older than the row (${snap.settings.redisSet ? `a Redis ${code === 'CACHE_STALE_USER' ? 'user' : 'token'} hash, kept up to ${snap.settings.syncFrequency} s (F34, F35)` : 'relay-doctor was told there is no Redis: the node may read another database'})${tail}`, {
        subject,
        evidence,
        remedy: { text: `Wait up to ${snap.settings.syncFrequency} s, or delete the cached hash (run with --redis to name the exact key).` },
      });
    }
    case 'relay-accepts': {
      const code = staleTokenCode(exp, t);
      return finding(code, `${node.label} lets the request through TokenAuth (probe: ${ans}) although the rows refuse it (${exp.refusal!.code}: ${exp.refusal!.detail}): the node still holds the ${code === 'CACHE_STALE_USER' ? 'user' : 'token'} as it was before the database change${snap.settings.redisSet ? ` (Redis hash, up to ${snap.settings.syncFrequency} s, F34)` : ''}${tail}`, {
        subject,
        evidence,
        remedy: { text: `Wait up to ${snap.settings.syncFrequency} s, or delete the cached hash (run with --redis to name the exact key).` },
      });
    }
    default:
      return undefined;
  }
}

const COMPARABLE = new Set(['routes', 'no-channel', 'selector-error', 'refused']);
const VIEW_TEXT: Record<string, string> = { routes: 'selects a channel', 'no-channel': 'has no channel', 'selector-error': 'fails channel selection', refused: 'refuses the token' };

export const relayRouting: Check = {
  id: 'cache/relay-routing',
  stage: 'cache',
  scope: 'relay',
  codes: ['RELAY_NODES_DISAGREE', 'CACHE_STALE_CHANNELS', 'CACHE_STALE_TOKEN', 'CACHE_STALE_USER', 'RELAY_OVERLOADED'],
  description: "each running node's routing decision for the request, against the database",
  run({ snap, target }) {
    const relay = snap.live?.relay;
    if (!relay || target.cell) return [];
    const exp = dbExpectation(snap, target);
    const probed = relay.nodes.filter((n) => n.routing);
    if (!exp || !probed.length) return [];
    const out: Finding[] = [];
    const agreements = new Map(probed.map((n) => [n, agreement(n.routing, exp)]));

    const views = probed.map((n) => ({ n, v: routeView(n.routing)! })).filter((x) => COMPARABLE.has(x.v));
    if (new Set(views.map((x) => x.v)).size > 1) {
      const stale = views.filter((x) => agreements.get(x.n) !== 'agree').map((x) => x.n);
      const parts = views.map((x) => `${x.n.label} ${VIEW_TEXT[x.v]} (${answerText(x.n.routing)})`);
      const healed = stale.filter((n) => n.recheck && agreement(n.recheck, exp) === 'agree');
      const tail = relay.recheck?.ran ? (healed.length === stale.length && stale.length ? ` — after ${relay.recheck.waitedS} s every node agrees: stale cache confirmed` : ` — after ${relay.recheck.waitedS} s: ${stale.map((n) => `${n.label} ${n.recheck ? answerText(n.recheck) : 'not re-probed'}`).join('; ')}`) : '';
      out.push(
        finding('RELAY_NODES_DISAGREE', `the nodes route ${exp.model} for group ${q(exp.group ?? '')} differently: ${parts.join('; ')}. ${stale.length ? `Stale: ${stale.map((n) => n.label).join(', ')} (${dbText(exp)})` : 'The database agrees with none of them'}${tail}`, {
          subject: { group: exp.group, model: exp.model, stale: stale.map((n) => n.label) },
          evidence: { nodes: views.map((x) => ({ node: x.n.label, view: x.v, agreesWithDatabase: agreements.get(x.n) === 'agree', answer: answerText(x.n.routing) })), database: { channels: exp.channels, serves: exp.serves } },
          remedy: { text: `Rebuild the routing view on every stale node (admin channel call or POST /api/channel/fix on each node, or restart it), or wait up to ${snap.settings.syncFrequency} s; run one build everywhere.` },
        }),
      );
    }
    for (const n of probed) {
      const a = agreements.get(n)!;
      const f = nodeFinding(snap, target, n, a, exp, relay);
      if (f) out.push(f);
      if (routeView(n.routing) === 'overloaded') {
        out.push(
          finding('RELAY_OVERLOADED', `${n.label} refused the probe with its performance guard (${answerText(n.routing)})`, {
            subject: { node: n.label },
            evidence: { node: n.label, probe: exchangeEvidence(n.routing) },
            remedy: { text: 'Add capacity or raise the performance_setting.* thresholds (options).' },
          }),
        );
      }
    }
    return out;
  },
};
