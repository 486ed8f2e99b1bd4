import type { RunContext } from '../context/types.js';
import { isCI } from '../context/build.js';

/** A chalk instance honouring --no-color, NO_COLOR, CI and non-TTY stdout. */
export async function chalkFor(ctx: RunContext) {
  const { Chalk } = await import('chalk');
  return new Chalk({ level: ctx.output.color ? 1 : 0 });
}

/** stderr is a terminal and CI is not set: only then may a command show a spinner. */
export function interactive(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(process.stderr.isTTY) && !isCI(env);
}

/** Whether a command may prompt for confirmation (otherwise it needs --yes): a terminal on stdin too. */
export function canPrompt(env: NodeJS.ProcessEnv = process.env): boolean {
  return interactive(env) && Boolean(process.stdin.isTTY);
}

/** A spinner on stderr only when interactive and not --json; a no-op otherwise. */
export async function spinnerFor(ctx: RunContext, wanted = true): Promise<{ update(text: string): void; stop(): void }> {
  if (!wanted || ctx.output.json || !interactive()) return { update: () => undefined, stop: () => undefined };
  const { default: ora } = await import('ora');
  const s = ora({ stream: process.stderr }).start();
  return { update: (t) => (s.text = t), stop: () => s.stop() };
}

export function writeJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Write and wait until stdout has taken it (before a forced exit). */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
