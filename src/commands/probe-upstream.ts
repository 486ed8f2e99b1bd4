import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { VERSION } from '../cli.js';
import { finding } from '../checks/report.js';
import { buildContext } from '../context/build.js';
import type { CommonOptions } from '../context/types.js';
import { connect, DbOpenError } from '../diagnose/snapshot.js';
import { probeExitCode, summarize, type ProbeDocument } from '../probe/document.js';
import { planChannel, probeId } from '../probe/plan.js';
import { renderProbeText } from '../probe/render.js';
import { runPlans } from '../probe/run.js';
import { NotARelayError, selectChannels, type ChannelChoice } from '../probe/select.js';
import { DEFAULT_OPTIONS, type ProbeOptions } from '../probe/types.js';
import { routeFor } from '../relay/routes.js';
import { UsageError } from '../types.js';
import { addCommonOptions } from './options.js';
import { chalkFor, spinnerFor, writeOut } from './output.js';

interface ProbeFlags extends CommonOptions {
  channel?: string[];
  model?: string;
  group?: string;
  all?: boolean;
  concurrency?: string;
  path?: string;
  method?: string;
  body?: string;
  live?: boolean;
  yes?: boolean;
  timeout?: string;
  retries?: string;
  slowAfter?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function int(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min || x > max) throw new UsageError(`${name} expects an integer from ${min} to ${max}`);
  return x;
}

function seconds(v: string | undefined, name: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || x <= 0 || x > max) throw new UsageError(`${name} expects seconds (more than 0, at most ${max})`);
  return Math.round(x * 1000);
}

function choiceOf(o: ProbeFlags): ChannelChoice {
  const given = [o.channel?.length ? '--channel' : '', o.model !== undefined ? '--model' : '', o.all ? '--all' : ''].filter(Boolean);
  if (given.length !== 1) throw new UsageError(given.length ? `${given.join(' and ')} exclude each other: choose one` : 'choose the channels: --channel <id>, --model <model> [--group <group>] or --all');
  if (o.group !== undefined && o.model === undefined) throw new UsageError('--group needs --model');
  if (o.channel?.length) {
    const ids = o.channel.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean).map(Number);
    if (!ids.length || ids.some((id) => !Number.isInteger(id) || id < 0)) throw new UsageError('--channel expects channel ids, e.g. --channel 8 or --channel 8,12');
    return { by: 'id', ids: [...new Set(ids)] };
  }
  if (o.all) return { by: 'all' };
  return { by: 'model', model: o.model!, group: o.group };
}

