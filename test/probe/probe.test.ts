import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/context/secret.js';
import { classify } from '../../src/probe/classify.js';
import { probe } from '../../src/probe/probe.js';
import { DEFAULT_OPTIONS, type ProbeKind, type ProbeOptions, type ProbeTimeouts } from '../../src/probe/types.js';
import { freePort, GOOD_KEY, hasOpenssl, makeCerts, startHttp, startHttps, startRaw, type Running, type TestCerts } from './upstream-servers.js';

// The probe engine against real loopback servers, one fault at a time. Every probe must end
// within the timeout of the phase that stalls plus one second.

const T: ProbeTimeouts = { dnsMs: 1000, connectMs: 1000, tlsMs: 1000, headersMs: 1000, bodyMs: 1000 };

function opts(extra: Partial<ProbeOptions> = {}): ProbeOptions {
  return { ...DEFAULT_OPTIONS, timeouts: T, ...extra };
}

async function run(url: string, o: { kind?: ProbeKind; key?: string; passthrough?: boolean; model?: string; expect?: string[]; method?: string; body?: string } & Partial<ProbeOptions> = {}) {
  const { kind = 'route', key = GOOD_KEY, passthrough = true, model, expect: expectModels, method = 'GET', body, ...po } = o;
  const options = opts(po);
  const started = performance.now();
  const outcome = await probe({ kind, method, url, key: new Secret(key), passthrough, targetModel: model, expectModels, body }, options);
  const elapsed = performance.now() - started;
  const findings = classify({ outcome, channelId: 8, slowMs: options.slowMs, headersTimeoutMs: options.timeouts.headersMs });
  return { outcome, findings, codes: findings.map((f) => f.code), elapsed, final: outcome.final };
}

