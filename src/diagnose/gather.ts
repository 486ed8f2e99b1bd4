import type { RunContext } from '../context/types.js';
import type { Finding, StageId } from '../types.js';
import type { Snapshot, TargetFacts } from './facts.js';

/**
 * A gatherer collects facts that need I/O beyond the database (live relay probes, Redis hashes,
 * upstream probes, log files) and stores them on the snapshot before any check runs, so checks
 * stay pure. All gatherers start at once; one that throws becomes an error result for its stage.
 */
export interface Gatherer {
  id: string;
  stage: StageId;
  /** Whether this run asks for it (e.g. --relay-url given). */
  wanted(ctx: RunContext): boolean;
  /** Throw UsageError for bad flag values; runs before anything connects. */
  validate?(ctx: RunContext): void;
  gather(ctx: RunContext, snap: Snapshot, targets: TargetFacts[]): Promise<void>;
}

export function validateGatherers(gatherers: readonly Gatherer[], ctx: RunContext): void {
  for (const g of gatherers) if (g.wanted(ctx)) g.validate?.(ctx);
}

export async function runGatherers(gatherers: readonly Gatherer[], ctx: RunContext, snap: Snapshot, targets: TargetFacts[]): Promise<Finding[]> {
  const active = gatherers.filter((g) => g.wanted(ctx));
  const results = await Promise.allSettled(active.map((g) => g.gather(ctx, snap, targets)));
  const out: Finding[] = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      const g = active[i]!;
      out.push({ code: 'CHECK_CRASHED', status: 'fail', stage: g.stage, message: `${g.id} could not complete: ${(r.reason as Error)?.message ?? String(r.reason)}`, check: g.id });
    }
  });
  return out;
}
