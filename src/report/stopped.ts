import { STAGES, UsageError, type Finding, type StageResult, type Target } from '../types.js';
import { buildDocument, type DiagnoseDocument } from './document.js';

/** The document of a run stopped by --timeout: one environment finding, every stage skipped. */
export function timeoutDocument(input: { version: string; target: Target; seconds: number; durationMs: number; notImplemented?: string[] }): DiagnoseDocument {
  const f: Finding = {
    code: 'RUN_TIMEOUT',
    status: 'fail',
    stage: 'environment',
    message: `the run did not finish within --timeout ${input.seconds} s and was stopped: the report is incomplete`,
    evidence: { timeoutSeconds: input.seconds },
    remedy: { text: 'Check that the database, Redis and relay URLs answer (the slow one holds the whole run), or raise --timeout.' },
  };
  const stages: StageResult[] = STAGES.map((id) => (id === 'environment' ? { id, status: 'fail', findings: [f] } : { id, status: 'skip', findings: [], note: 'not run: the environment stage failed' }));
  return buildDocument({
    version: input.version,
    target: input.target,
    verdict: { status: 'unhealthy', primary: { code: f.code, stage: f.stage, message: f.message }, ranked: [f.code] },
    stages,
    findings: [f],
    durationMs: input.durationMs,
    notImplemented: input.notImplemented,
  });
}

export function parseTimeout(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout expects a positive number of seconds, got "${String(v)}"`);
  return n;
}
