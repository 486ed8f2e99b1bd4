// Run the built CLI as a user would and measure wall time and peak RSS.
// Peak RSS comes from GNU time (`/usr/bin/time -v`, "Maximum resident set size") when present;
// otherwise from a preload that reports process.resourceUsage().maxRSS at exit (the kernel's
// own peak for the node process, so no sampling gap).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin/relay-doctor');
const GNU_TIME = '/usr/bin/time';
const RSS_HOOK = fileURLToPath(new URL('./rss-hook.mjs', import.meta.url));
const TRACE_HOOK = fileURLToPath(new URL('./trace-pg.mjs', import.meta.url));

export const rssMethod = () => (existsSync(GNU_TIME) ? 'GNU time -v (Maximum resident set size of the node process)' : 'process.resourceUsage().maxRSS reported by a preload at exit');

/** Remove anything secret from text the CLI or GNU time printed (GNU time echoes the argv). */
export function scrub(text, secrets) {
  let out = text
    .split('\n')
    .filter((l) => !/Command being timed/.test(l))
    .join('\n');
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/**
 * One CLI run. `secrets` are scrubbed from any error text. With `trace`, the pg statements are
 * recorded (see trace-pg.mjs) and returned; the trace file is deleted before returning.
 */
export async function runCli(cliArgs, { secrets = [], trace = false, nodeFlags = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-'));
  try {
    const env = {};
    const flags = [...nodeFlags];
    if (trace) {
      env.RD_BENCH_TRACE = join(dir, 'trace.json');
      flags.push('--import', TRACE_HOOK);
    }
    const gnu = existsSync(GNU_TIME);
    if (!gnu) {
      env.RD_BENCH_RSS = join(dir, 'rss.txt');
      flags.push('--import', RSS_HOOK);
    }
    const nodeArgs = [...flags, CLI, ...cliArgs];
    const started = performance.now();
    const r = gnu ? await run(GNU_TIME, ['-v', process.execPath, ...nodeArgs], env) : await run(process.execPath, nodeArgs, env);
    const wallMs = performance.now() - started;
    let rssKb;
    let cpuMs;
    let stderr = r.stderr;
    if (gnu) {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      rssKb = m ? Number(m[1]) : undefined;
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      if (user && sys) cpuMs = (Number(user[1]) + Number(sys[1])) * 1000;
      stderr = stderr.slice(0, stderr.lastIndexOf('\tCommand being timed') >= 0 ? stderr.lastIndexOf('\tCommand being timed') : stderr.length);
    } else if (existsSync(env.RD_BENCH_RSS)) {
      ({ rssKb, cpuMs } = JSON.parse(readFileSync(env.RD_BENCH_RSS, 'utf8')));
    }
    let doc;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      doc = undefined;
    }
    const statements = trace && existsSync(env.RD_BENCH_TRACE) ? JSON.parse(readFileSync(env.RD_BENCH_TRACE, 'utf8')) : undefined;
    return { exitCode: r.code, wallMs, cpuMs, rssKb, doc, stdoutBytes: Buffer.byteLength(r.stdout), stderr: scrub(stderr, secrets).trim(), statements };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
