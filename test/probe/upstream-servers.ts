import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Loopback upstreams for the probe tests: certificates made at test time with the openssl
// command-line tool, HTTP(S) servers with fault modes, and raw TCP servers that misbehave.

export interface Pem {
  key: string;
  cert: string;
}

export interface TestCerts {
  dir: string;
  ca: string;
  /** Signed by the test CA for localhost and 127.0.0.1. */
  valid: Pem;
  /** Self-signed for localhost: not trusted. */
  selfSigned: Pem;
  /** Signed by the test CA, notAfter in the past. */
  expired: Pem;
  /** Signed by the test CA for wrong-host.example only. */
  wrongHost: Pem;
  /** Valid, but for five more days only. */
  expiringSoon: Pem;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-certs-'));
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '800', '-subj', '/CN=relay-doctor test CA']);
  const leaf = (name: string, cn: string, san: string, days: string) => {
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    fs.writeFileSync(f(`${name}.ext`), `subjectAltName=${san}\n`);
    run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', days, '-extfile', `${name}.ext`]);
    return { key: fs.readFileSync(f(`${name}.key`), 'utf8'), cert: fs.readFileSync(f(`${name}.crt`), 'utf8') };
  };
  const valid = leaf('valid', 'localhost', 'DNS:localhost,IP:127.0.0.1', '400');
  const expiringSoon = leaf('soon', 'localhost', 'DNS:localhost,IP:127.0.0.1', '5');
  const expired = leaf('expired', 'localhost', 'DNS:localhost,IP:127.0.0.1', '-1');
  const wrongHost = leaf('wrong', 'wrong-host.example', 'DNS:wrong-host.example', '400');
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '400', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  const selfSigned = { key: fs.readFileSync(f('self.key'), 'utf8'), cert: fs.readFileSync(f('self.crt'), 'utf8') };
  return { dir, ca: fs.readFileSync(f('ca.crt'), 'utf8'), valid, selfSigned, expired, wrongHost, expiringSoon };
}

export interface Running {
  port: number;
  origin: string;
  close(): Promise<void>;
}

async function listen(server: net.Server, https = false, host = '127.0.0.1'): Promise<Running> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    origin: `${https ? 'https' : 'http'}://${https ? 'localhost' : '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const GOOD_KEY = 'sk-probeGoodKey0123456789abcdefghijklmnop';

export interface UpstreamOptions {
  /** Delay before any answer (ms), for the benchmark and slow-header tests. */
  delayMs?: number;
  /** Models the upstream's /v1/models lists. */
  models?: string[];
}

/**
 * A fake legacy gateway. Paths pick the fault: /v1/models (401 unless GOOD_KEY), /500, /html,
 * /slow-headers/<ms>, /slow-body, /hang, /etag, /cors, /loop, /big, /no-channel, /redirect-ok,
 * /echo (500 quoting the Authorization header back), /runwayml/v1/tasks/<id> (404 JSON, task not
 * found); anything else 200 JSON.
 */
export function upstreamHandler(o: UpstreamOptions = {}): http.RequestListener {
  return (req, res) => {
    const go = () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = url.pathname;
      const auth = req.headers.authorization;
      const json = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (p === '/v1/models') {
        if (auth !== `Bearer ${GOOD_KEY}`) return json(401, { error: { message: '无效的令牌 (request id: B20251106)', type: 'new_api_error' } });
        return json(200, { object: 'list', data: (o.models ?? ['runway', 'pika']).map((id) => ({ id, object: 'model', owned_by: 'custom' })) });
      }
      if (p === '/500') return json(500, { code: 'fail_submit_task', message: '', data: null });
      if (p === '/echo') return json(500, { error: { message: `bad key ${auth ?? ''} (request id: B1)` } });
      if (p === '/no-channel') return json(503, { error: { message: '分组 default 下模型 runway 无可用渠道（distributor） (request id: B2025)', type: 'new_api_error', code: 'model_not_found' } });
      if (p === '/html' || p.startsWith('/web/')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<!doctype html><html><head><title>Legacy gateway</title></head><body>app</body></html>');
      }
      if (p.startsWith('/slow-headers/')) {
        const ms = Number(p.split('/')[2]);
        setTimeout(() => json(200, { ok: true }), ms);
        return;
      }
      if (p === '/hang') return; // never answers
      if (p === '/slow-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":[');
        return; // the rest never comes
      }
      if (p === '/etag') {
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"' });
          return res.end();
        }
        return json(200, { status: 'processing' }, { etag: '"v1"' });
      }
      if (p === '/cors') {
        res.setHeader('access-control-allow-origin', ['*', '*']);
        res.setHeader('access-control-allow-credentials', 'true');
        return json(200, { ok: true });
      }
      if (p === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      if (p === '/redirect-ok') {
        res.writeHead(301, { location: '/ok' });
        return res.end();
      }
      if (p === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 200 && !res.destroyed) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      if (p.startsWith('/runwayml/v1/tasks/')) return json(404, { code: 'task_not_exist', message: 'task_not_exist', data: null });
      return json(200, { ok: true, path: p });
    };
    if (o.delayMs) setTimeout(go, o.delayMs);
    else go();
  };
}

export function startHttp(o: UpstreamOptions = {}): Promise<Running> {
  const server = http.createServer(upstreamHandler(o));
  server.keepAliveTimeout = 1000;
  return listen(server);
}

export function startHttps(pem: Pem, o: UpstreamOptions = {}): Promise<Running> {
  const server = https.createServer({ key: pem.key, cert: pem.cert }, upstreamHandler(o));
  return listen(server, true);
}

/** Accepts, then does `onSocket` (reset, hang, write garbage). */
export function startRaw(onSocket: (s: net.Socket) => void): Promise<Running> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    onSocket(s);
  });
  return listen(server);
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
