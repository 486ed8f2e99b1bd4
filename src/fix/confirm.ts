import { UsageError } from '../types.js';

// Consent for writes: a question on a terminal, --yes otherwise.

export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Checked before anything opens: without a terminal, writing needs --yes. */
export function requireConsent(yes: boolean, what: string): void {
  if (!yes && !interactive()) throw new UsageError(`${what} changes the database: pass --yes to confirm when not on a terminal`);
}

export async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
