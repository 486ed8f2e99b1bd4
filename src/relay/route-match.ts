import { GIN_ANY_METHODS, type CustomRoute, type Profile, type RouteDef } from './route-types.js';
import { baseTable, routeTable } from './route-tables.js';

// gin's router: finding the route for (method, path) the way gin's tree does.

type Seg = { t: 's'; v: string } | { t: 'p'; name: string } | { t: 'c'; name: string };
export interface Compiled {
  def: RouteDef;
  segs: Seg[];
}

function compile(def: RouteDef): Compiled {
  const segs = def.pattern
    .slice(1)
    .split('/')
    .map((s): Seg => (s.startsWith(':') ? { t: 'p', name: s.slice(1) } : s.startsWith('*') ? { t: 'c', name: s.slice(1) } : { t: 's', v: s }));
  return { def, segs };
}

function allows(def: RouteDef, method: string): boolean {
  return def.methods === 'ANY' ? GIN_ANY_METHODS.includes(method) : def.methods.includes(method);
}

export interface Found {
  def: RouteDef;
  params: Record<string, string>;
}

// gin's tree order: a static segment beats a :param, which beats a *catch-all; when the static
// branch dead-ends gin backtracks to the wildcard sibling. Params never match an empty segment.
function walk(routes: Compiled[], segs: string[], i: number, params: Record<string, string>): Found | undefined {
  if (i === segs.length) {
    const end = routes.find((r) => r.segs.length === i);
    return end ? { def: end.def, params } : undefined;
  }
  const seg = segs[i]!;
  const stat = routes.filter((r) => r.segs[i]?.t === 's' && (r.segs[i] as { v: string }).v === seg);
  if (stat.length) {
    const m = walk(stat, segs, i + 1, params);
    if (m) return m;
  }
  if (seg !== '') {
    const byName = new Map<string, Compiled[]>();
    for (const r of routes) {
      const s = r.segs[i];
      if (s?.t === 'p') byName.set(s.name, [...(byName.get(s.name) ?? []), r]);
    }
    for (const [name, rs] of byName) {
      const m = walk(rs, segs, i + 1, { ...params, [name]: seg });
      if (m) return m;
    }
  }
  const cat = routes.find((r) => r.segs[i]?.t === 'c' && r.segs.length === i + 1);
  if (cat) return { def: cat.def, params: { ...params, [(cat.segs[i] as { name: string }).name]: `/${segs.slice(i).join('/')}` } };
  return undefined;
}

export function find(compiled: Compiled[], method: string, path: string): Found | undefined {
  if (!path.startsWith('/')) return undefined;
  const routes = compiled.filter((c) => allows(c.def, method));
  return walk(routes, path.slice(1).split('/'), 0, {});
}

const compiledCache = new Map<Profile, Compiled[]>();

export function compiledTable(profile: Profile, extras?: CustomRoute[]): Compiled[] {
  if (profile === 'bltcy' && extras?.length) return routeTable(profile, extras).map(compile);
  let c = compiledCache.get(profile);
  if (!c) {
    c = baseTable(profile).map(compile);
    compiledCache.set(profile, c);
  }
  return c;
}

// gin matches on the decoded URL.Path; the NoRoute prefix test uses the raw request URI.
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  const raw = q < 0 ? target : target.slice(0, q);
  let path = raw;
  try {
    path = decodeURIComponent(raw);
  } catch {
    // Go's server rejects malformed escapes itself; keep the text for the report.
  }
  return { path, query: q < 0 ? '' : target.slice(q + 1) };
}
