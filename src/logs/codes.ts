import { codeInfo, type Code, type CodeInfo } from '../contract.js';

/**
 * Codes the log analysis needs beyond the contract. They live here, not in contract.ts, until
 * the lead adopts them; every other code a signature names comes from the contract.
 */
export const LOG_EXTRA_CODES = {
  /** A request panicked and the relay recovered it (500 `new_api_panic`) for a cause no other code names. */
  RELAY_PANIC: { stage: 'cache', status: 'fail' },
} as const satisfies Record<string, CodeInfo>;

export type LogCode = Code | keyof typeof LOG_EXTRA_CODES;

export function logCodeInfo(code: string): CodeInfo {
  const info = codeInfo(code) ?? (LOG_EXTRA_CODES as Record<string, CodeInfo>)[code];
  if (!info) throw new Error(`unknown finding code ${code}`);
  return info;
}
