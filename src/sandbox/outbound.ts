// Outbound HTTP as the relay's Go client does it, with Go's error texts (RB §10.5, §10.8): a
// response-header timeout, connection errors worded like net/http, body-read failures as
// `unexpected EOF`.

import http from 'node:http';
import https from 'node:https';

export interface OutboundResponse {
  status: number;
  /** Header pairs in arrival order, names as sent by the upstream. */
  headers: [string, string][];
  body: Buffer;
}

export type OutboundResult =
  | { ok: true; res: OutboundResponse }
  /** send: no response (net/http client.Do error); read: the body failed after the headers. */
  | { ok: false; phase: 'send' | 'read'; error: string };

/** Go's url.Error op: `Post`, `Get`, `Put`… */
const goOp = (method: string) => method.slice(0, 1).toUpperCase() + method.slice(1).toLowerCase();

function goNetError(e: NodeJS.ErrnoException, url: URL, local?: { address?: string; port?: number }): string {
  const hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  const localPart = local?.address && local.port ? `${local.address}:${local.port}->` : '';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${hostPort}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case 'ECONNRESET':
      return e.message === 'socket hang up' ? 'EOF' : `read tcp ${localPart}${hostPort}: read: connection reset by peer`;
    case 'ETIMEDOUT':
      return `dial tcp ${hostPort}: i/o timeout`;
    case 'EHOSTUNREACH':
      return `dial tcp ${hostPort}: connect: no route to host`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${url.hostname}`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    default:
      if (e.message === 'socket hang up') return 'EOF';
      return e.message;
  }
}

export interface OutboundRequest {
  method: string;
  target: string;
  headers: [string, string][];
  body: Buffer;
  headerTimeoutMs: number;
  /** Overall timeout (client.Timeout). */
  totalTimeoutMs: number;
}

/** client.Do then io.ReadAll(resp.Body). */
export function send(r: OutboundRequest): Promise<OutboundResult> {
  const op = goOp(r.method);
  let url: URL;
  try {
    url = new URL(r.target);
  } catch {
    // url.Parse accepts a scheme-less string as a path; the transport then refuses it.
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(r.target)?.[1] ?? '';
    return Promise.resolve({ ok: false, phase: 'send', error: `${op} "${r.target}": unsupported protocol scheme "${scheme}"` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ ok: false, phase: 'send', error: `${op} "${r.target}": unsupported protocol scheme "${url.protocol.slice(0, -1)}"` });
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let done = false;
    let headerTimer: NodeJS.Timeout | undefined;
    const finish = (v: OutboundResult) => {
      if (done) return;
      done = true;
      clearTimeout(headerTimer);
      clearTimeout(totalTimer);
      resolve(v);
    };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of r.headers) {
      const cur = headers[k];
      headers[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
    }
    headers['Content-Length'] = String(r.body.length);
    const req = lib.request(url, { method: r.method, headers, agent: false, setHost: true });
    const totalTimer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, phase: 'send', error: `${op} "${r.target}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, r.totalTimeoutMs);
    // Go names the local end in read errors; remember it before the socket is gone.
    let local: { address?: string; port?: number } | undefined;
    req.on('socket', (sock) => sock.on('connect', () => (local = { address: sock.localAddress, port: sock.localPort })));
    req.on('error', (e: NodeJS.ErrnoException) => {
      finish({ ok: false, phase: 'send', error: `${op} "${r.target}": ${goNetError(e, url, local)}` });
    });
    req.on('response', (res) => {
      clearTimeout(headerTimer);
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.complete) finish({ ok: true, res: { status: res.statusCode ?? 0, headers: pairs, body: Buffer.concat(chunks) } });
        else finish({ ok: false, phase: 'read', error: 'failed to read response body: unexpected EOF' });
      });
      res.on('aborted', () => finish({ ok: false, phase: 'read', error: 'failed to read response body: unexpected EOF' }));
      res.on('error', () => finish({ ok: false, phase: 'read', error: 'failed to read response body: unexpected EOF' }));
    });
    // ResponseHeaderTimeout counts from the end of the request write.
    req.end(r.body, () => {
      headerTimer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, phase: 'send', error: `${op} "${r.target}": net/http: timeout awaiting response headers` });
      }, r.headerTimeoutMs);
    });
  });
}
