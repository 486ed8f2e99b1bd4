import type { ChalkInstance } from 'chalk';
import type { Lang } from '../i18n/lang.js';
import type { StageId } from '../types.js';
import type { DiagnoseDocument, RelayEnvEntry } from './document.js';
import { applyPolicy, exitCodeOf, type Policy } from './policy.js';
import { renderDocument, type Format } from './render.js';

export interface EmitOptions {
  format: Format;
  lang: Lang;
  policy: Policy;
  chalk?: ChalkInstance;
  verbose?: boolean;
  width?: number;
  relayEnv?: RelayEnvEntry[];
  checks?: { id: string; stage: StageId }[];
  timestamp?: number;
}

/** The final document (policy applied, bundle facts added), its rendering and the exit code. */
export async function finishDiagnose(doc: DiagnoseDocument, runExit: number, o: EmitOptions): Promise<{ doc: DiagnoseDocument; text: string; exitCode: number }> {
  let out: DiagnoseDocument = { ...doc };
  if (o.relayEnv) out.relayEnv = o.relayEnv;
  if (o.checks) out.checks = o.checks;
  // A run that could not start keeps its document and exit 3 whatever --only/--skip say.
  if (runExit !== 3) out = applyPolicy(out, o.policy);
  const exitCode = exitCodeOf(out, o.policy, runExit);
  const text = await renderDocument(out, o.format, { lang: o.lang, chalk: o.chalk, verbose: o.verbose, width: o.width, failOn: o.policy.failOn, timestamp: o.timestamp });
  return { doc: out, text, exitCode };
}
