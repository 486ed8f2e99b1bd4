import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { VERSION } from '../cli.js';
import { buildContext } from '../context/build.js';
import { parseUserDsn } from '../context/dsn.js';
import { maskKey } from '../context/secret.js';
import { openDb } from '../db/open.js';
import type { Db } from '../db/types.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { DiagnoseDocument } from '../report/document.js';
import { renderDocument } from '../report/render.js';
import { seedIncident, type SeedResult } from '../sample/seed-incident.js';
import { startRelay, startUpstream, type RelayHandle, type UpstreamHandle } from '../sandbox/index.js';
import type { Finding } from '../types.js';
import { UsageError } from '../types.js';

// relay-doctor demo: the seed incident (failure-modes.md F1) on this machine, with nothing
// configured. A temporary SQLite relay database, the sandbox's legacy gateway (answering 500)
// and two sandbox relay nodes on loopback, one of them frozen stale for the first sync window.
// It plays the user's failing request, runs diagnose as a user would, waits one sync window,
// re-probes, and removes everything. The demo shows; it exits 0 when the showing worked.

const PATH = '/runwayml/v1/image_to_video';
const USER_BODY = { model: 'gen4_turbo', promptImage: 'https://example.com/cat.png', promptText: 'a cat turns its head', duration: 5 };

interface Scene {
  dir: string;
  dbFile: string;
  dsn: string;
  db: Db;
  seed: SeedResult;
  upstream: UpstreamHandle;
  nodeA: RelayHandle;
  nodeB: RelayHandle;
  sync: number;
}

interface Seen {
  status: number;
  body: string;
  requestIds: string[];
  bodyFile: string;
  headersFile: string;
}

async function setChannel(db: Db, id: number, status: number): Promise<void> {
  await db.query('UPDATE channels SET status = ? WHERE id = ?', [status, id]);
  await db.query(`UPDATE abilities SET enabled = ${db.dialect.bool(status === 1)} WHERE channel_id = ?`, [id]);
}

/** The relay as the incident left it, plus a node that has not caught up with the last fix. */
async function setUp(sync: number, cleanup: (() => Promise<void>)[]): Promise<Scene> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-doctor-demo-'));
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const dbFile = path.join(dir, 'one-api.db');
  fs.writeFileSync(dbFile, '');
  const dsn = `sqlite://${dbFile}`;
  const target = parseUserDsn(dsn, {}, dir);
  const db = await openDb(target, { readOnly: false });
  cleanup.push(() => db.close());
  const upstream = await startUpstream();
  cleanup.push(() => upstream.close());
  const seed = await seedIncident(db, { upstreamBaseUrl: upstream.url, variant: 'bf' });
  const [row] = await db.query<{ k: string }>(`SELECT ${db.dialect.q('key')} AS k FROM channels WHERE id = ?`, [seed.channelId]);
  // The failing upstream leg: the legacy gateway answers 500 to the channel's key.
  upstream.setMode('5xx', { key: String(row!.k) });
  const env = { MEMORY_CACHE_ENABLED: 'true', SYNC_FREQUENCY: String(sync) };
  const relay = async (frozen: boolean) => {
    const r = await startRelay({ db: target, env, readOnly: true, frozen });
    cleanup.push(() => r.stop());
    return r;
  };
  // Node B starts while channel #8 is still disabled, then stops syncing: its routing view
  // lacks #8. The fix (re-enabling #8, as F30) lands; node A starts after it.
  await setChannel(db, seed.channelId, 2);
  const nodeB = await relay(true);
  await setChannel(db, seed.channelId, 1);
  const nodeA = await relay(false);
  return { dir, dbFile, dsn, db, seed, upstream, nodeA, nodeB, sync };
}

