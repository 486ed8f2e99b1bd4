import { CODES, type Code } from '../contract.js';
import type { Finding, FindingStatus, Remedy } from '../types.js';

/** Build a finding whose stage comes from the contract; status defaults to the code's own. */
export function finding(
  code: Code,
  message: string,
  extra: { status?: FindingStatus; subject?: Record<string, unknown>; evidence?: Record<string, unknown>; remedy?: Remedy } = {},
): Finding {
  const info = CODES[code];
  const f: Finding = { code, status: extra.status ?? info.status, stage: info.stage, message };
  if (extra.subject) f.subject = extra.subject;
  if (extra.evidence) f.evidence = extra.evidence;
  if (extra.remedy) f.remedy = extra.remedy;
  return f;
}
