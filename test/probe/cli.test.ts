import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';
import { GOOD_KEY, hasOpenssl, makeCerts, startHttps, upstreamHandler, type Running, type TestCerts } from './upstream-servers.js';

// Through the built CLI, on the seed incident's SQLite relay database whose passthrough channel
// #8 points at a loopback legacy gateway: probe-upstream itself, and diagnose's upstream stage
// telling "the upstream fails too" apart from "the upstream is fine".

interface Seen {
  method: string;
  url: string;
  auth: boolean;
  body: string;
}

describe.skipIf(!builtCliExists())('probe-upstream and diagnose against a loopback legacy gateway', () => {
  let fresh: FreshDatabase;
  let seed: SeedResult;
  let server: http.Server;
  let base: string;
  let mode: 'ok' | 'down' | 'hang' = 'ok';
  const seen: Seen[] = [];
  const handler = upstreamHandler({ models: ['kling', 'runway', 'suno', 'pika', 'bulk-model'] });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization === `Bearer ${GOOD_KEY}`, body });
        if (mode === 'hang' && req.url!.startsWith('/runwayml/')) return; // never answers
        if (mode === 'down' && req.url!.startsWith('/runwayml/')) {
          res.writeHead(500, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ code: 'fail_to_fetch_task', message: 'upstream busy (request id: B20251106)', data: null }));
        }
        handler(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    fresh = await freshDatabase('sqlite');
    seed = await seedIncident(fresh.db, { upstreamBaseUrl: base });
    await fresh.db.query(`UPDATE channels SET ${fresh.db.dialect.q('key')} = ? WHERE id = ?`, [GOOD_KEY, seed.channelId]);
  });
  afterAll(async () => {
    await fresh?.drop();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { input, timeoutMs: 40_000 });
    expect(r.stdout + r.stderr).not.toContain(GOOD_KEY);
    return r;
  };

  it('--channel 8: the model list with the channel key, timed, no key printed', async () => {
    mode = 'ok';
    const r = await cli(['probe-upstream', '--dsn', fresh.dsn, '--channel', String(seed.channelId), '--json']);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ schemaVersion: 1, tool: { name: 'relay-doctor' }, mode: 'safe' });
    expect(doc.probes).toHaveLength(1);
    const p = doc.probes[0];
    expect(p).toMatchObject({ channelId: 8, type: 55, kind: 'models', url: `${base}/v1/models`, status: 200, bodyKind: 'json', findings: [] });
    for (const k of ['dnsMs', 'connectMs', 'tlsMs', 'ttfbMs', 'totalMs']) expect(p.phases).toHaveProperty(k);
    expect(p.phases.tlsMs).toBeNull();
    expect(p.phases.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models', auth: true });
  });

  it('--path on a passthrough route: a task lookup that cannot create anything, and the upstream 500', async () => {
    mode = 'down';
    const r = await cli(['probe-upstream', '--dsn', fresh.dsn, '--channel', '8', '--path', '/runwayml/v1/image_to_video', '--json']);
    expect(r.code).toBe(1);
    const doc = r.json();
    const route = doc.probes.find((p: { kind: string }) => p.kind === 'route');
    expect(route.method).toBe('GET');
    expect(route.url).toMatch(new RegExp(`^${base}/runwayml/v1/tasks/relay-doctor-probe-[0-9a-f]{8}$`));
    expect(route.status).toBe(500);
    expect(route.findings.map((f: { code: string }) => f.code)).toEqual(['UPSTREAM_5XX']);
    expect(route.findings[0].message).toContain('the fault is upstream');
    expect(seen.filter((s) => s.method !== 'GET')).toEqual([]);
  });

  it('--model runway --group default: the channels the relay would pick, as a table', async () => {
    mode = 'ok';
    const r = await cli(['probe-upstream', '--dsn', fresh.dsn, '--model', 'runway', '--group', 'default']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ #8\s+│ 55 Bltcy/);
    expect(r.stdout).toContain('127.0.0.1');
    expect(r.stdout).not.toContain('#5 '); // disabled: not picked
  });

  it('300 channels at --concurrency 50: every probe in one JSON document through a pipe', async () => {
    mode = 'ok';
    await fresh.db.transaction(async (tx) => {
      for (let i = 0; i < 300; i++) {
        await tx.query(`INSERT INTO channels (id, type, ${tx.dialect.q('key')}, status, name, models, ${tx.dialect.q('group')}, base_url, weight, priority) VALUES (?, 55, ?, 1, ?, 'bulk-model', 'bulk', ?, 0, 0)`, [1000 + i, GOOD_KEY, `bulk-${i}`, base]);
      }
    });
    const before = seen.length;
    const r = await cli(['probe-upstream', '--dsn', fresh.dsn, '--model', 'bulk-model', '--concurrency', '50', '--json']);
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.probes).toHaveLength(300);
    expect(doc.summary).toMatchObject({ channels: 300, probes: 300, fail: 0 });
    expect(new Set(doc.probes.map((p: { channelId: number }) => p.channelId)).size).toBe(300);
    expect(seen.length - before).toBe(300);
  });

  it('--live refuses without --yes when stdin is not a terminal (exit 2), and sends nothing', async () => {
    const before = seen.length;
    const r = await cli(['probe-upstream', '--dsn', fresh.dsn, '--channel', '8', '--path', '/runwayml/v1/image_to_video', '--live', '--body', '{"model":"gen4_turbo"}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(seen.length).toBe(before);
  });

  it('--live --yes --body @file sends the real request with the channel key', async () => {
    mode = 'ok';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-live-'));
    const file = path.join(dir, 'req.json');
    fs.writeFileSync(file, '{"model":"gen4_turbo","promptText":"a cat"}');
    try {
      const r = await cli(['probe-upstream', '--dsn', fresh.dsn, '--channel', '8', '--path', '/runwayml/v1/image_to_video', '--live', '--yes', '--body', `@${file}`, '--json']);
      expect(r.code).toBe(0);
      const doc = r.json();
      expect(doc.mode).toBe('live');
      expect(doc.probes.map((p: { kind: string }) => p.kind)).toEqual(['live']);
      expect(seen.at(-1)).toEqual({ method: 'POST', url: '/runwayml/v1/image_to_video', auth: true, body: '{"model":"gen4_turbo","promptText":"a cat"}' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2; an unreadable database exits 3 with a document', async () => {
    expect((await cli(['probe-upstream', '--dsn', fresh.dsn])).code).toBe(2);
    expect((await cli(['probe-upstream', '--dsn', fresh.dsn, '--all', '--channel', '8'])).code).toBe(2);
    expect((await cli(['probe-upstream', '--dsn', fresh.dsn, '--all', '--timeout', 'soon'])).code).toBe(2);
    const r = await cli(['probe-upstream', '--dsn', 'postgres://postgres@127.0.0.1:1/none', '--all', '--json']);
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({ probes: [], error: { code: 'DB_UNREACHABLE' } });
  });

  it('diagnose: "the upstream answers 500 too: the fault is upstream"', async () => {
    mode = 'down';
    const r = await cli(['diagnose', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--group', 'default', '--json']);
    expect(r.code).toBe(1);
    const doc = r.json();
    const up = doc.stages.find((s: { id: string }) => s.id === 'upstream');
    expect(up.status).toBe('fail');
    expect(up.note).toBeUndefined();
    const f = up.findings.find((x: { code: string }) => x.code === 'UPSTREAM_5XX');
    expect(f.message).toMatch(/answers 500 to the channel key too.*the fault is upstream, not in the relay/);
    expect(f.evidence).toMatchObject({ status: 500, method: 'GET' });
    expect(f.evidence.phases.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(doc.notImplemented ?? []).not.toContain('--offline');
  });

  it('diagnose: "the upstream is fine: the fault is in the relay", with numbers', async () => {
    mode = 'ok';
    const r = await cli(['diagnose', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--group', 'default', '--json']);
    const doc = r.json();
    const up = doc.stages.find((s: { id: string }) => s.id === 'upstream');
    expect(up.status).toBe('pass');
    const f = up.findings.find((x: { code: string }) => x.code === 'UPSTREAM_HEALTHY');
    expect(f.status).toBe('info');
    expect(f.message).toMatch(/model list 200 JSON in \d+ ms/);
    expect(f.message).toMatch(/task lookup on the route prefix 404 JSON/);
    expect(f.message).toContain('comes from the relay, not from upstream');
  });

  it('diagnose --timeout 4 on a hanging upstream: UPSTREAM_TIMEOUT inside the run, not a stopped run', async () => {
    mode = 'hang';
    const started = performance.now();
    const r = await cli(['diagnose', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--group', 'default', '--timeout', '4', '--json']);
    const elapsed = performance.now() - started;
    mode = 'ok';
    expect(r.code).toBe(1);
    const up = r.json().stages.find((s: { id: string }) => s.id === 'upstream');
    expect(up.findings.map((f: { code: string }) => f.code)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(up.findings[0].message).toMatch(/no response headers within 2 s/);
    expect(elapsed).toBeLessThan(4000);
  });

  it('diagnose with no channel selected: the upstream stage says so and probes nothing', async () => {
    const before = seen.length;
    const r = await cli(['diagnose', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--group', 'vip', '--json']);
    const up = r.json().stages.find((s: { id: string }) => s.id === 'upstream');
    expect(up).toMatchObject({ status: 'skip', note: 'upstream not probed: no channel selected' });
    expect(seen.length).toBe(before);
  });

  it('diagnose --offline: the upstream stage is skipped and says why', async () => {
    const before = seen.length;
    const r = await cli(['diagnose', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--group', 'default', '--offline', '--json']);
    const up = r.json().stages.find((s: { id: string }) => s.id === 'upstream');
    expect(up).toMatchObject({ status: 'skip', note: 'upstream not probed (--offline)', findings: [] });
    expect(seen.length).toBe(before);
  });
});

describe.skipIf(!builtCliExists() || !hasOpenssl())('probe-upstream over HTTPS through the CLI', () => {
  let certs: TestCerts;
  let fresh: FreshDatabase;
  const servers: Running[] = [];
  beforeAll(async () => {
    certs = makeCerts();
    fs.writeFileSync(path.join(certs.dir, 'trust.pem'), certs.ca);
    servers.push(await startHttps(certs.valid, { models: ['kling', 'runway', 'suno', 'pika'] }), await startHttps(certs.expired));
    fresh = await freshDatabase('sqlite');
    const seed = await seedIncident(fresh.db, { upstreamBaseUrl: servers[0]!.origin });
    const q = fresh.db.dialect.q;
    await fresh.db.query(`UPDATE channels SET ${q('key')} = ? WHERE id = ?`, [GOOD_KEY, seed.channelId]);
    await fresh.db.query(`INSERT INTO channels (id, type, ${q('key')}, status, name, models, ${q('group')}, base_url, weight, priority) VALUES (40, 55, ?, 1, 'expired', 'runway', 'spare', ?, 0, 0)`, [GOOD_KEY, servers[1]!.origin]);
  });
  afterAll(async () => {
    await fresh?.drop();
    await Promise.all(servers.map((s) => s.close()));
    if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('a certificate from a CA the system trusts (NODE_EXTRA_CA_CERTS): TLS facts, no finding; an expired one fails', async () => {
    const r = await runCli(['probe-upstream', '--dsn', fresh.dsn, '--channel', '8,40', '--json'], { env: { NODE_EXTRA_CA_CERTS: path.join(certs.dir, 'trust.pem') } });
    expect(r.stdout + r.stderr).not.toContain(GOOD_KEY);
    expect(r.code).toBe(1);
    const [ok, expired] = r.json().probes;
    expect(ok).toMatchObject({ channelId: 8, status: 200, findings: [], tls: { subject: 'CN=localhost', issuer: 'CN=relay-doctor test CA', hostMatch: true } });
    expect(ok.phases.dnsMs).not.toBeNull();
    expect(ok.phases.tlsMs).toBeGreaterThan(0);
    expect(expired).toMatchObject({ channelId: 40, bodyKind: 'empty', error: { phase: 'tls' } });
    expect(expired.status).toBeUndefined();
    expect(expired.findings.map((f: { code: string }) => f.code)).toEqual(['UPSTREAM_TLS_FAILED']);
    expect(expired.findings[0].message).toMatch(/expired on/);
  });
});