export function probeOptionsFrom(o: { timeout?: string; retries?: string; slowAfter?: string }, configSlowMs?: number): ProbeOptions {
  const t = DEFAULT_OPTIONS.timeouts;
  const limit = seconds(o.timeout, '--timeout', 900);
  const timeouts = limit === undefined ? t : { dnsMs: Math.min(t.dnsMs, limit), connectMs: Math.min(t.connectMs, limit), tlsMs: Math.min(t.tlsMs, limit), headersMs: limit, bodyMs: limit };
  return {
    ...DEFAULT_OPTIONS,
    timeouts,
    retries: int(o.retries, '--retries', 0, 10, 0),
    slowMs: seconds(o.slowAfter, '--slow-after', 900) ?? configSlowMs ?? DEFAULT_OPTIONS.slowMs,
  };
}

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = await rl.question(question);
    return /^y(es)?$/i.test(a.trim());
  } finally {
    rl.close();
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('probe-upstream')
    .description("reach channels' upstreams directly with the channel key, phase by phase (DNS, TCP, TLS, first byte); read-only unless --live");
  addCommonOptions(cmd);
  cmd
    .option('--channel <id>', 'channel id(s), repeatable or comma-separated', collect)
    .option('--model <model>', 'every enabled channel serving this routing model (with --group: those the relay would pick)')
    .option('--group <group>', 'the using group, with --model')
    .option('--all', 'every enabled channel')
    .option('--concurrency <n>', 'probes at once (default 20)')
    .option('--path <path>', 'the request path; passthrough channels are probed on its prefix (safe) or with it (--live)')
    .option('--method <method>', 'method of the request for --live (default POST)')
    .option('--body <json|@file>', 'request body for --live')
    .option('--live', 'send the real request (may create a task and be billed)')
    .option('--yes', 'do not ask before --live')
    .option('--timeout <seconds>', 'wait this long for response headers and for the body (default 20; DNS 5, connect and TLS 10 at most)')
    .option('--slow-after <seconds>', 'UPSTREAM_SLOW when the first byte takes this long (default 45; the passthrough gives up at 60)')
    .option('--retries <n>', 'retry after a transport error or a 5xx, n times (default 0: no silent retries)')
    .action(async (o: ProbeFlags) => {
      const started = performance.now();
      const choice = choiceOf(o);
      const concurrency = int(o.concurrency, '--concurrency', 1, 1000, 20);
      if (o.live) {
        if (!o.path) throw new UsageError('--live needs --path (and usually --body @request.json)');
        if (!o.yes && !process.stdin.isTTY) throw new UsageError('--live sends real requests that may be billed: add --yes to confirm when stdin is not a terminal');
      }
      const ctx = buildContext({ common: o, target: { path: o.path, method: o.method ?? (o.live ? 'POST' : undefined), body: o.body, model: o.model, group: o.group }, flags: o as Record<string, unknown> });
      const options = probeOptionsFrom(o, ctx.config.thresholds?.upstreamSlowMs);
      const doc: ProbeDocument = {
        schemaVersion: 1,
        tool: { name: 'relay-doctor', version: VERSION },
        mode: o.live ? 'live' : 'safe',
        selection: {},
        settings: { timeouts: options.timeouts, slowMs: options.slowMs, retries: options.retries, concurrency, bodyCapBytes: options.bodyCap },
        summary: { channels: 0, probes: 0, fail: 0, warn: 0, ok: 0 },
        probes: [],
        durationMs: 0,
      };
      const json = () => writeOut(`${JSON.stringify(doc, null, 2)}\n`);
      const stop = async (message: string, code: 'DB_UNREACHABLE' | 'SCHEMA_UNRECOGNIZED') => {
        doc.error = finding(code, message, { evidence: { database: ctx.db.target.redacted } });
        doc.durationMs = Math.round(performance.now() - started);
        if (ctx.output.json) await json();
        process.stderr.write(`relay-doctor: ${message}\n`);
        process.exitCode = 3;
      };

      let conn;
      try {
        conn = await connect(ctx);
      } catch (err) {
        if (err instanceof DbOpenError) return stop(`cannot open the relay's database ${ctx.db.target.redacted}: ${err.message}`, 'DB_UNREACHABLE');
        throw err;
      }
      let selected;
      try {
        selected = await selectChannels(ctx, conn.db, choice);
      } catch (err) {
        if (err instanceof NotARelayError) return stop(`${ctx.db.target.redacted} is ${err.message}`, 'SCHEMA_UNRECOGNIZED');
        if (err instanceof UsageError) throw err;
        return stop(`cannot read the channels of ${ctx.db.target.redacted}: ${(err as Error).message.split('\n')[0]}`, 'DB_UNREACHABLE');
      } finally {
        await conn.db.close().catch(() => undefined);
      }
      doc.selection = selected.selection;

      const t = ctx.target;
      const { product, build } = selected.product;
      const route = t.path ? routeFor(product, t.method, t.path, t.body, ctx.config.routes) : undefined;
      const model = o.model ?? route?.model;
      const id = probeId();
      const plans = selected.channels.map((c) =>
        planChannel(c, {
          product,
          build,
          path: t.path,
          method: t.method,
          route,
          model,
          probeId: id,
          live: o.live ? { body: t.body?.text, contentType: t.body?.json !== undefined ? 'application/json' : 'text/plain' } : undefined,
        }),
      );
      const total = plans.reduce((a, p) => a + p.probes.length, 0);
      if (!selected.channels.length) {
        process.stderr.write(`relay-doctor: no channel to probe (${choice.by === 'model' ? `no enabled channel serves "${choice.model}"${choice.group !== undefined ? ` in group "${choice.group}"` : ''}; relay-doctor diagnose explains why` : 'no enabled channel'})\n`);
      }
      if (o.live && total && !o.yes) {
        const ok = await confirm(`Send the real ${t.method} ${t.path}${t.body ? ` (${t.body.text.length} bytes)` : ''} to ${total} upstream request(s) of ${selected.channels.length} channel(s)? It may create tasks and be billed. [y/N] `);
        if (!ok) throw new UsageError('not confirmed: nothing was sent');
      }

      const spin = await spinnerFor(ctx);
      try {
        spin.update(`probing ${total} upstream request(s)`);
        const t0 = performance.now();
        doc.probes = await runPlans(plans, options, concurrency, (done, all) => spin.update(`probed ${done}/${all}`));
        doc.probesMs = Math.round(performance.now() - t0);
      } finally {
        spin.stop();
      }
      doc.summary = summarize(doc.probes);
      doc.durationMs = Math.round(performance.now() - started);
      // The binary exits as soon as the action returns: wait until stdout has taken everything.
      if (ctx.output.json) await json();
      else await writeOut(await renderProbeText(doc, { chalk: await chalkFor(ctx), color: ctx.output.color, verbose: ctx.output.verbose, width: process.stdout.columns || 100 }));
      process.exitCode = probeExitCode(doc.probes);
    });
}
