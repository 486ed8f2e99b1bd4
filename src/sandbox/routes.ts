// The route table of the simulated relay (RB §8.1, §8.3, §9) and gin-style matching:
// `:name` matches one segment, `*name` the rest (the slash before it included), a path that
// differs only by a trailing slash redirects (301 GET, 307 otherwise).

import type { SandboxProduct } from './types.js';

export type Chain = 'none' | 'admin' | 'auth' | 'auth+distribute' | 'kling' | 'sora';
export type Handler = 'status' | 'fix' | 'models' | 'text' | 'bltcy' | 'task';

export interface Route {
  method: string;
  pattern: string;
  chain: Chain;
  handler: Handler;
}

const r = (method: string, pattern: string, chain: Chain, handler: Handler): Route => ({ method, pattern, chain, handler });

const TEXT_POSTS = [
  '/v1/messages',
  '/v1/completions',
  '/v1/chat/completions',
  '/v1/responses',
  '/v1/edits',
  '/v1/images/generations',
  '/v1/images/edits',
  '/v1/embeddings',
  '/v1/audio/transcriptions',
  '/v1/audio/translations',
  '/v1/audio/speech',
  '/v1/rerank',
  '/v1/engines/:model/embeddings',
  '/v1/models/*path',
  '/v1/moderations',
  '/v1beta/models/*path',
];

const COMMON: Route[] = [
  r('GET', '/api/status', 'none', 'status'),
  r('POST', '/api/channel/fix', 'admin', 'fix'),
  r('GET', '/v1/models', 'auth', 'models'),
  r('GET', '/v1/models/:model', 'auth', 'models'),
  r('GET', '/v1beta/models', 'auth', 'models'),
  ...TEXT_POSTS.map((p) => r('POST', p, 'auth+distribute', 'text')),
  r('POST', '/v1/video/generations', 'auth+distribute', 'task'),
  r('GET', '/v1/video/generations/:task_id', 'auth+distribute', 'task'),
  r('POST', '/suno/submit/:action', 'auth+distribute', 'task'),
  r('POST', '/suno/fetch', 'auth+distribute', 'task'),
  r('GET', '/suno/fetch/:id', 'auth+distribute', 'task'),
  r('POST', '/kling/v1/videos/text2video', 'kling', 'task'),
  r('POST', '/kling/v1/videos/image2video', 'kling', 'task'),
  r('GET', '/kling/v1/videos/text2video/:task_id', 'kling', 'task'),
  r('GET', '/kling/v1/videos/image2video/:task_id', 'kling', 'task'),
];

const BLTCY_ONLY: Route[] = [
  r('ANY', '/runway/*path', 'auth+distribute', 'bltcy'),
  r('ANY', '/runwayml/*path', 'auth+distribute', 'bltcy'),
  r('ANY', '/pika/*path', 'auth+distribute', 'bltcy'),
  r('ANY', '/minimax/*path', 'auth+distribute', 'bltcy'),
  r('POST', '/suno/generate', 'auth+distribute', 'bltcy'),
  r('POST', '/suno/generate/description-mode', 'auth+distribute', 'bltcy'),
  r('POST', '/suno/generate/lyrics', 'auth+distribute', 'bltcy'),
  r('POST', '/suno/generate/concat', 'auth+distribute', 'bltcy'),
  r('GET', '/suno/feed/:ids', 'auth+distribute', 'bltcy'),
  r('GET', '/suno/lyrics/:id', 'auth+distribute', 'bltcy'),
  r('GET', '/suno/credits', 'auth+distribute', 'bltcy'),
  r('POST', '/v1/videos', 'sora', 'bltcy'),
  r('GET', '/v1/videos/:id', 'sora', 'bltcy'),
  r('POST', '/generate', 'auth+distribute', 'task'),
  r('POST', '/generate/description-mode', 'auth+distribute', 'task'),
  r('GET', '/feed/:id', 'auth+distribute', 'task'),
];

export function routeTable(product: SandboxProduct, omit: readonly string[] = []): Route[] {
  const all = product === 'bltcy' ? [...COMMON, ...BLTCY_ONLY] : COMMON;
  return all.filter((rt) => !omit.includes(rt.pattern));
}

/** Whether a gin pattern matches a path. */
export function matches(pattern: string, path: string): boolean {
  const star = pattern.indexOf('/*');
  if (star >= 0) {
    const prefix = pattern.slice(0, star + 1);
    return path.startsWith(prefix) && fixedMatch(pattern.slice(0, star), path.slice(0, star));
  }
  return fixedMatch(pattern, path);
}

function fixedMatch(pattern: string, path: string): boolean {
  const ps = pattern.split('/');
  const xs = path.split('/');
  if (ps.length !== xs.length) return false;
  return ps.every((p, i) => (p.startsWith(':') ? xs[i] !== '' : p === xs[i]));
}

export type RouteMatch = { kind: 'route'; route: Route; label: string } | { kind: 'redirect'; status: number; location: string } | { kind: 'none' };

export function matchRoute(product: SandboxProduct, method: string, path: string, rawQuery: string, omit: readonly string[] = []): RouteMatch {
  const table = routeTable(product, omit);
  const find = (p: string) => table.find((rt) => (rt.method === 'ANY' || rt.method === method) && matches(rt.pattern, p));
  const hit = find(path);
  if (hit) return { kind: 'route', route: hit, label: `${hit.method} ${hit.pattern}` };
  if (path !== '/') {
    const alt = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    if (find(alt)) return { kind: 'redirect', status: method === 'GET' ? 301 : 307, location: alt + (rawQuery ? `?${rawQuery}` : '') };
  }
  return { kind: 'none' };
}
