import { CODES } from '../contract.js';
import { STAGES, UsageError, type Finding, type StageId, type StageResult } from '../types.js';
import type { DiagnoseDocument, SweepMatrix } from './document.js';
import { answerConstraint, verdictOf } from './verdict.js';

// The exit policy CI asks for: which stages and codes count, and whether warnings fail the run.

export interface Policy {
  failOn: 'fail' | 'warn';
  only?: StageId[];
  skip?: string[];
}

function list(v: unknown): string[] {
  const raw = Array.isArray(v) ? v.map(String) : [String(v)];
  return raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parsePolicy(flags: Readonly<Record<string, unknown>>): Policy {
  const p: Policy = { failOn: 'fail' };
  if (flags.failOn !== undefined) {
    const v = String(flags.failOn).trim().toLowerCase();
    if (v !== 'fail' && v !== 'warn') throw new UsageError(`--fail-on must be fail or warn, got "${String(flags.failOn)}"`);
    p.failOn = v;
  }
  if (flags.only !== undefined) {
    const stages = list(flags.only);
    const bad = stages.find((s) => !(STAGES as readonly string[]).includes(s));
    if (bad !== undefined) throw new UsageError(`--only: unknown stage "${bad}" (stages: ${STAGES.join(', ')})`);
    if (!stages.length) throw new UsageError('--only expects a comma-separated list of stages');
    p.only = stages as StageId[];
  }
  if (flags.skip !== undefined) {
    const codes = list(flags.skip).map((c) => c.toUpperCase());
    const bad = codes.find((c) => !(c in CODES));
    if (bad !== undefined) throw new UsageError(`--skip: unknown finding code "${bad}"`);
    p.skip = codes;
  }
  return p;
}

const RANK: Record<string, number> = { fail: 0, warn: 1, info: 2 };

/** A stage's status from the findings left; skip and error (a crash) stay as they were. */
function restage(s: StageResult, findings: Finding[]): StageResult {
  const r: StageResult = { ...s, findings: [...findings].sort((a, b) => (RANK[a.status] ?? 3) - (RANK[b.status] ?? 3)) };
  if (s.status === 'skip' || s.status === 'error') return r;
  if (findings.some((f) => f.status === 'fail')) r.status = 'fail';
  else if (findings.some((f) => f.status === 'warn')) r.status = 'warn';
  else r.status = 'pass';
  return r;
}

function recell(sw: SweepMatrix, findings: Finding[]): SweepMatrix {
  const cells: SweepMatrix['cells'] = {};
  for (const m of sw.models) {
    cells[m] = {};
    for (const g of sw.groups) {
      const was = sw.cells[m]?.[g.group] ?? '';
      const cell = findings.filter((f) => f.subject?.model === m && f.subject?.group === g.group && f.stage === 'distribute');
      const fail = cell.find((f) => f.status === 'fail');
      cells[m][g.group] = fail ? fail.code : was === 'not-offered' ? 'not-offered' : '';
    }
  }
  return { ...sw, cells };
}

/** The document as --only and --skip define it: verdict recomputed from what is left. */
export function applyPolicy(doc: DiagnoseDocument, p: Policy): DiagnoseDocument {
  if (!p.only && !p.skip?.length) return doc;
  const keep = (f: Finding) => !(p.skip ?? []).includes(f.code) && (!p.only || p.only.includes(f.stage));
  const findings = doc.findings.filter(keep);
  const stages = doc.stages.map((s) => {
    if (p.only && !p.only.includes(s.id)) return { id: s.id, status: 'skip' as const, findings: [], note: 'not selected (--only)' };
    return restage(s, s.findings.filter(keep));
  });
  const out: DiagnoseDocument = { ...doc, stages, findings, verdict: verdictOf(findings, stages, [], answerConstraint(doc.seen ?? doc.liveAnswer)) };
  if (doc.sweep) {
    if (p.only && !p.only.includes('distribute')) delete out.sweep;
    else out.sweep = recell(doc.sweep, findings);
  }
  return out;
}

/** 0 healthy, 1 a failing finding (or, with --fail-on warn, a warning); 3 stays 3. */
export function exitCodeOf(doc: DiagnoseDocument, p: Policy, runExit: number): number {
  if (runExit === 3) return 3;
  if (doc.verdict.status === 'unhealthy' || doc.findings.some((f) => f.status === 'fail')) return 1;
  if (p.failOn === 'warn' && doc.findings.some((f) => f.status === 'warn')) return 1;
  return 0;
}
