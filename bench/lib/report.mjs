// The bench's output: a console table and the generated diagnose section of BENCHMARKS.md
// (between markers, so the file's other sections are kept as they are).

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem, type as osType, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { LARGE_TABLES, ROW_LIMIT } from './explain.mjs';
import { client } from './pg.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_FILE = `${ROOT}BENCHMARKS.md`;
const START = '<!-- bench:diagnose:start -->';
const END = '<!-- bench:diagnose:end -->';

/** The issue's targets (#2, "Benchmark"). */
export const TARGETS = { targetMs: 2000, targetRssMb: 150, scaleFactor: 1.5, sweepMs: 10_000 };

const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

export async function machineInfo(adminUrl) {
  const c = await client(adminUrl);
  let pgVersion;
  try {
    pgVersion = (await c.query('SELECT version() AS v')).rows[0].v;
  } finally {
    await c.end();
  }
  const dirty = sh('git', ['status', '--porcelain', '--', 'src']) !== '';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: sh('nproc', []) || 'unknown',
    memoryGiB: (totalmem() / 1024 ** 3).toFixed(1),
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres: pgVersion,
    commit: `${sh('git', ['rev-parse', '--short', 'HEAD']) || 'unknown'}${dirty ? ' (dist/ built from a working tree with uncommitted changes in src/)' : ''}`,
  };
}

