import { redactUrl } from '../context/dsn.js';
import { Secret } from '../context/secret.js';
import type { RunContext } from '../context/types.js';
import type { Gatherer } from '../diagnose/gather.js';
import type { Snapshot, TargetFacts } from '../diagnose/facts.js';
import { routeFor } from '../relay/routes.js';
import { UsageError } from '../types.js';
import type { AnswerContext } from './catalogue.js';
import { agreement, dbExpectation, isStale, routeView } from './compare.js';
import { HttpClient } from './http.js';
import { askYesNo, interactive, note } from './interact.js';
import { checkRoute, passthroughGet, probeRouting, sendLive } from './probe.js';
import { readRedis } from './redis.js';
import { seenFromFlags } from './seen.js';
import { readStatus } from './status.js';
import type { LiveFacts, NodeFacts, RelayFacts } from './types.js';

// The live gatherers: the running relay (status, routing probe, route check, re-probe, --live),
// its Redis, and the answer the user already saw. They only collect; checks judge.

function liveOf(snap: Snapshot): LiveFacts {
  return (snap.live ??= {});
}

/** The single request under diagnosis (undefined in a sweep). */
function singleTarget(targets: TargetFacts[]): TargetFacts | undefined {
  return targets.length === 1 && !targets[0]!.cell ? targets[0] : undefined;
}

export function isPassthroughTarget(snap: Snapshot, t: TargetFacts | undefined): boolean {
  const r = t?.route?.matched;
  if (!r || snap.product.product !== 'bltcy' || !r.passthrough) return false;
  return r.handler === 'RelayBltcy' || t!.channels.some((c) => c.type === 55);
}

export function answerContext(snap: Snapshot, t: TargetFacts | undefined): AnswerContext {
  return { build: snap.product.build, passthrough: isPassthroughTarget(snap, t), routeKnown: Boolean(t?.route?.matched) };
}

export function recheckSeconds(ctx: RunContext): number | undefined {
  const v = ctx.flags.recheckAfter;
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new UsageError(`--recheck-after expects seconds between 0 and 3600, got "${String(v)}"`);
  return n;
}

function validateLive(ctx: RunContext): void {
  if (!ctx.flags.live) return;
  if (!ctx.relayUrls.length) throw new UsageError('--live sends the request through a running relay: add --relay-url <node>');
  if (!ctx.target.path) throw new UsageError('--live needs the request to send: add --path (and --body for a POST)');
  if (!ctx.target.token) throw new UsageError('--live sends the request with the caller\'s token: add --token');
  if (!ctx.flags.yes && !interactive()) throw new UsageError('--live sends the real request through the relay and may be billed: add --yes to confirm (there is no terminal to ask on)');
}

