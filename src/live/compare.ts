import type { Code } from '../contract.js';
import type { Snapshot, TargetFacts } from '../diagnose/facts.js';
import { modelAllowed, storedKeyUnusable, tokenProblems } from '../relay/token.js';
import type { Exchange } from './types.js';

// What the running relay said (the zero-cost probe) against what the database says the same
// request should get. Pure: the gatherer uses it to decide on a re-probe, the checks to report.

export type RouteView = 'routes' | 'no-channel' | 'selector-error' | 'refused' | 'overloaded' | 'not-relay' | 'unreachable' | 'rate-limited' | 'other';

export function routeView(x: Exchange | undefined): RouteView | undefined {
  if (!x) return undefined;
  if (x.failure) return 'unreachable';
  const c = x.classification;
  if (!c) return 'other';
  switch (c.kind) {
    case 'channel-selected':
      return 'routes';
    case 'no-channel':
      return 'no-channel';
    case 'selector-error':
      return 'selector-error';
    case 'token-refused':
    case 'access-refused':
    case 'owner-lookup':
      return 'refused';
    case 'overloaded':
      return 'overloaded';
    case 'web-page':
    case 'invalid-url':
      return 'not-relay';
    case 'proxy-error':
      return 'unreachable';
    case 'rate-limited':
      return 'rate-limited';
    default:
      return 'other';
  }
}

export interface DbExpectation {
  group?: string;
  model: string;
  /** The database routes (group, model) to these channels. */
  serves: boolean;
  channels: number[];
  mode: 'cache' | 'abilities';
  selectorError?: string;
  /** TokenAuth (or the model-limit check) refuses the request according to the rows. */
  refusal?: { code: Code; detail: string };
}

/** What the relay should answer the zero-cost probe, from the rows alone. */
export function dbExpectation(snap: Snapshot, t: TargetFacts): DbExpectation | undefined {
  if (t.model === undefined) return undefined;
  const exp: DbExpectation = { group: t.group, model: t.model, serves: false, channels: [], mode: snap.settings.memoryCacheOn ? 'cache' : 'abilities' };
  if (t.selection) {
    exp.serves = t.selection.candidates.length > 0;
    exp.channels = t.selection.candidates.map((c) => c.channel.id);
    if (t.selection.error) exp.selectorError = t.selection.error;
  }
  const tf = t.token;
  if (tf) {
    const tok = tf.token;
    if (!tok || tok.deleted) exp.refusal = { code: 'TOKEN_NOT_FOUND', detail: tok ? `token #${tok.id} is soft-deleted` : 'no tokens row has this key' };
    else {
      const unusable = storedKeyUnusable(tok.key.reveal());
      const problem = tokenProblems(tok, snap.run.now)[0];
      const user = tf.user;
      if (unusable) exp.refusal = { code: 'TOKEN_KEY_MALFORMED', detail: unusable };
      else if (problem) exp.refusal = { code: problem.code, detail: problem.detail };
      else if (tf.userLookedUp && (!user || user.deleted)) exp.refusal = { code: 'USER_MISSING', detail: `user #${tok.userId} is ${user ? 'soft-deleted' : 'missing'}` };
      else if (user && user.status !== 1) exp.refusal = { code: 'USER_BANNED', detail: `user #${user.id} has status ${user.status}` };
      else if (t.usingGroup?.refused) exp.refusal = { code: t.usingGroup.refused.code, detail: t.usingGroup.refused.detail };
      else if (!tf.parsed?.pin) {
        const allowed = modelAllowed(tok, t.model, snap.product.family);
        if (!allowed.allowed) exp.refusal = { code: 'TOKEN_MODEL_FORBIDDEN', detail: allowed.detail ?? 'model limits exclude the model' };
      }
    }
  }
  return exp;
}

export type Agreement =
  | 'agree'
  /** The relay has no channel where the database serves one. */
  | 'relay-lacks'
  /** The relay routes where the database has no enabled channel. */
  | 'relay-extra'
  /** The relay routes a group other than the database's using group. */
  | 'group-differs'
  /** The relay refuses a token the rows accept. */
  | 'relay-refuses'
  /** The relay accepts a token the rows refuse. */
  | 'relay-accepts'
  | 'n/a';

export function agreement(x: Exchange | undefined, exp: DbExpectation | undefined): Agreement {
  const view = routeView(x);
  if (!view || !exp) return 'n/a';
  const c = x!.classification;
  if (view === 'refused') return exp.refusal ? 'agree' : 'relay-refuses';
  if ((view === 'routes' || view === 'no-channel' || view === 'selector-error') && exp.refusal) return 'relay-accepts';
  if (view === 'no-channel' && c?.group !== undefined && exp.group !== undefined && c.group !== exp.group) return 'group-differs';
  if (view === 'routes') return exp.serves ? 'agree' : 'relay-extra';
  if (view === 'no-channel') return exp.serves ? 'relay-lacks' : 'agree';
  if (view === 'selector-error') return exp.selectorError ? 'agree' : exp.serves ? 'relay-lacks' : 'agree';
  return 'n/a';
}

/** A disagreement a re-probe after the sync window can settle. */
export function isStale(a: Agreement): boolean {
  return a === 'relay-lacks' || a === 'relay-extra' || a === 'group-differs' || a === 'relay-refuses' || a === 'relay-accepts';
}