const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
const ms = (x) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);
const KINDS = ['target', 'targetDbLogs', 'sweep'];
const LABEL = { target: 'one target', targetDbLogs: 'one target with --db-logs', sweep: 'sweep' };
const cell = (v) => String(v ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Each issue target with the measured value and whether it is met. */
export function evaluate(report) {
  const big = report.results['1m'];
  const small = report.results['1k'];
  const out = [
    {
      target: `one target ≤ ${TARGETS.targetMs / 1000} s at 1M tokens (median; max shown)`,
      measured: `${s(big.target.wallMedianMs)} (max ${s(big.target.wallMaxMs)})`,
      met: big.target.wallMedianMs <= TARGETS.targetMs,
    },
    {
      target: `one target ≤ ${TARGETS.targetRssMb} MB peak RSS at 1M tokens (max over runs)`,
      measured: mb(big.target.rssMaxKb),
      met: big.target.rssMaxKb / 1024 <= TARGETS.targetRssMb,
    },
    {
      target: `one target at 1M ≤ ${TARGETS.scaleFactor}× the 1,000-token time (wall medians; CPU ratio shown)`,
      measured: `${(big.target.wallMedianMs / small.target.wallMedianMs).toFixed(2)}× (${s(big.target.wallMedianMs)} / ${s(small.target.wallMedianMs)}); CPU ${(big.target.cpuMedianMs / small.target.cpuMedianMs).toFixed(2)}×`,
      met: big.target.wallMedianMs <= TARGETS.scaleFactor * small.target.wallMedianMs,
    },
    {
      target: `sweep ≤ ${TARGETS.sweepMs / 1000} s at 1M tokens (median; max shown)`,
      measured: `${s(big.sweep.wallMedianMs)} (max ${s(big.sweep.wallMaxMs)})`,
      met: big.sweep.wallMedianMs <= TARGETS.sweepMs,
    },
    {
      target: `sweep ≤ ${TARGETS.sweepMs / 1000} s at 1k tokens (median)`,
      measured: s(small.sweep.wallMedianMs),
      met: small.sweep.wallMedianMs <= TARGETS.sweepMs,
    },
  ];
  for (const kind of KINDS.filter((k) => report.traces[k])) {
    const flagged = (report.traces[kind] ?? []).filter((q) => q.flags.length);
    out.push({
      target: `${LABEL[kind]}: no statement returns > ${ROW_LIMIT} rows or reads ${LARGE_TABLES.join('/')} whole`,
      measured: flagged.length ? `${flagged.length} statement(s) flagged (see below)` : `${report.traces[kind]?.length ?? 0} statements, none flagged`,
      met: flagged.length === 0,
    });
  }
  return out;
}

export function consoleTable(report) {
  const t = new Table({ head: ['database', 'run', 'n', 'wall median', 'wall max', 'CPU median', 'RSS median', 'RSS max', 'verdict', 'findings'], style: { head: [], border: [] } });
  for (const [tag, r] of Object.entries(report.results)) {
    for (const kind of KINDS.filter((k) => r[k])) {
      const x = r[kind];
      t.push([report.dbs[tag].name, LABEL[kind], x.runs, s(x.wallMedianMs), s(x.wallMaxMs), Number.isFinite(x.cpuMedianMs) ? s(x.cpuMedianMs) : 'n/a', mb(x.rssMedianKb), mb(x.rssMaxKb), x.primary ? `${x.verdict} (${x.primary})` : x.verdict, x.findings]);
    }
    t.push([report.dbs[tag].name, `psql runbook (${r.runbook.perQuery.length} queries)`, r.runbook.runs, s(r.runbook.wallMedianMs), s(r.runbook.wallMaxMs), '', '', '', '', '']);
  }
  const goals = new Table({ head: ['target', 'measured', 'met'], style: { head: [], border: [] } });
  for (const g of evaluate(report)) goals.push([g.target, g.measured, g.met ? 'yes' : 'NO']);
  return `${t.toString()}\n${goals.toString()}`;
}

/** Identical statements (a paginated read) folded into one row: count, total rows, total and max time. */
function fold(list) {
  const by = new Map();
  for (const q of list) {
    const g = by.get(q.sql);
    if (!g) {
      by.set(q.sql, { ...q, n: 1, maxExecMs: q.execMs, flags: [...q.flags] });
      continue;
    }
    g.n++;
    g.rows = (g.rows ?? 0) + (q.rows ?? 0);
    g.ms = (g.ms ?? 0) + (q.ms ?? 0);
    g.execMs = (g.execMs ?? 0) + (q.execMs ?? 0);
    g.maxExecMs = Math.max(g.maxExecMs ?? 0, q.execMs ?? 0);
    for (const f of q.flags) if (!g.flags.includes(f)) g.flags.push(f);
    for (const sc of q.scans) if (!g.scans.some((x) => x.type === sc.type && x.relation === sc.relation)) g.scans.push(sc);
  }
  const out = [...by.values()];
  for (const g of out) {
    if (g.n > 1 && g.rows > ROW_LIMIT) g.note = `note: ${g.rows} rows over ${g.n} bounded statements (streamed, none above ${ROW_LIMIT})`;
  }
  return out;
}

function statementsTable(list) {
  const lines = ['| # | statement | times run | rows | ms in CLI | exec ms (EXPLAIN) | scans | flag |', '|---|---|---:|---:|---:|---:|---|---|'];
  fold(list).forEach((q, i) => {
    const scans = q.scans.map((x) => `${x.type} ${x.relation}${x.index ? ` (${x.index})` : ''}${x.removed && q.n === 1 ? `, ${x.removed} rows filtered out` : ''}`).join('; ');
    const exec = q.n > 1 ? `${ms(q.execMs)} total, ${ms(q.maxExecMs)} max` : ms(q.execMs);
    const total = q.n > 1 ? ' total' : '';
    lines.push(`| ${i + 1} | \`${cell(q.sql)}\` | ${q.n} | ${q.rows ?? '–'}${total} | ${ms(q.ms)}${total} | ${exec} | ${cell(scans)} | ${cell([...q.flags, q.note].filter(Boolean).join('; ') || (q.error ? `error ${q.error}` : ''))} |`);
  });
  return lines.join('\n');
}

function flaggedPlans(list) {
  const flagged = list.filter((q) => q.flags.length && q.plan);
  if (!flagged.length) return 'None.';
  return flagged
    .map((q) => `* \`${cell(q.sql)}\` — ${q.flags.join('; ')}\n\n  \`\`\`\n${q.plan.split('\n').map((l) => `  ${l}`).join('\n')}\n  \`\`\``)
    .join('\n\n');
}

export function markdown(report) {
  const m = report.machine;
  const out = [];
  out.push(`Generated by \`npm run bench\` on ${m.date}; commit ${m.commit}.`);
  out.push('');
  out.push(`Machine: ${m.nproc} CPU (nproc), ${m.memoryGiB} GiB memory, ${m.os}; Node ${m.node}; ${m.postgres}.`);
  const la = (x) => x.map((v) => v.toFixed(2)).join(' / ');
  out.push(`Load average (1/5/15 min) at the start ${la(m.loadBefore)}, at the end ${la(m.loadAfter)}: other work shared the CPUs, so wall times carry that noise; CPU time (user + system of the CLI process) is less sensitive to it.`);
  out.push(`Peak RSS measured with ${report.rssMethod}. Wall time is the whole CLI process (start-up, connect, queries, checks, JSON output).`);
  out.push('');
  out.push('### Data');
  out.push('');
  out.push('| database | tokens | users | channels | abilities | logs | size | built this run |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  const n = (x) => Number(x).toLocaleString('en');
  for (const [tag, spec] of Object.entries(report.dbs)) {
    const r = report.results[tag];
    const c = spec.counts;
    out.push(`| \`${spec.name}\` | ${n(c.tokens)} | ${n(c.users)} | ${n(c.channels)} | ${n(c.abilities)} | ${n(c.logs)} | ${(c.bytes / 1024 ** 2).toFixed(0)} MiB | ${r.buildMs ? `yes, ${s(r.buildMs)}` : 'no (cached)'} |`);
  }
  out.push('');
  out.push(`One target: \`diagnose --dsn <db> --path ${report.targetPath} --token sk-<key of a live token with group '' of a live 'default' user> --json\`; sweep: \`diagnose --dsn <db> --json\`.`);
  out.push('');
  out.push('### Results');
  out.push('');
  out.push('| database | run | runs | wall median | wall max | CPU median | peak RSS median | peak RSS max | verdict (primary) | findings | JSON size |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|');
  for (const [tag, r] of Object.entries(report.results)) {
    for (const kind of KINDS.filter((k) => r[k])) {
      const x = r[kind];
      const what = kind === 'sweep' ? `sweep (${x.sweep ? `${x.sweep.models} models × ${x.sweep.groups} groups` : 'no matrix'})` : LABEL[kind];
      out.push(`| \`${report.dbs[tag].name}\` | ${what} | ${x.runs} | ${s(x.wallMedianMs)} | ${s(x.wallMaxMs)} | ${Number.isFinite(x.cpuMedianMs) ? s(x.cpuMedianMs) : 'n/a'} | ${mb(x.rssMedianKb)} | ${mb(x.rssMaxKb)} | ${x.verdict}${x.primary ? ` (${x.primary})` : ''} | ${x.findings} | ${(x.jsonBytes / 1024).toFixed(0)} KiB |`);
    }
  }
  out.push('');
  out.push('### Targets (issue #2)');
  out.push('');
  out.push('| target | measured | met |');
  out.push('|---|---|---|');
  for (const g of evaluate(report)) out.push(`| ${g.target} | ${g.measured} | ${g.met ? 'yes' : '**no**'} |`);
  out.push('');
  out.push('### psql: the runbook\'s manual queries on the same databases');
  out.push('');
  const big = report.results['1m'].runbook;
  const small = report.results['1k'].runbook;
  out.push(`One psql session runs all ${big.perQuery.length} queries (results to /dev/null, times from \`\\timing\`); ${big.runs} sessions per database. Session wall time (psql start, connect, all queries): 1M median ${s(big.wallMedianMs)} (max ${s(big.wallMaxMs)}), 1k median ${s(small.wallMedianMs)}. Sum of query times: 1M ${ms(big.sumMedianMs)}, 1k ${ms(small.sumMedianMs)}.`);
  out.push('');
  out.push('| query | source | 1M median | 1M max | 1k median |');
  out.push('|---|---|---:|---:|---:|');
  big.perQuery.forEach((q, i) => out.push(`| ${cell(q.what)} | ${cell(q.source)} | ${ms(q.medianMs)} | ${ms(q.maxMs)} | ${ms(small.perQuery[i].medianMs)} |`));
  out.push('');
  for (const kind of KINDS.filter((k) => report.traces[k])) {
    const list = report.traces[kind];
    out.push(`### Statements diagnose sends: ${LABEL[kind]} (1M database)`);
    out.push('');
    out.push(`Recorded by a preload that wraps pg's Pool.query in one CLI run (${list.length} statements; identical ones, such as the pages of one read, are folded into one row); "ms in CLI" is the time the CLI waited (statements run concurrently on up to 4 connections), "exec ms" the server's execution time under EXPLAIN ANALYZE. Flagged: more than ${ROW_LIMIT} rows returned, or ${LARGE_TABLES.join(' or ')} read whole (a sequential scan, or an index walk whose filter discards more than ${ROW_LIMIT} rows). Scans of the system catalogs are not listed.`);
    out.push('');
    out.push(statementsTable(list));
    out.push('');
    out.push('Plans of the flagged statements (EXPLAIN ANALYZE, costs and timing off):');
    out.push('');
    out.push(flaggedPlans(list));
    out.push('');
  }
  if (report.profiles) {
    out.push('### Where the CPU time goes (1M database, one profiled run each)');
    out.push('');
    for (const [kind, title] of [['target', 'one target'], ['sweep', 'sweep']]) {
      const p = report.profiles[kind];
      out.push(`${title}: ${s(p.wallMs)} wall under \`--cpu-prof\`; functions with the most self time:`);
      out.push('');
      out.push('| function (dist/) | self time | share |');
      out.push('|---|---:|---:|');
      for (const f of p.top) out.push(`| \`${cell(f.fn)}\` | ${ms(f.ms)} | ${(f.share * 100).toFixed(0)}% |`);
      out.push('');
    }
  }
  return out.join('\n');
}

const SKELETON = `# Benchmarks

One section per benchmark: what it measures, how to run it, the machine, the numbers, and
whether the issue's targets are met. Text between \`<!-- bench:NAME:start -->\` and
\`<!-- bench:NAME:end -->\` is rewritten by that benchmark's script; write everything else
outside those markers.

## diagnose on a large PostgreSQL relay (issue #2)

Run: \`npm run bench\` (builds dist/, then \`node bench/run.mjs\`). Options after \`--\`:
\`--runs N\` (one-target runs, default 5), \`--sweep-runs N\` (default 3), \`--psql-runs N\`
(default 5), \`--force\` (rebuild the databases), \`--no-profile\`, \`--no-write\`.
Server: \`RELAY_DOCTOR_BENCH_PG\` (default \`postgres://postgres@127.0.0.1:5432/postgres\`).

The databases \`rd_bench_1m\` and \`rd_bench_1k\` are built on that server with the BF schema of
\`src/sample/ddl.ts\` and kept as a cache: the next run reuses them when their marker (a
\`COMMENT ON DATABASE\` naming the generator version and sizes) and row counts match, otherwise
rebuilds them (about a minute for the 1M one). Drop them with \`node bench/build-db.mjs --drop\`
(or \`DROP DATABASE rd_bench_1m; DROP DATABASE rd_bench_1k;\`); \`node bench/build-db.mjs\` alone
builds them. Data: channels from a seeded catalogue (16 channel kinds, 181 model names, 12
groups; channel #8 is the seed incident's Bltcy channel \`kling,runway,suno,pika\` in
\`default\`), abilities derived from the channels as the relay does (models × groups, no trim),
users and tokens with skewed ownership and realistic groups/status/soft deletes, logs of
types 2 and 5 over the 30 days before the build with the \`other\` JSON the relay writes.
The 1k database has the same channels and abilities, 100 users and 2,000 logs.

Measured per database: the one-target run (the seed incident's request with a real token key)
and the whole-relay sweep, several runs each (median and max of wall time, CPU time and peak
RSS); once diagnose implements \`--db-logs\`, the one-target run with it as well. Then the time
psql takes for the runbook's manual queries, and, on the 1M database, every statement one
diagnose run sends (traced by a preload around pg's \`Pool.query\`), with its row count and
EXPLAIN ANALYZE plan, and a CPU profile of one run of each kind.

${START}
(not run yet)
${END}

<!-- Other benchmarks: one \`##\` section each below (what is measured, how to run it, machine,
numbers, targets met or not). -->
`;

/** Rewrite the generated part of the diagnose section; create the file when missing. */
export function writeSection(report) {
  const text = existsSync(BENCH_FILE) ? readFileSync(BENCH_FILE, 'utf8') : SKELETON;
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const body = `${START}\n${markdown(report)}\n${END}`;
  const next = a >= 0 && b > a ? text.slice(0, a) + body + text.slice(b + END.length) : `${text.trimEnd()}\n\n## diagnose on a large PostgreSQL relay (issue #2)\n\n${body}\n`;
  writeFileSync(BENCH_FILE, next);
  return BENCH_FILE;
}