describe('probe over HTTP', () => {
  let up: Running;
  beforeAll(async () => {
    up = await startHttp();
  });
  afterAll(() => up.close());

  it('times every phase of a healthy answer and finds nothing', async () => {
    const r = await run(`${up.origin}/runwayml/v1/tasks/relay-doctor-probe-x`);
    expect(r.final.status).toBe(404);
    expect(r.final.bodyKind).toBe('json');
    expect(r.codes).toEqual([]);
    const ph = r.final.phases;
    expect(ph.dnsMs).toBeNull(); // an IP literal: no lookup
    expect(ph.tlsMs).toBeNull();
    expect(ph.connectMs).toBeGreaterThanOrEqual(0);
    expect(ph.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(ph.totalMs!).toBeGreaterThanOrEqual(ph.ttfbMs!);
    expect(r.final.curl.time_total).toBeCloseTo(ph.totalMs! / 1000, 2);
  });

  it('500: the fault is upstream', async () => {
    const r = await run(`${up.origin}/500`);
    expect(r.codes).toEqual(['UPSTREAM_5XX']);
    expect(r.findings[0]!.message).toMatch(/answers 500 to the channel key too.*the fault is upstream/);
    expect(r.findings[0]!.evidence).toMatchObject({ status: 500, body: expect.stringContaining('fail_submit_task') });
  });

  it('an upstream that quotes the key back: the excerpt is redacted', async () => {
    const r = await run(`${up.origin}/echo`);
    expect(r.codes).toEqual(['UPSTREAM_5XX']);
    const text = JSON.stringify({ findings: r.findings, excerpt: r.final.excerpt });
    expect(text).not.toContain(GOOD_KEY);
    expect(r.findings[0]!.evidence!.body).toMatch(/bad key Bearer \*\*\*/);
  });

  it('401 unless the right key; the key never appears in the findings', async () => {
    const bad = 'sk-wrongKey9876543210zyxwvutsrqponm';
    const r = await run(`${up.origin}/v1/models`, { kind: 'models', key: bad, model: 'runway', expect: ['runway'] });
    expect(r.codes).toEqual(['UPSTREAM_AUTH_REJECTED']);
    expect(JSON.stringify(r.findings)).not.toContain(bad);
    const ok = await run(`${up.origin}/v1/models`, { kind: 'models', model: 'runway', expect: ['runway'] });
    expect(ok.codes).toEqual([]);
    expect(ok.outcome.models).toMatchObject({ count: 2, missing: [] });
  });

  it('model list without the model: the upstream relay has no channel for it', async () => {
    const r = await run(`${up.origin}/v1/models`, { kind: 'models', model: 'kling', expect: ['kling'] });
    expect(r.codes).toEqual(['UPSTREAM_NO_CHANNEL']);
    expect(r.findings[0]!.status).toBe('fail');
    const w = await run(`${up.origin}/v1/models`, { kind: 'models', expect: ['runway', 'suno'] });
    expect(w.findings.map((f) => [f.code, f.status])).toEqual([['UPSTREAM_NO_CHANNEL', 'warn']]);
  });

  it('503 "no channel" from an upstream relay', async () => {
    const r = await run(`${up.origin}/no-channel`);
    expect(r.codes).toEqual(['UPSTREAM_NO_CHANNEL']);
  });

  it('an HTML page where JSON is expected', async () => {
    const r = await run(`${up.origin}/html`);
    expect(r.final.bodyKind).toBe('html');
    expect(r.codes).toEqual(['UPSTREAM_HTML_RESPONSE']);
    expect(r.findings[0]!.status).toBe('fail');
  });

  it('304 to forwarded conditional headers', async () => {
    const r = await run(`${up.origin}/etag`);
    expect(r.outcome.conditional?.status).toBe(304);
    expect(r.codes).toEqual(['UPSTREAM_NOT_MODIFIED']);
  });

  it('CORS headers the relay would duplicate', async () => {
    const r = await run(`${up.origin}/cors`);
    expect(r.codes).toEqual(['UPSTREAM_CORS_DUPLICATE']);
    expect(r.findings[0]!.message).toContain('*, *');
    const plain = await run(`${up.origin}/cors`, { passthrough: false });
    expect(plain.codes).toEqual([]);
  });

  it('a redirect loop stops after 10 requests, each on its own connection', async () => {
    const r = await run(`${up.origin}/loop`);
    expect(r.outcome.exchanges).toHaveLength(10);
    expect(r.outcome.redirectLoop).toBe(true);
    expect(r.findings.map((f) => [f.code, f.status])).toEqual([['UPSTREAM_REDIRECT', 'fail']]);
    expect(r.elapsed).toBeLessThan(T.headersMs + 1000);
  });

  it('a redirect that ends well is a warning', async () => {
    const r = await run(`${up.origin}/redirect-ok`);
    expect(r.final.status).toBe(200);
    expect(r.findings.map((f) => [f.code, f.status])).toEqual([['UPSTREAM_REDIRECT', 'warn']]);
  });

  it('an oversized body is read up to the cap only', async () => {
    const r = await run(`${up.origin}/big`);
    expect(r.final.truncated).toBe(true);
    expect(r.final.bytes).toBeGreaterThan(64 * 1024);
    expect(r.final.bytes).toBeLessThan(256 * 1024);
    expect(r.codes).toEqual([]);
  });

  it('hang before headers: UPSTREAM_TIMEOUT within the header timeout + 1 s', async () => {
    const r = await run(`${up.origin}/hang`);
    expect(r.codes).toEqual(['UPSTREAM_TIMEOUT']);
    expect(r.final.phases.ttfbMs).toBeNull();
    expect(r.elapsed).toBeLessThan(T.headersMs + 1000);
    expect(r.elapsed).toBeGreaterThanOrEqual(T.headersMs - 50);
  });

  it('slow headers: UPSTREAM_SLOW past the threshold, with the time to first byte', async () => {
    const r = await run(`${up.origin}/slow-headers/400`, { slowMs: 300 });
    expect(r.codes).toEqual(['UPSTREAM_SLOW']);
    expect(r.final.phases.ttfbMs!).toBeGreaterThanOrEqual(390);
    const fast = await run(`${up.origin}/slow-headers/50`, { slowMs: 300 });
    expect(fast.codes).toEqual([]);
  });

  it('slow body: ends within the body timeout + 1 s', async () => {
    const r = await run(`${up.origin}/slow-body`);
    expect(r.codes).toEqual(['UPSTREAM_SLOW']);
    expect(r.final.error).toMatchObject({ phase: 'body', timeout: true });
    expect(r.elapsed).toBeLessThan(T.bodyMs + 1000);
  });

  it('a transport-only probe (no key) judges the connection, not the page', async () => {
    for (const p of ['/redirect-ok', '/500', '/html', '/etag']) {
      const r = await run(`${up.origin}${p}`, { kind: 'reach', passthrough: false });
      expect(r.codes, p).toEqual([]);
      expect(r.outcome.conditional).toBeUndefined();
    }
    const port = await freePort();
    expect((await run(`http://127.0.0.1:${port}/`, { kind: 'reach', passthrough: false })).codes).toEqual(['UPSTREAM_CONNECT_FAILED']);
  });

  it('retries only when asked for, and says so', async () => {
    const once = await run(`${up.origin}/500`);
    expect(once.outcome.exchanges).toHaveLength(1);
    const twice = await run(`${up.origin}/500`, { retries: 2 });
    expect(twice.outcome.exchanges).toHaveLength(3);
    expect(twice.outcome.retriesUsed).toBe(2);
    expect(twice.findings[0]!.evidence).toMatchObject({ retries: 2 });
  });
});

describe('probe: transport faults', () => {
  it('refused port: UPSTREAM_CONNECT_FAILED', async () => {
    const port = await freePort();
    const r = await run(`http://127.0.0.1:${port}/x`);
    expect(r.codes).toEqual(['UPSTREAM_CONNECT_FAILED']);
    expect(r.final.error).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED' });
    expect(r.elapsed).toBeLessThan(T.connectMs + 1000);
  });

  it('DNS failure on a .invalid name', async () => {
    const r = await run('https://legacy-gateway.invalid/v1/models', { kind: 'models' });
    expect(r.codes).toEqual(['UPSTREAM_DNS_FAILED']);
    expect(r.final.error?.phase).toBe('dns');
    expect(r.final.phases.connectMs).toBeNull();
    expect(r.elapsed).toBeLessThan(T.dnsMs + 1000);
  });

  it('a resolver that never answers: DNS timeout', async () => {
    const r = await run('https://slow-dns.example/x', { lookup: (() => undefined) as unknown as net.LookupFunction });
    expect(r.codes).toEqual(['UPSTREAM_DNS_FAILED']);
    expect(r.final.error).toMatchObject({ phase: 'dns', timeout: true });
    expect(r.elapsed).toBeLessThan(T.dnsMs + 1000);
  });

  it('several addresses: a refused one falls through to the next, as Go\'s dialer does', async () => {
    const up = await startHttp();
    try {
      const lookup = ((_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
        cb(null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }])) as unknown as net.LookupFunction;
      const r = await run(`http://upstream.test:${up.port}/runwayml/v1/tasks/x`, { lookup });
      expect(r.codes).toEqual([]);
      expect(r.final.remoteAddress).toBe('127.0.0.1');
      expect(r.final.status).toBe(404);
    } finally {
      await up.close();
    }
  });

  it('reset right at accept: a connect or a drop failure, never a hang', async () => {
    // On loopback the RST can win the race against the client's connect event.
    const srv = await startRaw((s) => s.resetAndDestroy());
    try {
      const r = await run(`${srv.origin}/x`);
      expect(r.codes).toHaveLength(1);
      expect(['UPSTREAM_CONNECTION_DROPPED', 'UPSTREAM_CONNECT_FAILED']).toContain(r.codes[0]);
      expect(r.elapsed).toBeLessThan(T.connectMs + 1000);
    } finally {
      await srv.close();
    }
  });

  it('reset after accept, once the request is in: UPSTREAM_CONNECTION_DROPPED', async () => {
    const srv = await startRaw((s) => s.once('data', () => s.resetAndDestroy()));
    try {
      const r = await run(`${srv.origin}/x`);
      expect(r.codes).toEqual(['UPSTREAM_CONNECTION_DROPPED']);
      expect(r.final.error?.phase).toBe('headers');
      expect(r.elapsed).toBeLessThan(T.headersMs + 1000);
    } finally {
      await srv.close();
    }
  });

  it('reset while the body is read', async () => {
    const srv = await startRaw((s) =>
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"partial":');
        setTimeout(() => s.resetAndDestroy(), 50);
      }),
    );
    try {
      const r = await run(`${srv.origin}/x`);
      expect(r.codes).toEqual(['UPSTREAM_CONNECTION_DROPPED']);
      expect(r.final.error?.phase).toBe('body');
    } finally {
      await srv.close();
    }
  });

  it('malformed HTTP: UPSTREAM_PROTOCOL_ERROR', async () => {
    const srv = await startRaw((s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n')));
    try {
      const r = await run(`${srv.origin}/x`);
      expect(r.codes).toEqual(['UPSTREAM_PROTOCOL_ERROR']);
      expect(r.elapsed).toBeLessThan(T.headersMs + 1000);
    } finally {
      await srv.close();
    }
  });

  it('a TLS handshake that never completes: UPSTREAM_TLS_FAILED within the TLS timeout + 1 s', async () => {
    const srv = await startRaw(() => undefined); // accepts, never speaks
    try {
      const r = await run(`https://127.0.0.1:${srv.port}/x`);
      expect(r.codes).toEqual(['UPSTREAM_TLS_FAILED']);
      expect(r.final.error).toMatchObject({ phase: 'tls', timeout: true });
      expect(r.elapsed).toBeLessThan(T.tlsMs + 1000);
    } finally {
      await srv.close();
    }
  });
});

