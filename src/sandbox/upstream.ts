// The scripted upstream: a new-api-style legacy gateway on loopback, as the Bltcy passthrough sees
// it. Every answer carries the gateway's own X-Oneapi-Request-Id (ids start with `B`), so an answer
// relayed through the passthrough shows two request ids (RB §10.7).

import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody, redactHeaders, requestId, sleep } from './http.js';
import type { UpstreamCall, UpstreamCalls, UpstreamHandle, UpstreamMode, UpstreamScript } from './types.js';

const DEFAULT_MODELS = ['runway', 'pika', 'kling', 'suno', 'minimax'];
const SLOW_DEFAULT_MS = 2000;
const KEEP_CALLS = 100;

const HTML_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Legacy Gateway</title></head>' +
  '<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>';

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
};

/** The routing model a new-api-style gateway would name for this path (for the no-channel text). */
function modelFor(path: string, body: string): string {
  const seg = path.split('?')[0]!.split('/')[1] ?? '';
  if (seg === 'runway' || seg === 'runwayml') return 'runway';
  if (['pika', 'kling', 'minimax', 'suno'].includes(seg)) return seg;
  try {
    const m = (JSON.parse(body) as { model?: unknown }).model;
    if (typeof m === 'string' && m) return m;
  } catch {
    /* not JSON */
  }
  return 'runway';
}

export async function startUpstream(script: UpstreamScript = {}): Promise<UpstreamHandle> {
  let current: UpstreamScript = { ...script };
  let count = 0;
  let last: UpstreamCall[] = [];
  let byPath: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const calls: UpstreamCalls = {
    get count() {
      return count;
    },
    get last() {
      return last;
    },
    get byPath() {
      return byPath;
    },
    reset() {
      count = 0;
      last = [];
      byPath = {};
    },
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const mode = current.mode ?? 'ok';
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    // A reset happens before the body is read: the client sees its connection torn down.
    const body = mode === 'reset' ? Buffer.alloc(0) : await readBody(req);
    const auth = req.headers.authorization;
    const keyMatched = current.key === undefined ? undefined : auth === `Bearer ${current.key}`;
    count++;
    byPath[path] = (byPath[path] ?? 0) + 1;
    last.push({
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url,
      headers: redactHeaders(req.headers),
      keyMatched,
      bodyLength: body.length,
      body: body.subarray(0, 4096).toString('utf8'),
      mode,
    });
    if (last.length > KEEP_CALLS) last = last.slice(-KEEP_CALLS);

    if (mode === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    const delay = current.delayMs ?? (mode === 'slow' ? SLOW_DEFAULT_MS : 0);
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;

    const rid = requestId('B');
    const headers: Record<string, string | string[]> = { 'X-Oneapi-Request-Id': rid };
    if (current.cors || mode === 'cors') {
      for (const [k, v] of Object.entries(CORS_HEADERS)) headers[k] = mode === 'cors' ? [v, v] : v;
    }
    const json = (status: number, obj: unknown) => {
      const text = JSON.stringify(obj);
      res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    const withId = (msg: string) => `${msg} (request id: ${rid})`;

    if (mode === '401' || keyMatched === false) {
      json(401, { error: { message: withId('无效的令牌'), type: 'new_api_error', code: '' } });
      return;
    }
    if (req.method === 'GET' && path === '/v1/models') {
      const data = (current.models ?? DEFAULT_MODELS).map((id) => ({ id, object: 'model', created: 1626777600, owned_by: 'custom' }));
      json(200, { data, object: 'list', success: true });
      return;
    }
    switch (mode) {
      case '5xx':
        json(500, { error: { message: withId('upstream error: do request failed'), type: 'new_api_error', param: '', code: 'do_request_failed' } });
        return;
      case 'no-channel': {
        const msg = `当前分组 ${current.group ?? 'default'} 下对于模型 ${modelFor(url, body.toString('utf8'))} 无可用渠道`;
        json(503, { error: { message: withId(msg), type: 'new_api_error', param: '', code: 'model_not_found' } });
        return;
      }
      case 'html':
        res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(HTML_PAGE), 'Cache-Control': 'no-cache' });
        res.end(HTML_PAGE);
        return;
      case 'truncate': {
        // Promise a body and close half-way: the reader gets `unexpected EOF`.
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Content-Length': '4096' });
        res.write('{"id":"');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      default:
        json(200, { id: randomUUID(), status: req.method === 'GET' ? 'RUNNING' : 'PENDING' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get mode() {
      return current.mode ?? 'ok';
    },
    setMode(mode: UpstreamMode, more: Omit<UpstreamScript, 'mode'> = {}) {
      current = { ...current, ...more, mode };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export type { UpstreamMode, UpstreamScript, UpstreamHandle };
