import { deriveModel } from './route-model.js';
import { compiledTable, find, splitTarget } from './route-match.js';
import { GIN_ANY_METHODS, NONE, type CustomRoute, type Profile, type RouteBody, type RouteMatch } from './route-types.js';

// The relays' route tables as data (RB §8.1–§8.3, §9) and gin's matching rules, so a
// (method, path, body) can be traced to the route, chain, handler and routing model exactly as
// the relay would. Sources beyond RB: router/relay-router.go and router/video-router.go of
// ZeoXel/new-api main 2025-12-29 (BF) and of QuantumNous/new-api (NA-main), router/relay.go
// of songquanpeng/one-api, and router/dashboard.go of all three.

// This file is the public entry; the parts live in route-types.ts (shapes), route-tables.ts
// (per-profile tables), route-match.ts (gin), route-body.ts (bodies, Go errors),
// route-midjourney.ts and route-model.ts (Distribute's model derivation).

export { GIN_ANY_METHODS } from './route-types.js';
export type { CustomRoute, ModelSource, Profile, RouteBody, RouteDef, RouteMatch } from './route-types.js';
export { routeModels, routeTable, type RouteModels } from './route-tables.js';

const NOT_FOUND_PREFIXES: Record<Profile, string[]> = {
  'new-api': ['/v1', '/api', '/assets'],
  bltcy: ['/v1', '/api', '/assets'],
  'one-api': ['/v1', '/api'], // one-api's NoRoute has no /assets branch
};

/** Traces a request through the profile's router and Distribute's model derivation. */
export function routeFor(profile: Profile, method: string, target: string, body?: RouteBody, extras?: CustomRoute[]): RouteMatch {
  const m = method.toUpperCase();
  const { path, query } = splitTarget(target);
  const compiled = compiledTable(profile, extras);
  const found = find(compiled, m, path);
  const preflight = m === 'OPTIONS' ? { preflight: true } : {};
  if (!found) {
    const out: RouteMatch = { matched: undefined, params: {}, modelSource: NONE('no route'), selectsChannel: false, ...preflight };
    if (path !== '/' && m !== 'CONNECT') {
      const alt = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
      if (alt && find(compiled, m, alt)) {
        out.trailingSlash = { redirectTo: alt + (query ? `?${query}` : ''), status: m === 'GET' ? 301 : 307 };
        return out;
      }
    }
    if (GIN_ANY_METHODS.some((other) => other !== m && find(compiled, other, path))) out.methodNotRegistered = true;
    const json = NOT_FOUND_PREFIXES[profile].some((p) => target.startsWith(p));
    out.unmatchedAnswer = json ? 'json-404' : 'html-200';
    if (json) out.notFoundMessage = `Invalid URL (${m} ${path})`;
    return out;
  }
  const d = deriveModel(profile, { method: m, path, query, params: found.params, route: found.def, body, extras: extras ?? [] });
  const out: RouteMatch = {
    matched: found.def,
    params: found.params,
    modelSource: d.source,
    selectsChannel: d.selects,
    ...preflight,
  };
  if (d.model) out.model = d.model;
  if (d.problem) {
    out.modelProblem = d.problem.message;
    out.problemStatus = d.problem.status;
    if (d.problem.variants?.length) out.problemVariants = d.problem.variants;
  }
  return out;
}
export { describeModelSource } from './route-describe.js';
