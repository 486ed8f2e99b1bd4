#!/usr/bin/env node
// `npm run bench`: diagnose on a 1M-token and a 1k-token PostgreSQL relay (issue #2).
// Builds or reuses the bench databases, times the CLI (wall, peak RSS) for one target and the
// sweep, times psql on the runbook's manual queries, traces and EXPLAINs every statement
// diagnose sends, prints a table and rewrites the diagnose section of BENCHMARKS.md.
//
//   node bench/run.mjs [--force] [--runs N] [--sweep-runs N] [--psql-runs N] [--no-profile] [--no-write]
//   node bench/build-db.mjs --drop      drop the cached bench databases

import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCH_DBS, ensureBenchDb } from './build-db.mjs';
import { explainTrace } from './lib/explain.mjs';
import { median, rssMethod, runCli } from './lib/measure.mjs';
import { ADMIN_URL, client, redact } from './lib/pg.mjs';
import { profileRun } from './lib/profile.mjs';
import { consoleTable, machineInfo, writeSection } from './lib/report.mjs';
import { timeRunbook } from './lib/runbook.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const TARGET_PATH = '/runwayml/v1/image_to_video';

function opt(argv, name, dflt) {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
}

/**
 * The caller of the seed incident: a live token with group '' (so the owner's group applies) of a
 * live 'default' user, no limits; the highest such id, deep in the table. The key stays in memory.
 */
async function pickToken(url) {
  const c = await client(url);
  try {
    const { rows } = await c.query(`
      SELECT t.id, t."key" FROM tokens t JOIN users u ON u.id = t.user_id
      WHERE t.status = 1 AND t.deleted_at IS NULL AND t.expired_time = -1 AND t."group" = ''
        AND t.model_limits_enabled = false AND t.allow_ips = ''
        AND u.status = 1 AND u.deleted_at IS NULL AND u."group" = 'default'
      ORDER BY t.id DESC LIMIT 1`);
    if (!rows.length) throw new Error('no usable token in the bench database');
    return { id: Number(rows[0].id), key: String(rows[0].key).trim() };
  } finally {
    await c.end();
  }
}

/** Actual row counts, for the report. */
async function countRows(url) {
  const c = await client(url);
  try {
    const { rows } = await c.query(`SELECT (SELECT count(*) FROM tokens)::int AS tokens, (SELECT count(*) FROM users)::int AS users,
      (SELECT count(*) FROM channels)::int AS channels, (SELECT count(*) FROM abilities)::int AS abilities,
      (SELECT count(*) FROM logs)::int AS logs, pg_database_size(current_database())::bigint AS bytes`);
    return { ...rows[0], bytes: Number(rows[0].bytes) };
  } finally {
    await c.end();
  }
}

function summarize(runs) {
  const walls = runs.map((r) => r.wallMs);
  const rss = runs.map((r) => r.rssKb ?? NaN);
  const last = runs[runs.length - 1];
  return {
    runs: runs.length,
    wallMedianMs: median(walls),
    wallMaxMs: Math.max(...walls),
    cpuMedianMs: median(runs.map((r) => r.cpuMs ?? NaN)),
    rssMedianKb: median(rss),
    rssMaxKb: Math.max(...rss),
    exitCodes: [...new Set(runs.map((r) => r.exitCode))],
    verdict: last.doc?.verdict?.status,
    primary: last.doc?.verdict?.primary?.code,
    findings: last.doc?.findings?.length,
    durationMedianMs: median(runs.map((r) => r.doc?.durationMs ?? NaN)),
    jsonBytes: last.stdoutBytes,
    sweep: last.doc?.sweep ? { models: last.doc.sweep.models.length, groups: last.doc.sweep.groups.length } : undefined,
  };
}

/**
 * Time one kind of run on every database, alternating databases run by run so that load from
 * other work on the machine falls on both alike (the 1M/1k ratio is one of the targets).
 */
async function timeKind(dbs, kind, argsFor, n) {
  const runs = Object.fromEntries(Object.keys(dbs).map((tag) => [tag, []]));
  for (let i = 0; i < n; i++) {
    for (const [tag, db] of Object.entries(dbs)) {
      const args = argsFor(db);
      if (!args) continue;
      const r = await runCli(args, { secrets: [db.token.key] });
      if (r.exitCode > 1 || !r.doc) {
        throw new Error(`${tag} ${kind}: diagnose exited ${r.exitCode}${r.doc ? '' : ' without a JSON document'}: ${r.stderr.split('\n').slice(0, 3).join(' | ')}`);
      }
      runs[tag].push(r);
      process.stderr.write(`  ${tag} ${kind} run ${i + 1}/${n}: ${(r.wallMs / 1000).toFixed(2)} s wall, ${((r.cpuMs ?? 0) / 1000).toFixed(2)} s CPU, ${((r.rssKb ?? 0) / 1024).toFixed(0)} MB\n`);
    }
  }
  return Object.fromEntries(Object.entries(runs).filter(([, xs]) => xs.length).map(([tag, xs]) => [tag, summarize(xs)]));
}