/** The user's request, as the front end sent it, through node A; kept as curl -i would. */
async function userRequest(s: Scene): Promise<Seen> {
  const res = await fetch(s.nodeA.url + PATH, {
    method: 'POST',
    headers: { authorization: `Bearer sk-${s.seed.tokenKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(USER_BODY),
  });
  const body = await res.text();
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`);
  const bodyFile = path.join(s.dir, 'seen-body.json');
  const headersFile = path.join(s.dir, 'seen-headers.txt');
  fs.writeFileSync(bodyFile, body);
  fs.writeFileSync(headersFile, `HTTP/1.1 ${res.status} ${res.statusText}\n${headers.join('\n')}\n`);
  const ids = (res.headers.get('x-oneapi-request-id') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  return { status: res.status, body, requestIds: ids, bodyFile, headersFile };
}

function diagnoseArgs(s: Scene, seen: Seen, extra: string[] = []): string[] {
  return [
    '--dsn', s.dsn, '--env', 'MEMORY_CACHE_ENABLED=true', '--env', `SYNC_FREQUENCY=${s.sync}`,
    '--relay-url', s.nodeA.url, '--relay-url', s.nodeB.url,
    '--token', `sk-${s.seed.tokenKey}`, '--path', PATH,
    '--seen-status', String(seen.status), '--seen-body', `@${seen.bodyFile}`, '--seen-headers', `@${seen.headersFile}`,
    ...extra,
  ];
}

/** The command line a user would type (key masked, files by name). */
function shown(args: string[]): string {
  return `relay-doctor diagnose ${args.map((a) => (a.startsWith('sk-') ? maskKey(a) : a.startsWith('@') ? `@${path.basename(a)}` : a)).join(' ')}`;
}

async function runDiagnose(s: Scene, seen: Seen, extra: string[]): Promise<{ doc: DiagnoseDocument; exitCode: number }> {
  const args = diagnoseArgs(s, seen, extra);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  // The demo's own environment only: nothing from the caller's shell (REDIS_CONN_STRING, …).
  const ctx = buildContext({
    common: { dsn: s.dsn, env: ['MEMORY_CACHE_ENABLED=true', `SYNC_FREQUENCY=${s.sync}`], relayUrl: [s.nodeA.url, s.nodeB.url], json: true },
    target: { path: PATH, token: `sk-${s.seed.tokenKey}` },
    processEnv: {},
    cwd: s.dir,
    stdoutIsTty: false,
    flags: { seenStatus: opt('--seen-status'), seenBody: opt('--seen-body'), seenHeaders: opt('--seen-headers'), recheckAfter: opt('--recheck-after'), yes: false },
  });
  return diagnose(ctx, { version: VERSION });
}

/** Word-wrap one paragraph under a bullet. */
function wrap(text: string, width: number, first: string, rest = ' '.repeat(first.length)): string {
  const lines: string[] = [];
  let line = '';
  let pre = first;
  for (const w of text.split(/\s+/)) {
    if (line && pre.length + line.length + 1 + w.length > width) {
      lines.push(pre + line);
      pre = rest;
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(pre + line);
  return lines.join('\n');
}

const byCode = (doc: DiagnoseDocument, code: string): Finding[] => doc.findings.filter((f) => f.code === code);

export interface DemoSection {
  scenario: string;
  syncFrequency: number;
  database: string;
  upstream: { url: string; answers: string };
  nodes: { name: string; url: string; state: string }[];
  userRequest: { node: string; method: string; path: string; status: number; requestIds: string[]; body: string };
  before: { primary?: string; ranked: string[]; staleNodes: string[]; seenOrigin?: string };
  after: { waitedS: number; healedNodes: string[]; stillStale: string[]; upstreamStillFailing: boolean; primary?: string };
  proof: { relayUpstreamCallsByProbes: number; relayCharges: number; directUpstreamProbeCalls: number };
  shown: boolean;
  problems: string[];
  durationMs: number;
}

function staleNodes(doc: DiagnoseDocument): string[] {
  return [...new Set(byCode(doc, 'CACHE_STALE_CHANNELS').map((f) => String(f.subject?.node ?? '')))].filter(Boolean);
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('the seed incident (a 500 on POST /runwayml/v1/image_to_video), diagnosed on this machine: nothing to configure, nothing left behind')
    .option('--json', 'print only the final diagnose document, with a "demo" section')
    .option('--sync <seconds>', 'SYNC_FREQUENCY of the sandbox relay nodes (1–30)', '5')
    .option('--no-color', 'no colours')
    .action(async (opts: { json?: boolean; sync: string; color?: boolean }) => {
      const sync = Number(opts.sync);
      if (!Number.isInteger(sync) || sync < 1 || sync > 30) throw new UsageError('--sync expects whole seconds between 1 and 30');
      const started = performance.now();
      const json = Boolean(opts.json);
      const { Chalk } = await import('chalk');
      const c = new Chalk({ level: opts.color !== false && process.stdout.isTTY && !process.env.NO_COLOR && !process.env.CI ? 1 : 0 });
      const width = Math.min(process.stdout.columns || 100, 110);
      const say = (line = '') => {
        if (!json) process.stdout.write(`${line}\n`);
      };
      const cleanup: (() => Promise<void>)[] = [];
      const clean = async () => {
        for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
      };
      const onSignal = () => void clean().then(() => process.exit(130));
      process.once('SIGINT', onSignal);
      try {
        say(c.bold('relay-doctor demo') + ' — the seed incident (failure-modes.md F1), diagnosed on this machine');
        say(c.gray('Everything below runs on loopback in a temporary folder and is removed at the end.'));
        say();
        const s = await setUp(sync, cleanup);
        say(c.bold('The setup'));
        say(`  • relay database: SQLite ${s.dbFile} — the seed incident: Bltcy channel #${s.seed.channelId} (type 55; kling, runway, suno, pika) in group "default", ${s.seed.tokenIds.length} tokens, ${s.seed.repairedTokenIds.length} of them just repaired by SQL`);
        say(`  • legacy gateway (channel #${s.seed.channelId}'s base_url): ${s.upstream.url} — scripted to answer 500`);
        say(`  • relay node A: ${s.nodeA.url} (the Bltcy fork, memory cache on, SYNC_FREQUENCY=${sync} s) — up to date`);
        say(`  • relay node B: ${s.nodeB.url} (same build) — started before channel #${s.seed.channelId} was re-enabled; its routing view is frozen for the first sync window`);
        say();

        const seen = await userRequest(s);
        say(c.bold('1. What the user saw'));
        say(`  POST ${PATH} through node A → ${seen.status}`);
        say(c.gray(`  body: ${seen.body.length > 300 ? `${seen.body.slice(0, 300)}…` : seen.body}`));
        say(c.gray(`  X-Oneapi-Request-Id: ${seen.requestIds.join(', ')}`));
        say(`  The operator's runbook rated "the memory cache has not refreshed" most likely. relay-doctor tests every branch instead:`);
        say();

        const relayCallsBefore = s.nodeA.requests.upstreamCalls + s.nodeB.requests.upstreamCalls;
        const chargesBefore = s.nodeA.requests.billing.length + s.nodeB.requests.billing.length;
        const upstreamBefore = s.upstream.calls.count;
        say(c.bold('2. ') + c.bold(shown(diagnoseArgs(s, seen))));
        const first = await runDiagnose(s, seen, []);
        if (!json) process.stdout.write(await renderDocument(first.doc, 'text', { lang: 'en', chalk: c, width }));
        say(c.gray(`  (diagnose exits ${first.exitCode} here)`));
        say();

        // One sync window: node B may sync again once the re-probing run has probed it.
        const wait = sync + 2;
        say(c.bold(`3. One sync window later: `) + c.bold(shown(diagnoseArgs(s, seen, ['--recheck-after', String(wait)]))));
        say(c.gray(`  node B is allowed to rebuild its routing view after the first probe; relay-doctor waits ${wait} s and probes again…`));
        const probesOnB = () => s.nodeB.requests.byRoute['POST /v1/chat/completions'] ?? 0;
        const seenOnB = probesOnB();
        const watch = setInterval(() => {
          if (probesOnB() > seenOnB) {
            s.nodeB.freezeCache(false);
            clearInterval(watch);
          }
        }, 25);
        let second: { doc: DiagnoseDocument; exitCode: number };
        try {
          second = await runDiagnose(s, seen, ['--recheck-after', String(wait)]);
        } finally {
          clearInterval(watch);
        }
        const relayCalls = s.nodeA.requests.upstreamCalls + s.nodeB.requests.upstreamCalls - relayCallsBefore;
        const charges = s.nodeA.requests.billing.length + s.nodeB.requests.billing.length - chargesBefore;
        const direct = s.upstream.calls.count - upstreamBefore - relayCalls;
        const directMethods = [...new Set(s.upstream.calls.last.slice(-Math.max(direct, 0)).map((x) => x.method))];

        const before = first.doc;
        const after = second.doc;
        const staleBefore = staleNodes(before);
        const rechecked = byCode(after, 'CACHE_STALE_CHANNELS');
        const healed = rechecked.filter((f) => (f.evidence?.recheck as { healed?: boolean } | undefined)?.healed).map((f) => String(f.subject?.node));
        const stillStale = rechecked.filter((f) => !(f.evidence?.recheck as { healed?: boolean } | undefined)?.healed).map((f) => String(f.subject?.node));
        const upstreamFails = after.findings.filter((f) => f.stage === 'upstream' && f.status === 'fail');
        for (const f of rechecked) {
          const h = healed.includes(String(f.subject?.node));
          const tail = /— (stale cache confirmed.*|not a cache problem.*|still disagreeing.*)$/.exec(f.message)?.[1] ?? f.message;
          const name = f.subject?.node === s.nodeB.url ? 'node B' : f.subject?.node === s.nodeA.url ? 'node A' : String(f.subject?.node);
          say(wrap(`${name}: ${tail}`, width, `  ${h ? c.green('✔') : c.red('✖')} `, '    '));
        }
        if (!rechecked.length) say(`  ${c.yellow('!')} no node disagreed with the database at the first probe of this run`);
        for (const f of upstreamFails) say(wrap(`${f.code}: ${f.message}`, width, `  ${c.red('✖')} `, '    '));
        const v = after.verdict;
        say(wrap(`verdict: ${v.status}${v.primary ? ` — ${v.primary.code} (${v.primary.stage})` : ''}`, width, '  '));
        say();

        // Did the demonstration show what it claims? Checked, not assumed.
        const problems: string[] = [];
        if (seen.status !== 500) problems.push(`the user's request answered ${seen.status}, not 500`);
        if (before.verdict.primary?.code === 'CACHE_STALE_CHANNELS' || after.verdict.primary?.code === 'CACHE_STALE_CHANNELS') problems.push('the verdict blamed the routing cache for a 500');
        if (!staleBefore.includes(s.nodeB.url)) problems.push('node B was not found stale at the first probe');
        if (!healed.includes(s.nodeB.url)) problems.push('node B was not seen healing after the sync window');
        if (!upstreamFails.length) problems.push('the upstream fault was not shown after the sync window');
        if (relayCalls !== 0 || charges !== 0) problems.push(`relay-doctor's probes reached the upstream through the relay ${relayCalls} time(s) or were charged ${charges} time(s)`);
        const ok = problems.length === 0;

        say(c.bold('What this shows'));
        const bullet = (text: string) => say(wrap(text, width, '  • '));
        const p = after.verdict.primary;
        const upstreamVerdict = p?.stage === 'upstream';
        const origin = after.seen?.origin === 'upstream' ? `the legacy gateway's own answer, passed through (${after.seen.originWhy.join('; ')})` : (after.seen?.meaning ?? 'not classified');
        bullet(`The ${seen.status} the user saw is ${origin}. Verdict: ${p?.code ?? 'no single cause'}${upstreamVerdict ? ' — the fault is at the upstream, not in the relay' : ''}.`);
        if (upstreamFails.some((f) => f.subject?.answer === undefined)) bullet("The upstream stage's direct probe of the gateway, with the channel's key, gets the same 500: proof by a second, independent route.");
        if (staleBefore.length) bullet(`Node B's routing view was stale (${[...new Set(before.findings.filter((f) => f.stage === 'cache' && f.status === 'fail').map((f) => f.code))].join(', ')}), proven by the zero-cost probe against the database. Such a view answers 503 model_not_found, never 500, so it is reported and not blamed${healed.length ? `; the re-probe shows it healed by itself within one sync window` : ''}.`);
        if (upstreamVerdict) bullet("So restarting the relay or disabling its memory cache (the runbook's fixes) would not have changed the user's 500.");
        bullet(`relay-doctor's probes through the relay reached the upstream ${relayCalls} time(s) and were charged ${charges} time(s); the upstream stage called the gateway directly ${direct} time(s)${directMethods.length ? ` (${directMethods.join(', ')})` : ''}.`);
        bullet(`On this relay \`diagnose\` exits ${second.exitCode} (failing findings). The demo exits ${ok ? 0 : 1}: it ${ok ? 'showed what it set out to show' : `did not show what it should: ${problems.join('; ')}`} (the demo demonstrates; it does not gate CI).`);

        const demo: DemoSection = {
          scenario: 'failure-modes.md F1: POST /runwayml/v1/image_to_video answers 500; one relay node has a stale routing view, the legacy gateway answers 500',
          syncFrequency: sync,
          database: 'SQLite in a temporary folder (removed)',
          upstream: { url: s.upstream.url, answers: '500 (scripted)' },
          nodes: [
            { name: 'node A', url: s.nodeA.url, state: 'up to date' },
            { name: 'node B', url: s.nodeB.url, state: 'routing view frozen stale for the first sync window' },
          ],
          userRequest: { node: 'node A', method: 'POST', path: PATH, status: seen.status, requestIds: seen.requestIds, body: seen.body.slice(0, 1000) },
          before: { primary: before.verdict.primary?.code, ranked: before.verdict.ranked, staleNodes: staleBefore, seenOrigin: before.seen?.origin },
          after: { waitedS: wait, healedNodes: healed, stillStale, upstreamStillFailing: upstreamFails.length > 0, primary: after.verdict.primary?.code },
          proof: { relayUpstreamCallsByProbes: relayCalls, relayCharges: charges, directUpstreamProbeCalls: direct },
          shown: ok,
          problems,
          durationMs: Math.round(performance.now() - started),
        };
        await clean();
        say(c.gray(`Cleaned up: servers stopped, temporary folder removed (${(demo.durationMs / 1000).toFixed(1)} s).`));
        if (json) process.stdout.write(await renderDocument({ ...after, demo } as DiagnoseDocument, 'json', { lang: 'en' }));
        process.exitCode = ok ? 0 : 1;
      } finally {
        process.removeListener('SIGINT', onSignal);
        await clean();
      }
    });
}
