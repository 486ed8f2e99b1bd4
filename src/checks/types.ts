import type { Code } from '../contract.js';
import type { Finding, StageId } from '../types.js';
import type { CheckContext } from '../diagnose/facts.js';

export type CheckScope = 'relay' | 'target';

/** A check: metadata plus run(context) → findings. Checks never print, write or query. */
export interface Check {
  id: string;
  stage: StageId;
  /** relay: once per run; target: once per target (the request, or each sweep cell). */
  scope: CheckScope;
  codes: readonly Code[];
  description: string;
  run(ctx: CheckContext): Finding[];
}
