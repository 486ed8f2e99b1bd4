import readline from 'node:readline';

// Questions on a terminal (--live's cost, the re-probe wait). Only asked when stdin and stderr
// are terminals and CI is unset; the command pauses its spinner through setInteraction first.

let hooks: { pause(): void } = { pause: () => undefined };

export function setInteraction(h: { pause(): void }): void {
  hooks = h;
}

export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI;
}

/** y/N question on stderr; anything but y/yes is no. */
export async function askYesNo(question: string): Promise<boolean> {
  if (!interactive()) return false;
  hooks.pause();
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function note(line: string): void {
  if (interactive()) {
    hooks.pause();
    process.stderr.write(`${line}\n`);
  }
}
