import type { Secret } from '../context/secret.js';
import { classifyAnswer, type AnswerContext } from './catalogue.js';
import type { HttpClient, HttpResult } from './http.js';
import type { Exchange, Purpose } from './types.js';

// The requests relay-doctor sends to a running relay. Only sendLive (--live) and passthroughGet
// (--live) can reach the upstream; the routing probe dies in validation after Distribute, and
// the route check carries no credential, so TokenAuth answers before anything else runs.

export const PROBE_PATH = '/v1/chat/completions';

/** Remove every secret (and its sk- form) from text kept as evidence. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 6) continue;
    out = out.split(s).join('***');
  }
  return out;
}

const KEEP_HEADERS = ['content-type', 'x-oneapi-request-id', 'x-new-api-version', 'location'];

function exchange(purpose: Purpose, method: string, path: string, at: number, r: HttpResult, actx: AnswerContext, secrets: readonly string[], model?: string): Exchange {
  const x: Exchange = { purpose, method, path, at, ms: r.ms };
  if (model !== undefined) x.model = model;
  if (!r.ok) {
    x.failure = r.failure;
    return x;
  }
  const a = r.answer;
  x.status = a.status;
  x.classification = classifyAnswer(a, actx);
  const body = scrub(a.body, secrets).replace(/\s+/g, ' ').trim();
  if (body) x.excerpt = body.length > 300 ? `${body.slice(0, 300)}…` : body;
  const h: Record<string, string[]> = {};
  for (const k of KEEP_HEADERS) if (a.headers[k]) h[k] = a.headers[k]!;
  x.headers = h;
  return x;
}

/** The caller's key as the relay receives it (Authorization: Bearer …). */
function bearer(token: Secret): string {
  const k = token.reveal().trim().replace(/^bearer\s+/i, '');
  return `Bearer ${k}`;
}

export function secretsOf(token: Secret | undefined): string[] {
  if (!token) return [];
  const k = token.reveal().trim().replace(/^bearer\s+/i, '');
  const raw = k.replace(/^sk-/, '');
  return [k, raw, raw.split('-')[0] ?? ''].filter((s) => s.length >= 6);
}

/** RB §11.1: POST /v1/chat/completions {"model": m}: passes TokenAuth and Distribute, then fails validation. */
export async function probeRouting(http: HttpClient, base: string, token: Secret, model: string, actx: AnswerContext): Promise<Exchange> {
  const at = Date.now();
  const r = await http.send({
    method: 'POST',
    url: `${base}${PROBE_PATH}`,
    headers: { authorization: bearer(token), 'content-type': 'application/json', 'accept-language': 'en', accept: 'application/json' },
    body: JSON.stringify({ model }),
    timeoutMs: 15_000,
  });
  return exchange('routing-probe', 'POST', PROBE_PATH, at, r, { ...actx, probe: true, passthrough: false }, secretsOf(token), model);
}

/** The target route without any credential: a deployed route answers TokenAuth's 401, a missing one the web page or 404. */
export async function checkRoute(http: HttpClient, base: string, method: string, path: string, actx: AnswerContext): Promise<Exchange> {
  const at = Date.now();
  const body = method === 'GET' || method === 'HEAD' ? undefined : '';
  const r = await http.send({ method, url: `${base}${path}`, headers: { accept: 'application/json', 'accept-language': 'en', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body, timeoutMs: 10_000 });
  return exchange('route-check', method, path, at, r, { ...actx, probe: false }, []);
}

/** --live only: an unbilled GET on the passthrough route (RB §11.1); it reaches the upstream. */
export async function passthroughGet(http: HttpClient, base: string, token: Secret, path: string, actx: AnswerContext): Promise<Exchange> {
  const at = Date.now();
  // The passthrough retries a failing GET three times with 2 s pauses (RB §10.6).
  const r = await http.send({ method: 'GET', url: `${base}${path}`, headers: { authorization: bearer(token), accept: 'application/json', 'accept-language': 'en' }, timeoutMs: 200_000 });
  return exchange('passthrough-get', 'GET', path, at, r, { ...actx, probe: false, passthrough: true }, secretsOf(token));
}

/** --live: the target request itself, with the caller's token and body. May be billed. */
export async function sendLive(http: HttpClient, base: string, token: Secret, req: { method: string; path: string; body?: string; json: boolean }, actx: AnswerContext, timeoutMs: number): Promise<Exchange> {
  const at = Date.now();
  const headers: Record<string, string> = { authorization: bearer(token), accept: 'application/json', 'accept-language': 'en' };
  if (req.body !== undefined && req.json) headers['content-type'] = 'application/json';
  const r = await http.send({ method: req.method, url: `${base}${req.path}`, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : (req.body ?? ''), timeoutMs });
  return exchange('live', req.method, req.path, at, r, { ...actx, probe: false }, secretsOf(token));
}
