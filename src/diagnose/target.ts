import type { TargetSpec } from '../context/types.js';
import type { Db } from '../db/types.js';
import { findTokens, findUser } from '../data/load.js';
import { routeFor, routeTable, type CustomRoute } from '../relay/routes.js';
import type { Product } from '../context/dsn.js';
import { selectChannel, type RoutingContext } from '../relay/select.js';
import { parseTokenKey, usingGroup } from '../relay/token.js';
import type { Snapshot, TargetFacts, TokenFacts } from './facts.js';

export function routingContext(snap: Snapshot): RoutingContext {
  return {
    mode: snap.settings.memoryCacheOn ? 'cache' : 'abilities',
    build: snap.product.build,
    channels: snap.channels,
    channelsById: snap.channelsById,
    abilities: snap.abilities.rows,
  };
}

/** Find the caller's token and its owner (soft-deleted rows included, so they can be named). */
export async function loadTokenFacts(db: Db, snap: Snapshot, spec: TargetSpec): Promise<TokenFacts | undefined> {
  let facts: TokenFacts;
  if (spec.token) {
    const parsed = parseTokenKey(spec.token.reveal());
    const rows = parsed.lookup ? await findTokens(db, snap.schema, { key: parsed.lookup }) : [];
    facts = { by: 'key', parsed, rows, userLookedUp: false };
  } else if (spec.tokenId !== undefined) {
    facts = { by: 'id', rows: await findTokens(db, snap.schema, { id: spec.tokenId }), userLookedUp: false };
  } else if (spec.tokenName !== undefined) {
    facts = { by: 'name', rows: await findTokens(db, snap.schema, { name: spec.tokenName }), userLookedUp: false };
  } else return undefined;
  // The relay's ORM skips soft-deleted rows; prefer a live row when several match.
  facts.token = facts.rows.find((t) => !t.deleted) ?? facts.rows[0];
  if (facts.token?.userId !== null && facts.token?.userId !== undefined) {
    facts.user = await findUser(db, snap.schema, facts.token.userId);
    facts.userLookedUp = true;
  }
  return facts;
}

/** Derive route, model, group and channel selection for one request. Pure. */
export function resolveTarget(snap: Snapshot, spec: TargetSpec, token?: TokenFacts): TargetFacts {
  const t: TargetFacts = { label: '', method: spec.method, path: spec.path, token, channels: [], passthrough: false };
  if (spec.path) {
    t.route = routeFor(snap.product.product, spec.method, spec.path, spec.body, snap.run.config.routes);
    t.passthrough = Boolean(t.route.matched?.passthrough);
    if (t.route.model) {
      t.model = t.route.model;
      t.modelFrom = 'route';
    }
  }
  if (spec.model !== undefined) {
    t.model = spec.model;
    t.modelFrom = '--model';
  }
  const tok = token?.token;
  if (tok && !tok.deleted && token?.user && !token.user.deleted) {
    t.usingGroup = usingGroup(tok, token.user, snap.options, snap.product.build, snap.product.family);
    t.group = t.usingGroup.group;
    t.groupFrom = t.usingGroup.from;
  }
  if (t.group === undefined && spec.group !== undefined) {
    t.group = spec.group;
    t.groupFrom = '--group';
  }
  if (t.group !== undefined && t.model !== undefined) {
    t.selection = selectChannel(routingContext(snap), t.group, t.model);
    t.channels = t.selection.candidates.map((c) => c.channel);
  }
  t.label = spec.path ? `${spec.method} ${spec.path}` : t.model ? `model ${t.model}${t.group !== undefined ? ` × group ${JSON.stringify(t.group)}` : ''}` : 'relay';
  return t;
}

const passthroughCache = new WeakMap<object, Map<Product, Set<string>>>();
const NO_EXTRAS: CustomRoute[] = [];

/** Fixed routing models of the profile's passthrough routes (runway, pika, … and custom prefixes). */
export function passthroughModels(product: Product, extras: CustomRoute[] = NO_EXTRAS): Set<string> {
  let byProduct = passthroughCache.get(extras);
  if (!byProduct) passthroughCache.set(extras, (byProduct = new Map()));
  let s = byProduct.get(product);
  if (!s) {
    s = new Set(routeTable(product, extras).flatMap((r) => (r.passthrough && r.model.kind === 'fixed' ? [r.model.model] : [])));
    byProduct.set(product, s);
  }
  return s;
}

/** A sweep cell: one routing model × one using group. */
export function sweepCell(snap: Snapshot, model: string, group: string, tokens?: number): TargetFacts {
  const selection = selectChannel(routingContext(snap), group, model);
  return {
    label: `${model} × ${JSON.stringify(group)}`,
    cell: { model, group, tokens },
    passthrough: passthroughModels(snap.product.product, snap.run.config.routes).has(model),
    method: 'POST',
    model,
    modelFrom: 'sweep',
    group,
    groupFrom: 'sweep',
    selection,
    channels: selection.candidates.map((c) => c.channel),
  };
}
