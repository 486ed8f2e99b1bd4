import fs from 'node:fs';
import type { Command } from 'commander';
import { buildContext } from '../context/build.js';
import type { CommonOptions } from '../context/types.js';
import { openDb } from '../db/open.js';
import type { Db } from '../db/types.js';
import { LogAnalyzer, type HitEvent } from '../logs/analyze.js';
import { parseSince, parseTimeZone, type TimeZoneSpec } from '../logs/clock.js';
import { logCodeInfo } from '../logs/codes.js';
import { fileLines, followFile } from '../logs/input.js';
import { redact } from '../logs/redact.js';
import { logsDocument, renderEvent, renderStory, renderText, type RenderOptions } from '../logs/render.js';
import { detectLogsTable, LogsTableError, readLogsTable } from '../logs/table.js';
import type { LogAnalysis, LogRow } from '../logs/types.js';

// How the analyser writes a logs-table row into a story.
const ROW_LINE = /^logs #\d+ type=\d+/;
import { RunError, UsageError, type Finding } from '../types.js';
import { addCommonOptions } from './options.js';

interface LogsOptions extends CommonOptions {
  db?: boolean;
  since?: string;
  until?: string;
  requestId?: string;
  follow?: boolean;
  tz?: string;
  types: string;
  limit: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('logs')
    .description("Read the relay's console logs (files, .gz, stdin) or its logs table and turn them into findings")
    .argument('[files...]', 'log files, plain or .gz; - reads stdin')
    .option('--db', 'read error (type 5) and consume (type 2) rows of the logs table; LOG_SQL_DSN aware')
    .option('--since <when>', 'only lines after: 30m, 1h, 2d or an ISO date (default 1h with --db)')
    .option('--until <when>', 'only lines before: 30m, 1h, 2d ago or an ISO date')
    .option('--request-id <id>', "one request's story: its lines and the passthrough lines before its [GIN] line (prefix match)")
    .option('-f, --follow', 'follow a growing file and print failures as they arrive; Ctrl-C prints the summary')
    .option('--tz <zone>', "zone of the relay's timestamps: local (default), utc, or an offset such as +08:00")
    .option('--types <list>', 'logs.type values read with --db', '5,2')
    .option('--limit <rows>', 'read at most this many logs-table rows', '500000');
  addCommonOptions(cmd);
  cmd.action(async (files: string[], opts: LogsOptions) => runLogs(files, opts));
}

async function toolVersion(): Promise<string> {
  try {
    return (await import('../cli.js')).VERSION;
  } catch {
    return '0.0.0';
  }
}

