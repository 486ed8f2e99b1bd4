import type { Check } from '../checks/types.js';
import { STAGES, type Finding, type StageId, type StageResult } from '../types.js';
import type { CheckContext, Snapshot, TargetFacts } from './facts.js';

export interface CheckRun {
  findings: Finding[];
  /** Stages where at least one check ran. */
  ran: Set<StageId>;
  /** Stages where a check crashed. */
  crashed: Set<StageId>;
}

function runOne(check: Check, ctx: CheckContext, out: CheckRun): void {
  out.ran.add(check.stage);
  try {
    for (const f of check.run(ctx)) {
      f.check = check.id;
      if (ctx.target.cell && check.scope === 'target') f.subject = { ...ctx.target.cell, ...f.subject };
      out.findings.push(f);
    }
  } catch (err) {
    // A crashing check becomes an error result for its stage, never an abort (flutter doctor).
    out.crashed.add(check.stage);
    out.findings.push({
      code: 'CHECK_CRASHED',
      status: 'fail',
      stage: check.stage,
      message: `check ${check.id} could not complete: ${(err as Error)?.message ?? String(err)}`,
      check: check.id,
      subject: ctx.target.cell ? { ...ctx.target.cell } : undefined,
    });
  }
}

const keyOf = (f: Finding) => `${f.code}|${f.stage}|${f.message}|${JSON.stringify(f.subject ?? {})}`;

/** Run relay-scope checks once and target-scope checks per target; drop exact duplicates. */
export function runChecks(checks: readonly Check[], snap: Snapshot, targets: TargetFacts[], relayTarget: TargetFacts): CheckRun {
  const out: CheckRun = { findings: [], ran: new Set(), crashed: new Set() };
  for (const check of checks) {
    if (check.scope === 'relay') runOne(check, { snap, target: relayTarget }, out);
    else for (const t of targets) runOne(check, { snap, target: t }, out);
  }
  const seen = new Set<string>();
  out.findings = out.findings.filter((f) => {
    const k = keyOf(f);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return out;
}

const RANK: Record<string, number> = { fail: 0, warn: 1, info: 2 };

export function stageResults(run: CheckRun, notes: Partial<Record<StageId, string>> = {}): StageResult[] {
  return STAGES.map((id) => {
    const findings = run.findings
      .filter((f) => f.stage === id)
      .sort((a, b) => (RANK[a.status] ?? 3) - (RANK[b.status] ?? 3));
    let status: StageResult['status'];
    if (run.crashed.has(id)) status = 'error';
    else if (findings.some((f) => f.status === 'fail')) status = 'fail';
    else if (findings.some((f) => f.status === 'warn')) status = 'warn';
    else if (run.ran.has(id) && !notes[id]) status = 'pass';
    else status = 'skip';
    const r: StageResult = { id, status, findings };
    if (notes[id]) r.note = notes[id];
    return r;
  });
}
