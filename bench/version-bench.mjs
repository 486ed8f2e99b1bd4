#!/usr/bin/env node
// `relay-doctor --version` against a bare `node -e 0` (issue #7: ≤ 3×). Heavy modules (commander,
// drivers, renderers) must load lazily, so --version costs little more than starting node.
//
//   node bench/version-bench.mjs [--runs N] [--json]
//
// Each command runs N times (default 30) after 3 warm-ups, alternating, so disk cache and CPU
// frequency treat both alike; the medians are compared. Exit 1 when the ratio exceeds 3.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = `${ROOT}bin/relay-doctor`;
export const LIMIT = 3;

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
}

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return { ms, out: r.stdout.trim() };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function measure(runs = 30) {
  if (!existsSync(`${ROOT}dist/cli.js`)) throw new Error('dist/ is missing: run npm run build first');
  const base = ['-e', '0'];
  const cli = [CLI, '--version'];
  for (let i = 0; i < 3; i++) {
    once(base);
    once(cli);
  }
  const a = [];
  const b = [];
  let version = '';
  for (let i = 0; i < runs; i++) {
    a.push(once(base).ms);
    const r = once(cli);
    b.push(r.ms);
    version = r.out;
  }
  const nodeMs = median(a);
  const cliMs = median(b);
  return { runs, version, nodeMs, cliMs, ratio: cliMs / nodeMs, limit: LIMIT, node: process.version };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = measure(arg('--runs', 30));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    process.stdout.write(
      [
        `relay-doctor --version (${r.version}), node ${r.node}, median of ${r.runs} runs each`,
        `  node -e 0                 ${r.nodeMs.toFixed(1)} ms`,
        `  relay-doctor --version    ${r.cliMs.toFixed(1)} ms`,
        `  ratio                     ${r.ratio.toFixed(2)}× (limit ${r.limit}×) ${r.ratio <= r.limit ? 'ok' : 'TOO SLOW'}`,
        '',
      ].join('\n'),
    );
  }
  process.exitCode = r.ratio <= LIMIT ? 0 : 1;
}
