import { exchange, splitTarget } from './exchange.js';
import { redactUrl } from './redact.js';
import type { Exchange, ProbeOptions, ProbeOutcome, ProbeRequest } from './types.js';

// A probe: the request as the relay sends it, redirects followed the way Go's http.Client
// follows them (the passthrough uses one, RB §10.5), retries only when asked for, and the
// follow-up checks (conditional re-request, model list) that turn an answer into evidence.

const MAX_REQUESTS = 10; // Go: "stopped after 10 redirects"
const MODEL_LIST_CAP = 1024 * 1024; // a relay's model list can exceed the 64 KiB body cap

export function isRedirect(ex: Exchange): boolean {
  return ex.status !== undefined && [301, 302, 303, 307, 308].includes(ex.status) && header(ex, 'location') !== undefined;
}

export function header(ex: Exchange, name: string): string | undefined {
  const v = ex.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Go forwards Authorization on a redirect only to the same host or a subdomain of it. */
function keepsAuth(from: string, to: string): boolean {
  const a = splitTarget(from)?.endpoint.hostname.toLowerCase();
  const b = splitTarget(to)?.endpoint.hostname.toLowerCase();
  return Boolean(a && b && (a === b || b.endsWith(`.${a}`)));
}

export function requestHeaders(req: ProbeRequest): Record<string, string> {
  const h: Record<string, string> = { 'user-agent': 'relay-doctor-probe', accept: 'application/json', ...(req.headers ?? {}) };
  if (req.key) h.authorization = `Bearer ${req.key.reveal()}`;
  return h;
}

async function chain(req: ProbeRequest, o: ProbeOptions): Promise<{ exchanges: Exchange[]; redirects: string[]; loop: boolean }> {
  const exchanges: Exchange[] = [];
  const redirects: string[] = [];
  let url = req.url;
  let method = req.method;
  let body = req.body;
  let headers = requestHeaders(req);
  const cap = req.kind === 'models' ? Math.max(o.bodyCap, MODEL_LIST_CAP) : o.bodyCap;
  for (;;) {
    const ex = await exchange({ method, url, headers, body, key: req.key, bodyCap: cap }, o);
    exchanges.push(ex);
    if (!isRedirect(ex)) return { exchanges, redirects, loop: false };
    if (exchanges.length >= MAX_REQUESTS) return { exchanges, redirects, loop: true };
    let next: string;
    try {
      next = new URL(header(ex, 'location')!, url).href;
    } catch {
      return { exchanges, redirects, loop: false };
    }
    redirects.push(redactUrl(next, req.key));
    if (ex.status === 303 || ((ex.status === 301 || ex.status === 302) && method !== 'GET' && method !== 'HEAD')) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'content-type' && k !== 'content-length'));
    }
    if (!keepsAuth(url, next)) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization'));
    url = next;
  }
}

function retryable(ex: Exchange): boolean {
  return ex.error !== undefined || (ex.status !== undefined && ex.status >= 500);
}

interface ModelList {
  ids: string[];
  text: string;
  truncated: boolean;
}

function modelList(ex: Exchange): ModelList | undefined {
  if (ex.status !== 200 || ex.bodyKind !== 'json' || !ex.text) return undefined;
  if (ex.truncated) return { ids: [], text: ex.text, truncated: true };
  try {
    const v = JSON.parse(ex.text) as { data?: unknown };
    if (!Array.isArray(v?.data)) return undefined;
    const ids = v.data.map((m) => (typeof m === 'string' ? m : typeof (m as { id?: unknown })?.id === 'string' ? (m as { id: string }).id : '')).filter(Boolean);
    return { ids, text: '', truncated: false };
  } catch {
    return undefined;
  }
}

export async function probe(req: ProbeRequest, o: ProbeOptions): Promise<ProbeOutcome> {
  const exchanges: Exchange[] = [];
  let retriesUsed = 0;
  let c = await chain(req, o);
  exchanges.push(...c.exchanges);
  while (retriesUsed < o.retries && retryable(c.exchanges[c.exchanges.length - 1]!)) {
    retriesUsed++;
    c = await chain(req, o);
    exchanges.push(...c.exchanges);
  }
  const final = c.exchanges[c.exchanges.length - 1]!;
  const out: ProbeOutcome = { request: req, exchanges, final, redirects: c.redirects, retriesUsed };
  if (c.loop) out.redirectLoop = true;

  // The passthrough forwards the client's conditional headers (RB §10.4): if the upstream
  // validates them, pollers sending them get 304 with no body.
  const etag = header(final, 'etag');
  const lastModified = header(final, 'last-modified');
  if (req.kind !== 'reach' && final.method === 'GET' && (req.kind !== 'live' || req.method === 'GET') && final.status !== undefined && final.status >= 200 && final.status < 300 && (etag || lastModified) && !c.loop) {
    const h = requestHeaders(req);
    if (etag) h['if-none-match'] = etag;
    if (lastModified) h['if-modified-since'] = lastModified;
    const ex = await exchange({ method: 'GET', url: final.url, headers: h, key: req.key, conditional: true }, o);
    exchanges.push(ex);
    out.conditional = ex;
  }

  if (req.kind === 'models') {
    const list = modelList(final);
    if (list) {
      const expect = [...new Set(req.expectModels ?? [])];
      const offered = new Set(list.ids);
      const has = (m: string) => (list.truncated ? list.text.includes(JSON.stringify(m)) : offered.has(m));
      // A truncated list proves presence, never absence.
      const missing = list.truncated ? [] : expect.filter((m) => !has(m));
      out.models = { count: list.truncated ? -1 : list.ids.length, missing, offered: expect.filter(has) };
    }
  }
  return out;
}