function usage(fn: () => number, what: string): number {
  try {
    return fn();
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

function stopFinding(code: 'DB_UNREACHABLE' | 'SCHEMA_UNRECOGNIZED', message: string): Finding {
  const info = logCodeInfo(code);
  return { code, status: info.status, stage: info.stage, message, check: 'logs' };
}

export async function runLogs(files: string[], opts: LogsOptions): Promise<void> {
  const now = Date.now();
  let tz: TimeZoneSpec;
  try {
    tz = parseTimeZone(opts.tz);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const since = opts.since !== undefined ? usage(() => parseSince(opts.since!, now), '--since') : opts.db ? now - 3_600_000 : undefined;
  const until = opts.until !== undefined ? usage(() => parseSince(opts.until!, now), '--until') : undefined;
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be later than --since');
  const types = opts.types.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  if (types.length === 0 || types.some((t) => !Number.isInteger(t) || t < 0)) throw new UsageError('--types expects logs.type numbers such as 5,2');
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError('--limit expects a positive integer');

  if (files.length === 0 && !opts.db) {
    if (process.stdin.isTTY) throw new UsageError('give log files (plain or .gz), - for stdin, or --db for the logs table');
    files = ['-'];
  }
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('- (stdin) can be given once');
  for (const f of files) {
    if (f === '-') continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      throw new UsageError(`cannot read log file ${f}: no such file`);
    }
    if (!st.isFile()) throw new UsageError(`${f} is not a file`);
  }
  if (opts.follow && (opts.db || files.length !== 1)) throw new UsageError('--follow reads exactly one file (or -) and not the logs table');

  const json = Boolean(opts.json);
  const tty = Boolean(process.stdout.isTTY);
  const render: RenderOptions = {
    color: opts.color !== false && tty && !process.env.NO_COLOR && !process.env.CI,
    verbose: Boolean(opts.verbose),
    tz,
    width: process.stdout.columns,
  };
  const requestIds = opts.requestId !== undefined ? [opts.requestId.trim()] : undefined;
  if (requestIds && requestIds[0]!.length < 6) throw new UsageError('--request-id needs at least 6 characters of the id');

  let live = false;
  const onHit = opts.follow && !json ? (ev: HitEvent) => live && process.stdout.write(renderEvent(ev, render)) : undefined;
  const analyzer = new LogAnalyzer({ since, until, tz, requestIds, onHit });
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    process.stderr.write(`relay-doctor: ${m}\n`);
  };

  if (opts.follow) {
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const f = files[0]!;
      if (f === '-') {
        live = true;
        for await (const line of fileLines('-', ac.signal)) analyzer.pushLine(line, 'stdin');
      } else {
        // Live output starts once the lines already in the file are read; say so only then.
        const caughtUp = () => {
          live = true;
          if (!json) process.stderr.write(`Following ${f}; Ctrl-C prints the summary.\n`);
        };
        for await (const line of followFile(f, { signal: ac.signal, onCaughtUp: caughtUp })) analyzer.pushLine(line, f);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } else {
    for (const f of files) {
      const label = f === '-' ? 'stdin' : f;
      try {
        for await (const line of fileLines(f)) analyzer.pushLine(line, label);
      } catch (err) {
        // A cut .gz or an unreadable tail: keep what was read, say so.
        warn(`${label}: ${(err as Error).message}; the lines read before the error are analysed`);
      }
    }
  }

  let dbSource: string | undefined;
  let truncated = false;
  const storyRows: LogRow[] = [];
  if (opts.db) {
    const keep = requestIds ? (row: LogRow) => row.requestId?.startsWith(requestIds[0]!) && storyRows.length < 10_000 && storyRows.push(row) : undefined;
    const r = await readTable(opts, { since: since!, until: until ?? now + 1000, types, limit }, analyzer, warn, json, keep);
    dbSource = r.source;
    truncated = r.truncated;
  }

  const version = await toolVersion();
  let result = analyzer.result();
  if (requestIds) result = storyAnalysis(result, tz, storyRows);
  const failed = result.clusters.some((c) => c.status === 'fail');
  const source = { files: files.map((f) => (f === '-' ? 'stdin' : f)), db: dbSource ?? null, since: since !== undefined ? new Date(since).toISOString() : null, until: until !== undefined ? new Date(until).toISOString() : null };
  if (json) {
    const extra: Record<string, unknown> = { source, warnings };
    if (truncated) extra.truncated = true;
    if (requestIds) extra.stories = result.stories;
    process.stdout.write(`${JSON.stringify(logsDocument(result, version, extra), null, 2)}\n`);
  } else {
    if (requestIds) {
      const ids = Object.keys(result.stories);
      if (ids.length === 0) process.stdout.write(`No line of request ${requestIds[0]} in the input.\n\n`);
      for (const id of ids) process.stdout.write(renderStory(id, result.stories[id]!, render) + '\n');
    }
    process.stdout.write(renderText(result, render, requestIds ? `Findings of request ${requestIds[0]}` : undefined));
  }
  process.exitCode = failed ? 1 : 0;
}

/** With --request-id, the clusters are those of that request's own lines. */
function storyAnalysis(all: LogAnalysis, tz: TimeZoneSpec, rows: LogRow[]): LogAnalysis {
  const one = new LogAnalyzer({ tz, sampleStories: false });
  // Story lines of logs-table rows are re-fed as rows, the others as log lines.
  for (const lines of Object.values(all.stories)) for (const l of lines) if (!ROW_LINE.test(l.text)) one.pushLine(l.text, l.file);
  for (const r of rows) one.pushRow(r);
  const r = one.result();
  return { ...r, lines: all.lines, unknownLines: all.unknownLines, partialLines: all.partialLines, skippedLines: all.skippedLines, rows: all.rows, stories: all.stories };
}

async function readTable(
  opts: LogsOptions,
  window: { since: number; until: number; types: number[]; limit: number },
  analyzer: LogAnalyzer,
  warn: (m: string) => void,
  json: boolean,
  onRow?: (row: LogRow) => void,
): Promise<{ source: string; truncated: boolean }> {
  const ctx = buildContext({ common: opts });
  if (ctx.env.values.LOG_SQL_DSN && !ctx.logDb) warn('LOG_SQL_DSN is set but cannot be parsed; reading the logs table of the main database');
  const target = ctx.logDb ?? ctx.db.target;
  const stop = async (code: 'DB_UNREACHABLE' | 'SCHEMA_UNRECOGNIZED', message: string): Promise<never> => {
    if (json) {
      const doc = logsDocument(analyzer.result(), await toolVersion(), { source: { db: target.redacted }, findings: [stopFinding(code, message)] });
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    throw new RunError(message, 3);
  };
  let db: Db;
  try {
    db = await openDb(target, { readOnly: true });
  } catch (err) {
    return stop('DB_UNREACHABLE', `cannot open the logs database ${target.redacted}: ${redact((err as Error).message)}`);
  }
  let read = 0;
  try {
    const info = await detectLogsTable(db).catch(async (err) => {
      if (err instanceof LogsTableError) return stop('SCHEMA_UNRECOGNIZED', `${target.redacted}: ${err.message}`);
      throw err;
    });
    const rows = readLogsTable(db, info, { since: Math.floor(window.since / 1000), until: Math.ceil(window.until / 1000), types: window.types, limit: window.limit });
    for await (const row of rows) {
      analyzer.pushRow(row);
      onRow?.(row);
      read++;
    }
  } catch (err) {
    if (err instanceof RunError) throw err;
    return stop('DB_UNREACHABLE', `cannot read the logs table of ${target.redacted}: ${redact((err as Error).message)}`);
  } finally {
    await db.close().catch(() => undefined);
  }
  const truncated = read >= window.limit;
  if (truncated) warn(`read the first ${window.limit} rows of the window only (--limit)`);
  return { source: target.redacted, truncated };
}