const targetArgs = (db) => ['diagnose', '--dsn', db.url, '--path', TARGET_PATH, '--token', `sk-${db.token.key}`, '--json'];
const sweepArgs = (db) => ['diagnose', '--dsn', db.url, '--json'];

/** Whether this build implements --db-logs (else it lists it under notImplemented). */
async function dbLogsImplemented(target, secrets) {
  const r = await runCli([...target, '--db-logs'], { secrets });
  return Boolean(r.doc) && !(r.doc.notImplemented ?? []).includes('--db-logs');
}

async function main(argv) {
  const runs = opt(argv, '--runs', 5);
  const sweepRuns = opt(argv, '--sweep-runs', 3);
  const psqlRuns = opt(argv, '--psql-runs', 5);
  if (!existsSync(`${ROOT}dist/cli.js`)) throw new Error('dist/ is missing: run `npm run build` first');
  process.stderr.write(`bench: PostgreSQL ${redact(ADMIN_URL)}; peak RSS by ${rssMethod()}\n`);

  const loadBefore = loadavg();
  const dbs = {};
  for (const [tag, spec] of Object.entries(BENCH_DBS)) {
    const built = await ensureBenchDb(spec, { force: argv.includes('--force'), log: (l) => process.stderr.write(`${l}\n`) });
    dbs[tag] = { spec, url: built.url, buildMs: built.buildMs, token: await pickToken(built.url), counts: await countRows(built.url) };
  }

  const results = Object.fromEntries(Object.entries(dbs).map(([tag, db]) => [tag, { tokenId: db.token.id, buildMs: db.buildMs }]));
  const put = (kind, byTag) => Object.entries(byTag).forEach(([tag, x]) => (results[tag][kind] = x));
  put('target', await timeKind(dbs, 'one target', targetArgs, runs));
  put('sweep', await timeKind(dbs, 'sweep', sweepArgs, sweepRuns));
  // --db-logs reads the logs table (2M rows): timed once diagnose implements it.
  if (await dbLogsImplemented(targetArgs(dbs['1m']), [dbs['1m'].token.key])) {
    put('targetDbLogs', await timeKind(dbs, 'one target --db-logs', (db) => [...targetArgs(db), '--db-logs'], runs));
  }
  for (const [tag, db] of Object.entries(dbs)) {
    process.stderr.write(`  ${tag} psql runbook queries ×${psqlRuns}\n`);
    results[tag].runbook = await timeRunbook(db.url, db.token.key, psqlRuns);
  }

  // Every statement of one run on the big database, with EXPLAIN ANALYZE.
  const big = dbs['1m'];
  const secrets = [big.token.key];
  process.stderr.write('bench: tracing and explaining the statements of one run (1M)\n');
  const traces = {};
  const bigTarget = targetArgs(big);
  const kinds = [
    ['target', bigTarget],
    ['sweep', sweepArgs(big)],
  ];
  if (results['1m'].targetDbLogs) kinds.push(['targetDbLogs', [...bigTarget, '--db-logs']]);
  for (const [kind, args] of kinds) {
    const t = await runCli(args, { secrets, trace: true });
    traces[kind] = await explainTrace(big.url, t.statements ?? [], secrets);
  }

  let profiles;
  if (!argv.includes('--no-profile')) {
    process.stderr.write('bench: CPU profile of one run of each (1M)\n');
    profiles = {
      target: await profileRun(bigTarget, { secrets }),
      sweep: await profileRun(sweepArgs(big), { secrets }),
    };
  }

  const machine = { ...(await machineInfo(ADMIN_URL)), loadBefore, loadAfter: loadavg() };
  const report = { machine, rssMethod: rssMethod(), dbs: Object.fromEntries(Object.entries(dbs).map(([k, d]) => [k, { ...d.spec, counts: d.counts }])), results, traces, profiles, targetPath: TARGET_PATH };
  process.stdout.write(`${consoleTable(report)}\n`);
  if (!argv.includes('--no-write')) {
    const file = writeSection(report);
    process.stderr.write(`bench: wrote the diagnose section of ${file}\n`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench: ${err?.message ?? err}\n`);
  process.exit(1);
});
