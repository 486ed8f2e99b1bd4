import { clustersToFindings } from '../logs/findings.js';
import { relevantClusters, type LogFacts } from '../logs/gatherer.js';
import type { Finding } from '../types.js';
import type { TargetFacts } from './facts.js';
import type { LogsSummary } from '../report/document.js';

/**
 * Log evidence joins the report: a finding the checks already made gains the log lines that
 * confirm it; a failure only the logs show becomes a finding of its own stage.
 */
export function mergeLogEvidence(findings: Finding[], logs: LogFacts, target: TargetFacts | undefined): Finding[] {
  const fromLogs = clustersToFindings(relevantClusters(logs.analysis.clusters, target));
  const out = [...findings];
  for (const lf of fromLogs) {
    const same = out.filter((f) => f.code === lf.code && f.check !== 'logs');
    const ev = lf.evidence ?? {};
    const summary = { lines: ev.lines, firstSeen: ev.firstSeen, lastSeen: ev.lastSeen, requestIds: ev.requestIds, examples: ev.examples };
    if (same.length) {
      for (const f of same) {
        f.evidence = { ...f.evidence, logs: summary };
        f.message += ` — confirmed by ${String(ev.lines ?? 'some')} log line(s)`;
      }
    } else out.push(lf);
  }
  return out;
}

/** The document's view of the logs: sources, counts and the last relevant lines (redacted). */
export function logsSummary(logs: LogFacts): LogsSummary {
  const a = logs.analysis;
  return { sources: logs.sources, lines: a.lines, unknownLines: a.unknownLines, clusters: a.clusters.length, firstTime: a.firstTime, lastTime: a.lastTime, lastLines: logs.lastLines, ...(logs.dbError ? { dbError: logs.dbError } : {}) };
}
