#!/usr/bin/env node
// probe-upstream at scale (issue #4): N channels whose base_url is one loopback upstream that
// answers after 200 ms, probed with --concurrency 50. Ideal wall time = ceil(N / 50) × 200 ms
// (2 s for 500). Reports the CLI's wall time and peak RSS, the engine's own wall time in
// process, and heap/RSS after successive rounds (flat memory: nothing kept per probe but its
// small record).
//
//   npm run build && node bench/probe-bench.mjs [--channels 500] [--concurrency 50] [--delay 200] [--runs 3] [--rounds 3]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './lib/measure.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = (p) => import(path.join(ROOT, 'dist', p));

function opt(name, dflt) {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
}

const CHANNELS = opt('--channels', 500);
const CONCURRENCY = opt('--concurrency', 50);
const DELAY = opt('--delay', 200);
const RUNS = opt('--runs', 3);
const ROUNDS = opt('--rounds', 3);

if (!fs.existsSync(path.join(ROOT, 'dist/cli.js'))) {
  process.stderr.write('build first: npm run build\n');
  process.exit(2);
}

// The upstream, in a process of its own so that it does not share the prober's event loop: a
// relay-like model list after DELAY ms; GET /stats answers (and resets) its counters.
const SERVER = `
const http = require('node:http');
const delay = Number(process.argv[1]);
let served = 0, inFlight = 0, peak = 0;
const s = http.createServer((req, res) => {
  if (req.url === '/stats') { res.end(JSON.stringify({ served, peakInFlight: peak })); served = 0; peak = 0; return; }
  inFlight++; peak = Math.max(peak, inFlight);
  setTimeout(() => { served++; inFlight--; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"object":"list","data":[{"id":"runway"},{"id":"pika"}]}'); }, delay);
});
s.keepAliveTimeout = 1000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;
const upstream = spawn(process.execPath, ['-e', SERVER, String(DELAY)], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  upstream.stdout.once('data', (d) => resolve(Number(String(d).trim())));
  upstream.once('exit', () => reject(new Error('the bench upstream did not start')));
});
const base = `http://127.0.0.1:${port}`;
const stats = () =>
  new Promise((resolve) => http.get(`${base}/stats`, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(JSON.parse(b))); }));

// The relay database: N enabled Bltcy channels on that upstream.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-bench-'));
const file = path.join(dir, 'relay.db');
fs.writeFileSync(file, '');
const [{ openDb }, { createRelaySchema }, { insertChannel, randomKey }] = await Promise.all([dist('db/open.js'), dist('sample/ddl.js'), dist('sample/rows.js')]);
const db = await openDb({ engine: 'sqlite', file, redacted: `sqlite:${file}`, source: 'bench' }, { readOnly: false });
await createRelaySchema(db, 'bf');
await db.transaction(async (tx) => {
  for (let i = 1; i <= CHANNELS; i++) {
    await insertChannel(tx, { id: i, type: 55, name: `bench-${i}`, models: 'runway', group: 'default', baseUrl: base, key: `sk-${randomKey(40)}` });
  }
});
await db.close();

const ideal = Math.ceil(CHANNELS / CONCURRENCY) * DELAY;
const rows = [];

// 1. The CLI, as a user runs it.
for (let i = 0; i < RUNS; i++) {
  await stats();
  const r = await runCli(['probe-upstream', '--dsn', `sqlite://${file}`, '--all', '--concurrency', String(CONCURRENCY), '--json'], {});
  const probes = r.doc?.probes ?? [];
  const ok = probes.filter((p) => p.status === 200 && p.findings.length === 0).length;
  const { served, peakInFlight } = await stats();
  rows.push({ what: `CLI run ${i + 1}`, wallMs: Math.round(r.wallMs), runMs: r.doc?.durationMs, probesMs: r.doc?.probesMs, peakRssMb: r.rssKb ? +(r.rssKb / 1024).toFixed(1) : undefined, probes: probes.length, ok, served, peakInFlight, exit: r.exitCode, ...(r.doc ? {} : { stderr: r.stderr.slice(0, 200) }) });
}

// 2. The engine in process, several rounds: memory after each round shows whether it grows.
const [{ planChannel }, { runPlans }, { DEFAULT_OPTIONS }, { Secret }] = await Promise.all([dist('probe/plan.js'), dist('probe/run.js'), dist('probe/types.js'), dist('context/secret.js')]);
const channels = Array.from({ length: CHANNELS }, (_, i) => ({
  id: i + 1, type: 55, name: `bench-${i + 1}`, status: 1, key: new Secret(`sk-${randomKey(40)}`), baseUrl: base, models: 'runway', group: 'default',
  priority: 0, weight: 0, tag: null, autoBan: 1, modelMapping: null, statusCodeMapping: null, setting: null, settings: null, paramOverride: null,
  headerOverride: null, otherInfo: null, channelInfo: null, channelRatio: 1, testModel: null, other: null,
}));
const mem = () => ({ rssMb: +(process.memoryUsage().rss / 1048576).toFixed(1), heapMb: +(process.memoryUsage().heapUsed / 1048576).toFixed(1) });
const rounds = [];
for (let round = 1; round <= ROUNDS; round++) {
  await stats();
  const plans = channels.map((c) => planChannel(c, { product: 'bltcy', build: 'BF', model: 'runway' }));
  const started = performance.now();
  const records = await runPlans(plans, DEFAULT_OPTIONS, CONCURRENCY);
  const wallMs = Math.round(performance.now() - started);
  globalThis.gc?.();
  const { peakInFlight } = await stats();
  rounds.push({ round, wallMs, probes: records.length, ok: records.filter((p) => p.status === 200 && !p.findings.length).length, peakInFlight, ...mem() });
}

upstream.kill();
fs.rmSync(dir, { recursive: true, force: true });

const out = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, load: os.loadavg().map((x) => +x.toFixed(2)) },
  setup: { channels: CHANNELS, concurrency: CONCURRENCY, upstreamDelayMs: DELAY, idealMs: ideal },
  cli: rows,
  engineRounds: rounds,
  verdict: {
    bestCliWallMs: Math.min(...rows.map((r) => r.wallMs)),
    bestEngineMs: Math.min(...rounds.map((r) => r.wallMs)),
    engineVsIdeal: +(Math.min(...rounds.map((r) => r.wallMs)) / ideal).toFixed(3),
    cliProbesVsIdeal: +(Math.min(...rows.map((r) => r.probesMs ?? Infinity)) / ideal).toFixed(3),
    cliWallVsIdeal: +(Math.min(...rows.map((r) => r.wallMs)) / ideal).toFixed(3),
  },
};
console.table(rows);
console.table(rounds);
console.log(JSON.stringify(out, null, 2));