/** An unbilled GET on the same passthrough prefix (RB §11.1), when the route table has one. */
export function passthroughGetPath(snap: Snapshot, path: string): string | undefined {
  const seg = path.split('/')[1];
  if (!seg) return undefined;
  const p = `/${seg}/v1/tasks/relay-doctor-probe`;
  const r = routeFor(snap.product.product, 'GET', p);
  return r.matched?.passthrough && r.matched.handler === 'RelayBltcy' && r.selectsChannel ? p : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const relayGatherer: Gatherer = {
  id: 'live/relay',
  stage: 'cache',
  wanted: (ctx) => ctx.relayUrls.length > 0,
  validate(ctx) {
    recheckSeconds(ctx);
    validateLive(ctx);
  },
  async gather(ctx, snap, targets) {
    const facts: RelayFacts = { nodes: [], notes: [] };
    liveOf(snap).relay = facts;
    const t = singleTarget(targets);
    const token = ctx.target.token;
    const actx = answerContext(snap, t);
    const model = t?.model;
    if (!t) facts.notes.push('whole-relay sweep: only /api/status was read (give --path or --model and --token to probe routing)');
    else if (!token) facts.notes.push('no --token: the zero-cost routing probe needs the caller\'s key (--token-id cannot be sent)');
    else if (model === undefined) facts.notes.push('no routing model: the zero-cost routing probe was not sent');
    if (model !== undefined && token) facts.probeModel = model;

    const http = new HttpClient();
    try {
      const nodes: NodeFacts[] = await Promise.all(
        ctx.relayUrls.map(async (url) => {
          const node: NodeFacts = { url, label: redactUrl(url).replace(/\/$/, ''), statusStart: await readStatus(http, url) };
          const path = ctx.target.path;
          if (t && path && ctx.target.method !== 'OPTIONS') node.route = await checkRoute(http, url, ctx.target.method, path, actx);
          if (t && token && model !== undefined) node.routing = await probeRouting(http, url, token, model, actx);
          return node;
        }),
      );
      facts.nodes = nodes;

      // Re-probe after the sync window when a node disagreed with the database.
      const exp = t ? dbExpectation(snap, t) : undefined;
      const troubled = nodes.filter((n) => n.routing && (isStale(agreement(n.routing, exp)) || routeView(n.routing) === 'unreachable'));
      const flag = recheckSeconds(ctx);
      const suggested = snap.settings.syncFrequency + 10;
      let wait: number | undefined;
      let how: string;
      if (!troubled.length) how = flag !== undefined ? 'not needed: every probed node agreed with the database' : 'not needed';
      else if (flag !== undefined) {
        wait = flag;
        how = `--recheck-after ${flag}`;
      } else if (interactive()) {
        const yes = Boolean(ctx.flags.yes) || (await askYesNo(`relay-doctor: ${troubled.map((n) => n.label).join(', ')} disagree${troubled.length === 1 ? 's' : ''} with the database. Wait SYNC_FREQUENCY+10 = ${suggested} s and re-probe?`));
        if (yes) {
          wait = suggested;
          how = ctx.flags.yes ? `--yes: waited SYNC_FREQUENCY+10 = ${suggested} s` : `confirmed at the prompt: waited SYNC_FREQUENCY+10 = ${suggested} s`;
        } else how = 'declined at the prompt';
      } else how = `not run (no terminal, no --recheck-after): pass --recheck-after ${suggested} to re-probe after the sync window`;
      facts.recheck = { waitedS: wait ?? 0, how, ran: wait !== undefined };
      if (wait !== undefined && token && model !== undefined) {
        note(`relay-doctor: waiting ${wait} s before probing again…`);
        await sleep(wait * 1000);
        await Promise.all(troubled.map(async (n) => void (n.recheck = await probeRouting(http, n.url, token, model, actx))));
      }

      if (ctx.flags.live && t && token && ctx.target.path) {
        const first = nodes[0]!;
        const m = ctx.target.method;
        const yes = Boolean(ctx.flags.yes) || (await askYesNo(`relay-doctor: --live sends ${m} ${ctx.target.path} through ${first.label} with your token; it reaches the upstream and may be billed. Send it?`));
        facts.live = { requested: true, sent: false, how: ctx.flags.yes ? '--yes' : yes ? 'confirmed at the prompt' : 'declined at the prompt' };
        if (yes) {
          const gp = actx.passthrough ? passthroughGetPath(snap, ctx.target.path) : undefined;
          if (gp) first.passthroughGet = await passthroughGet(http, first.url, token, gp, actx);
          const body = ctx.target.body;
          first.live = await sendLive(http, first.url, token, { method: m, path: ctx.target.path, body: body?.text, json: body?.json !== undefined }, actx, 120_000);
          facts.live.sent = true;
        }
      }

      // A second status read: a moving start_time is a restart during the run.
      await Promise.all(nodes.map(async (n) => void (n.statusEnd = await readStatus(http, n.url))));
    } finally {
      await http.close();
    }
  },
};

export const redisGatherer: Gatherer = {
  id: 'live/redis',
  stage: 'cache',
  wanted: (ctx) => Boolean(ctx.redis) && (ctx.target.token !== undefined || ctx.target.tokenId !== undefined || ctx.target.tokenName !== undefined),
  async gather(ctx, snap, targets) {
    const t = singleTarget(targets);
    const tok = t?.token?.token;
    if (!ctx.redis || !tok || snap.redis?.ok === false) return;
    const env = ctx.env.values;
    const secretName = env.CRYPTO_SECRET ? 'CRYPTO_SECRET' : env.SESSION_SECRET ? 'SESSION_SECRET' : undefined;
    liveOf(snap).redis = await readRedis(ctx.redis.url, {
      family: snap.product.family,
      secret: secretName ? { value: new Secret(env[secretName]!), from: secretName } : undefined,
      tokenId: tok.id,
      rawKey: tok.key,
      userId: tok.userId ?? undefined,
    });
  },
};

export const answerGatherer: Gatherer = {
  id: 'live/answer',
  stage: 'cache',
  wanted: (ctx) => ['seenStatus', 'seenBody', 'seenHeaders', 'live', 'recheckAfter'].some((k) => ctx.flags[k] !== undefined && ctx.flags[k] !== false),
  validate(ctx) {
    if (seenFromFlags(ctx) && !ctx.target.path && ctx.target.model === undefined) throw new UsageError('--seen-* describe the answer to one request: add --path (and --token) for that request');
    if (ctx.flags.recheckAfter !== undefined && !ctx.relayUrls.length) throw new UsageError('--recheck-after re-probes a running relay: add --relay-url <node>');
    validateLive(ctx);
  },
  async gather(ctx, snap) {
    const seen = seenFromFlags(ctx);
    if (seen) liveOf(snap).seen = seen;
  },
};