describe.skipIf(!hasOpenssl())('probe over HTTPS (certificates made by openssl)', () => {
  let certs: TestCerts;
  const servers: Running[] = [];
  beforeAll(() => {
    certs = makeCerts();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const serve = async (pem: TestCerts['valid']) => {
    const s = await startHttps(pem);
    servers.push(s);
    return s;
  };

  it('valid for localhost, signed by a trusted test CA: TLS facts and no finding', async () => {
    const s = await serve(certs.valid);
    const r = await run(`${s.origin}/runwayml/v1/tasks/x`, { ca: certs.ca });
    expect(r.codes).toEqual([]);
    expect(r.final.status).toBe(404);
    expect(r.final.tls).toMatchObject({ subject: 'CN=localhost', issuer: 'CN=relay-doctor test CA', hostMatch: true, authorized: true });
    expect(r.final.tls!.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.final.tls!.daysLeft).toBeGreaterThanOrEqual(398);
    expect(r.final.phases.dnsMs).not.toBeNull();
    expect(r.final.phases.tlsMs).toBeGreaterThan(0);
    // cumulative like curl -w
    expect(r.final.curl.time_appconnect).toBeGreaterThanOrEqual(r.final.curl.time_connect);
  });

  it('a certificate about to expire is a warning', async () => {
    const s = await serve(certs.expiringSoon);
    const r = await run(`${s.origin}/runwayml/v1/tasks/x`, { ca: certs.ca });
    expect(r.findings.map((f) => [f.code, f.status])).toEqual([['UPSTREAM_TLS_FAILED', 'warn']]);
    expect(r.findings[0]!.message).toMatch(/expires in [45] day/);
  });

  it('the same server without the CA: not trusted', async () => {
    const s = await serve(certs.valid);
    const r = await run(`${s.origin}/x`);
    expect(r.codes).toEqual(['UPSTREAM_TLS_FAILED']);
    expect(r.final.status).toBeUndefined();
  });

  it('self-signed', async () => {
    const s = await serve(certs.selfSigned);
    const r = await run(`${s.origin}/x`, { ca: certs.ca });
    expect(r.codes).toEqual(['UPSTREAM_TLS_FAILED']);
    expect(r.findings[0]!.message).toMatch(/self-signed/);
    expect(r.final.tls?.authorized).toBe(false);
  });

  it('expired', async () => {
    const s = await serve(certs.expired);
    const r = await run(`${s.origin}/x`, { ca: certs.ca });
    expect(r.codes).toEqual(['UPSTREAM_TLS_FAILED']);
    expect(r.findings[0]!.message).toMatch(/expired/);
    expect(r.final.tls!.daysLeft).toBeLessThan(1);
  });

  it('wrong host', async () => {
    const s = await serve(certs.wrongHost);
    const r = await run(`${s.origin}/x`, { ca: certs.ca });
    expect(r.codes).toEqual(['UPSTREAM_TLS_FAILED']);
    expect(r.final.tls).toMatchObject({ hostMatch: false, subject: 'CN=wrong-host.example' });
    expect(r.findings[0]!.message).toMatch(/not for localhost/);
  });

  it('reset during the TLS handshake', async () => {
    const srv = await startRaw((s) => s.once('data', () => s.resetAndDestroy()));
    servers.push(srv);
    const r = await run(`https://127.0.0.1:${srv.port}/x`, { ca: certs.ca });
    expect(r.codes).toEqual(['UPSTREAM_TLS_FAILED']);
    expect(r.final.error?.phase).toBe('tls');
  });
});
