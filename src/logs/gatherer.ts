import fs from 'node:fs';
import type { Gatherer } from '../diagnose/gather.js';
import type { TargetFacts } from '../diagnose/facts.js';
import { openDb } from '../db/open.js';
import { UsageError } from '../types.js';
import { LogAnalyzer, type HitEvent } from './analyze.js';
import { fileLines } from './input.js';
import { detectLogsTable, readLogsTable } from './table.js';
import type { Cluster, LogAnalysis } from './types.js';

/** What the relay's logs say, for diagnose (--log-file, --db-logs). */
export interface LogFacts {
  sources: string[];
  analysis: LogAnalysis;
  /** The last relevant lines (redacted), oldest first: the support bundle's "last 50 log lines". */
  lastLines: string[];
  /** Why the logs table could not be read, if it was asked for. */
  dbError?: string;
}

const LAST = 50;
const DB_WINDOW_S = 24 * 3600;

function files(flag: unknown): string[] {
  if (flag === undefined) return [];
  return (Array.isArray(flag) ? flag : [flag]).map(String);
}

/** Clusters about this request: its model and group, or none named (process-wide lines). */
export function relevantClusters(clusters: Cluster[], t: TargetFacts | undefined): Cluster[] {
  if (!t || t.cell) return clusters;
  return clusters.filter(
    (c) => (t.model === undefined || !c.models.length || c.models.includes(t.model)) && (t.group === undefined || !c.groups.length || c.groups.includes(t.group)),
  );
}

export const logsGatherer: Gatherer = {
  id: 'logs',
  stage: 'environment',
  wanted: (ctx) => files(ctx.flags.logFile).length > 0 || ctx.flags.dbLogs === true,
  validate(ctx) {
    for (const f of files(ctx.flags.logFile)) {
      if (f === '-') continue;
      try {
        fs.accessSync(f, fs.constants.R_OK);
        if (!fs.statSync(f).isFile()) throw new Error('not a file');
      } catch {
        throw new UsageError(`cannot read --log-file ${f}`);
      }
    }
  },
  async gather(ctx, snap) {
    const last: string[] = [];
    const onHit = (h: HitEvent) => {
      last.push(h.text);
      if (last.length > LAST) last.shift();
    };
    const analyzer = new LogAnalyzer({ onHit });
    const sources: string[] = [];
    for (const f of files(ctx.flags.logFile)) {
      sources.push(f);
      for await (const line of fileLines(f)) analyzer.pushLine(line, f);
    }
    let dbError: string | undefined;
    if (ctx.flags.dbLogs === true) {
      const target = ctx.logDb ?? ctx.db.target;
      sources.push(`logs table (${target.redacted})`);
      const db = await openDb(target, { readOnly: true });
      try {
        const info = await detectLogsTable(db);
        const until = ctx.now + 1;
        for await (const row of readLogsTable(db, info, { since: until - DB_WINDOW_S, until, limit: 200_000 })) analyzer.pushRow(row);
      } catch (err) {
        dbError = (err as Error).message;
      } finally {
        await db.close().catch(() => undefined);
      }
    }
    snap.logs = { sources, analysis: analyzer.result(), lastLines: last, dbError };
  },
};
