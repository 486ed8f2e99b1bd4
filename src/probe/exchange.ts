import { Client, type Dispatcher } from 'undici';
import type { Secret } from '../context/secret.js';
import { excerptOf } from './redact.js';
import { openConnection, PhaseError, type Endpoint, type Marks, type Opened } from './socket.js';
import type { BodyKind, CurlTimes, Exchange, Phase, Phases, ProbeOptions } from './types.js';

// One HTTP/1.1 exchange on a connection of its own (the passthrough builds a new transport per
// request, RB §10.5): no pooling, no reconnect, no retry here, a timer per phase.

export interface Target {
  endpoint: Endpoint;
  origin: string;
  /** Path and query exactly as given (a '//' stays a '//'). */
  path: string;
}

/** Splits "scheme://authority/rest" without normalising the rest; undefined when not http(s). */
export function splitTarget(url: string): Target | undefined {
  const m = /^(https?):\/\/([^/?#]*)([^#]*)/i.exec(url.trim());
  if (!m) return undefined;
  const protocol = `${m[1]!.toLowerCase()}:` as Endpoint['protocol'];
  const authority = m[2]!.replace(/^[^@]*@/, '');
  let u: URL;
  try {
    u = new URL(`${protocol}//${authority}/`);
  } catch {
    return undefined;
  }
  if (!u.hostname) return undefined;
  let path = m[3] ?? '';
  if (path === '') path = '/';
  else if (path.startsWith('?')) path = `/${path}`;
  const port = u.port ? Number(u.port) : protocol === 'https:' ? 443 : 80;
  return { endpoint: { protocol, hostname: u.hostname, port }, origin: `${protocol}//${u.host}`, path };
}

export function bodyKindOf(contentType: string | undefined, text: string, truncated: boolean): BodyKind {
  const t = text.trimStart();
  if (t === '') return 'empty';
  const ct = (contentType ?? '').toLowerCase();
  const head = t.slice(0, 200).toLowerCase();
  if (ct.includes('html') || head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  if (t.startsWith('{') || t.startsWith('[')) {
    if (truncated && ct.includes('json')) return 'json';
    try {
      JSON.parse(t);
      return 'json';
    } catch {
      return ct.includes('json') ? 'json' : 'text';
    }
  }
  return 'text';
}

const r1 = (x: number) => Math.round(x * 10) / 10;

function timings(m: Marks & { ready?: number; headers?: number; end: number }, failed?: Phase): { phases: Phases; curl: CurlTimes } {
  const { start } = m;
  const ph: Phases = { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null, totalMs: r1(m.end - start) };
  if (m.dnsEnd !== undefined) ph.dnsMs = r1(m.dnsEnd - start);
  const afterDns = m.dnsEnd ?? start;
  if (m.connectEnd !== undefined) ph.connectMs = r1(m.connectEnd - afterDns);
  if (m.tlsEnd !== undefined && m.connectEnd !== undefined) ph.tlsMs = r1(m.tlsEnd - m.connectEnd);
  if (m.headers !== undefined && m.ready !== undefined) ph.ttfbMs = r1(m.headers - m.ready);
  // A phase that started and failed reports how long it ran before failing.
  if (failed === 'dns' && ph.dnsMs === null) ph.dnsMs = r1(m.end - start);
  if (failed === 'connect' && ph.connectMs === null) ph.connectMs = r1(m.end - afterDns);
  if (failed === 'tls' && ph.tlsMs === null && m.connectEnd !== undefined) ph.tlsMs = r1(m.end - m.connectEnd);
  const s = (t: number | undefined) => (t === undefined ? 0 : Math.round((t - start) * 10) / 10_000);
  const curl: CurlTimes = {
    time_namelookup: s(m.dnsEnd ?? (m.connectEnd !== undefined ? start : undefined)),
    time_connect: s(m.connectEnd),
    time_appconnect: s(m.tlsEnd),
    time_starttransfer: m.headers === undefined ? null : s(m.headers),
    time_total: s(m.end),
  };
  return { phases: ph, curl };
}

export interface ExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Only for redaction of what comes back. */
  key?: Secret;
  conditional?: boolean;
  /** Read at most this much of the body. */
  bodyCap?: number;
}

function errCode(err: unknown): string {
  const e = err as { code?: string; name?: string };
  return e?.code ?? e?.name ?? 'ERROR';
}

function describe(err: unknown, phase: Phase): string {
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (code.startsWith('HPE_') || (err as Error)?.name === 'HTTPParserError') return `the answer is not valid HTTP (${code || 'parse error'}: ${String(e?.message ?? '').split('\n')[0]})`;
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') {
    return phase === 'body' ? 'the connection closed while the body was being read (unexpected EOF)' : 'the connection closed before any response header (reset or EOF after accept)';
  }
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'the body ended before its Content-Length (unexpected EOF)';
  return `${code || 'error'}: ${String(e?.message ?? err).split('\n')[0]}`;
}

const noop = () => undefined;

export async function exchange(req: ExchangeRequest, o: ProbeOptions): Promise<Exchange> {
  const t = o.timeouts;
  const marks: Marks & { ready?: number; headers?: number; end: number } = { start: performance.now(), end: 0 };
  const ex: Exchange = {
    method: req.method,
    url: req.url,
    phases: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: null, totalMs: null },
    curl: { time_namelookup: 0, time_connect: 0, time_appconnect: 0, time_starttransfer: null, time_total: 0 },
    bodyKind: 'empty',
    bytes: 0,
    truncated: false,
  };
  if (req.conditional) ex.conditional = true;
  const finish = (failed?: Phase) => {
    marks.end = performance.now();
    const tm = timings(marks, failed);
    ex.phases = tm.phases;
    ex.curl = tm.curl;
    return ex;
  };
  const target = splitTarget(req.url);
  if (!target) {
    ex.error = { phase: 'connect', code: 'BAD_URL', message: 'not an absolute http(s) URL: unsupported protocol scheme', timeout: false };
    return finish('connect');
  }

  let opened: Opened;
  try {
    opened = await openConnection(target.endpoint, o, marks);
  } catch (err) {
    if (err instanceof PhaseError) {
      ex.error = err.toExchangeError();
      if (err.tls) ex.tls = err.tls;
      return finish(err.phase);
    }
    ex.error = { phase: 'connect', code: errCode(err), message: String((err as Error)?.message ?? err), timeout: false };
    return finish('connect');
  }
  ex.remoteAddress = opened.remoteAddress;
  if (opened.tls) ex.tls = opened.tls;
  marks.ready = performance.now();

  let handedOut = false;
  const client = new Client(target.origin, {
    // The socket opened above, once: a second connect means undici wants to retry on a new
    // connection, which would be a silent retry.
    // undici ignores a connector that answers synchronously (it is still resuming): defer.
    connect: (_opts, cb) =>
      queueMicrotask(() => {
        if (handedOut) cb(Object.assign(new Error('the connection closed before the request completed'), { code: 'UND_ERR_SOCKET' }), null);
        else {
          handedOut = true;
          cb(null, opened.socket);
        }
      }),
    // Our own timers decide; undici's are a backstop only.
    headersTimeout: t.headersMs + 2_000,
    bodyTimeout: t.bodyMs + 2_000,
    keepAliveTimeout: 1_000,
    pipelining: 1,
  });
  const cap = req.bodyCap ?? o.bodyCap;
  const chunks: Buffer[] = [];
  let kept = 0;
  let timedOut: Phase | undefined;
  let phase: Phase = 'headers';
  let timer: NodeJS.Timeout | undefined;
  try {
    // A plain dispatch handler: no response stream, no async iterator, one callback per event;
    // at a few hundred probes at once that is most of the client's CPU.
    const failure = await new Promise<unknown>((resolve) => {
      let controller: Dispatcher.DispatchController | undefined;
      let pending: Error | undefined;
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(err);
      };
      const abort = (err: Error) => {
        if (controller) controller.abort(err);
        else pending = err;
      };
      timer = setTimeout(() => {
        timedOut = 'headers';
        abort(Object.assign(new Error(`no response headers within ${t.headersMs} ms`), { code: 'HEADERS_TIMEOUT' }));
      }, t.headersMs);
      client.dispatch(
        { origin: target.origin, path: target.path, method: req.method, headers: req.headers, body: req.body },
        {
          onRequestStart(c) {
            controller = c;
            if (pending) c.abort(pending);
          },
          onResponseStart(_c, statusCode, headers) {
            if (statusCode < 200) return; // 1xx: the answer is still to come
            clearTimeout(timer);
            marks.headers = performance.now();
            phase = 'body';
            ex.status = statusCode;
            ex.headers = headers as Record<string, string | string[]>;
            const ct = headers['content-type'];
            if (ct !== undefined) ex.contentType = Array.isArray(ct) ? ct.join(', ') : ct;
            timer = setTimeout(() => {
              timedOut = 'body';
              abort(Object.assign(new Error(`body not complete within ${t.bodyMs} ms`), { code: 'BODY_TIMEOUT' }));
            }, t.bodyMs);
          },
          onResponseData(c, chunk) {
            ex.bytes += chunk.length;
            if (kept < cap) {
              const part = chunk.subarray(0, cap - kept);
              chunks.push(part);
              kept += part.length;
            }
            if (ex.bytes > cap) {
              // The rest is not needed to judge the answer; reading it all could take minutes.
              ex.truncated = true;
              settle();
              c.abort(new Error('body cap reached'));
            }
          },
          onResponseEnd: () => settle(),
          onResponseError: (_c, err) => settle(err),
        },
      );
    });
    if (failure === undefined) {
      const text = Buffer.concat(chunks).toString('utf8');
      ex.text = text;
      ex.bodyKind = bodyKindOf(ex.contentType, text, ex.truncated);
      if (text.trim()) ex.excerpt = excerptOf(text, req.key);
      return finish();
    }
    const p = timedOut ?? phase;
    if (timedOut) ex.error = { phase: p, code: p === 'headers' ? 'HEADERS_TIMEOUT' : 'BODY_TIMEOUT', message: p === 'headers' ? `no response headers within ${t.headersMs} ms` : `the body did not complete within ${t.bodyMs} ms (${ex.bytes} bytes read)`, timeout: true };
    else ex.error = { phase: p, code: errCode(failure), message: describe(failure, p), timeout: false };
    return finish(p);
  } catch (err) {
    // A request undici refuses before sending (an invalid header value, for one).
    ex.error = { phase: 'headers', code: errCode(err), message: describe(err, 'headers'), timeout: false };
    return finish('headers');
  } finally {
    clearTimeout(timer);
    // Closing the socket first spares undici its error path (a destroy with an error per probe).
    opened.socket.destroy();
    client.destroy().catch(noop);
  }
}
