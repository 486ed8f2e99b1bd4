import type { Command } from 'commander';
import { buildContext } from '../context/build.js';
import type { CommonOptions, TargetOptions } from '../context/types.js';
import { VERSION } from '../cli.js';
import { diagnose } from '../diagnose/diagnose.js';
import { renderText } from '../report/text.js';
import { addCommonOptions, addTargetOptions } from './options.js';
import { chalkFor, spinnerFor, writeJson } from './output.js';

/** Options that scripts written against the full tool may pass; accepted, reported, not yet acted on. */
const PENDING: { flag: string; key: string }[] = [
  { flag: '--relay-url', key: 'relayUrl' },
  { flag: '--recheck-after', key: 'recheckAfter' },
  { flag: '--live', key: 'live' },
  { flag: '--seen-status', key: 'seenStatus' },
  { flag: '--seen-body', key: 'seenBody' },
  { flag: '--seen-headers', key: 'seenHeaders' },
  { flag: '--log-file', key: 'logFile' },
  { flag: '--db-logs', key: 'dbLogs' },
  { flag: '--offline', key: 'offline' },
  { flag: '--format', key: 'format' },
  { flag: '--fail-on', key: 'failOn' },
  { flag: '--only', key: 'only' },
  { flag: '--skip', key: 'skip' },
  { flag: '--timeout', key: 'timeout' },
  { flag: '--lang', key: 'lang' },
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
    .option('--log-file <path>', 'relay console log to attach as evidence')
    .option('--db-logs', 'attach error rows of the logs table')
    .option('--offline', 'do not probe upstreams')
    .option('--format <format>', 'text or json')
    .option('--fail-on <level>', 'fail or warn')
    .option('--only <stages>', 'only these stages')
    .option('--skip <codes>', 'ignore these finding codes')
    .option('--timeout <seconds>', 'global timeout')
    .option('--lang <lang>', 'en or zh')
    .option('--admin-token <token>', "a root user's access token, to read each node's options (never printed)")
    .option('--admin-user <id>', 'the id of the access token owner (New-Api-User header)')
    .action(async (opts: CommonOptions & TargetOptions & Record<string, unknown>) => {
      const notImplemented = PENDING.filter((p) => opts[p.key] !== undefined && !(Array.isArray(opts[p.key]) && (opts[p.key] as unknown[]).length === 0)).map((p) => p.flag);
      if (opts.format === 'json') opts.json = true;
      const ctx = buildContext({ common: opts, target: opts, notImplemented, flags: opts });
      const spin = await spinnerFor(ctx);
      let outcome;
      try {
        outcome = await diagnose(ctx, { version: VERSION, progress: (s) => spin.update(s) });
      } finally {
        spin.stop();
      }
      if (ctx.output.json) writeJson(outcome.doc);
      else process.stdout.write(renderText(outcome.doc, { chalk: await chalkFor(ctx), verbose: ctx.output.verbose, width: process.stdout.columns || 100 }));
      if (outcome.exitCode === 3 && !ctx.output.json) {
        process.stderr.write(`relay-doctor: ${outcome.doc.verdict.primary?.message ?? 'could not run'}\n`);
      }
      process.exitCode = outcome.exitCode;
    });
}
