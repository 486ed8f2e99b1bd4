import type { Command } from 'commander';
import { buildContext } from '../context/build.js';
import type { CommonOptions, TargetOptions } from '../context/types.js';
import { VERSION } from '../cli.js';
import { diagnose } from '../diagnose/diagnose.js';
import { setInteraction } from '../live/interact.js';
import { CHECKS } from '../checks/registry.js';
import { resolveLang } from '../i18n/lang.js';
import { finishDiagnose } from '../report/emit.js';
import { envReport } from '../report/env-report.js';
import { parsePolicy } from '../report/policy.js';
import { parseFormat } from '../report/render.js';
import { parseTimeout, timeoutDocument } from '../report/stopped.js';
import { addCommonOptions, addTargetOptions } from './options.js';
import { chalkFor, spinnerFor, writeOut } from './output.js';

/** Options that scripts written against the full tool may pass; accepted, reported, not yet acted on. */
const PENDING: { flag: string; key: string }[] = [
];

export function register(program: Command): void {
  const cmd = program.command('diagnose').description("walk a request (or, without --path/--model/--token, every route model × group) down the relay's flowchart");
  addCommonOptions(cmd);
  addTargetOptions(cmd);
  cmd
    .option('--recheck-after <seconds>', 'probe the live relay again after this many seconds')
    .option('--live', 'also send the real request through the relay (may be billed)')
    .option('--yes', 'answer yes to confirmations')
    .option('--seen-status <status>', 'the HTTP status the user got')
    .option('--seen-body <text|@file>', 'the body the user got')
    .option('--seen-headers <text|@file>', 'the response headers the user got')
    .option('--log-file <path>', 'relay console log (plain or .gz, - for stdin) to attach as evidence (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--db-logs', 'attach the last 24 h of error and consume rows of the logs table (LOG_SQL_DSN aware)')
    .option('--offline', 'do not probe upstreams')
    .option('--format <format>', 'text, json, junit, github, markdown or prometheus')
    .option('--fail-on <level>', 'fail (default) or warn: warnings also exit 1')
    .option('--only <stages>', 'only these stages (comma-separated); the others are reported as skipped')
    .option('--skip <codes>', 'drop these finding codes (comma-separated) before the verdict')
    .option('--timeout <seconds>', 'stop the whole run after this many seconds (exit 3)')
    .option('--lang <lang>', 'en or zh (default from LC_ALL, LANG, LANGUAGE)')
    .option('--admin-token <token>', "a root user's access token, to read each node's options (never printed)")
    .option('--admin-user <id>', 'the id of the access token owner (New-Api-User header)')
    .action(async (opts: CommonOptions & TargetOptions & Record<string, unknown>) => {
      const notImplemented = PENDING.filter((p) => opts[p.key] !== undefined && !(Array.isArray(opts[p.key]) && (opts[p.key] as unknown[]).length === 0)).map((p) => p.flag);
      const format = parseFormat(opts.format, Boolean(opts.json));
      if (format === 'json') opts.json = true;
      const policy = parsePolicy(opts);
      const timeout = parseTimeout(opts.timeout);
      const lang = resolveLang(opts.lang, process.env);
      const ctx = buildContext({ common: opts, target: opts, notImplemented, flags: opts });
      const started = performance.now();
      const spin = await spinnerFor(ctx, format === 'text');
      // Questions (--live's cost, the re-probe wait) stop the spinner, which holds stdin.
      setInteraction({ pause: () => spin.stop() });
      let outcome: Awaited<ReturnType<typeof diagnose>> | undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        const run = diagnose(ctx, { version: VERSION, progress: (s) => spin.update(s) });
        outcome = timeout === undefined ? await run : await Promise.race([run, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeout * 1000)))]);
      } finally {
        clearTimeout(timer);
        spin.stop();
      }
      const t = ctx.target;
      const doc = outcome?.doc ?? timeoutDocument({ version: VERSION, target: { method: t.method, ...(t.path ? { path: t.path } : {}), ...(t.model !== undefined ? { model: t.model } : {}), ...(t.group !== undefined ? { group: t.group } : {}), ...(t.tokenId !== undefined ? { tokenId: t.tokenId } : {}) }, seconds: timeout ?? 0, durationMs: Math.round(performance.now() - started), notImplemented: [...ctx.notImplemented] });
      const done = await finishDiagnose(doc, outcome?.exitCode ?? 3, {
        format,
        lang,
        policy,
        chalk: format === 'text' ? await chalkFor(ctx) : undefined,
        verbose: ctx.output.verbose,
        width: process.stdout.columns || 100,
        relayEnv: envReport(ctx.env, ctx.db.facts),
        checks: CHECKS.map((c) => ({ id: c.id, stage: c.stage })),
      });
      await writeOut(done.text);
      if (!outcome) {
        // The run is still pending (a hung connection): say so in one line and leave now.
        process.stderr.write(`relay-doctor: ${doc.findings[0]!.message}\n`);
        process.exit(3);
      }
      if (done.exitCode === 3 && format !== 'json') process.stderr.write(`relay-doctor: ${doc.verdict.primary?.message ?? 'could not run'}\n`);
      process.exitCode = done.exitCode;
    });
}
