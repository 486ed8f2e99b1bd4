import type { RunContext } from '../context/types.js';

/** A chalk instance honouring --no-color, NO_COLOR, CI and non-TTY stdout. */
export async function chalkFor(ctx: RunContext) {
  const { Chalk } = await import('chalk');
  return new Chalk({ level: ctx.output.color ? 1 : 0 });
}

/** A spinner on stderr only when interactive and not --json; a no-op otherwise. */
export async function spinnerFor(ctx: RunContext): Promise<{ update(text: string): void; stop(): void }> {
  const interactive = Boolean(process.stderr.isTTY) && !ctx.output.json && !process.env.CI;
  if (!interactive) return { update: () => undefined, stop: () => undefined };
  const { default: ora } = await import('ora');
  const s = ora({ stream: process.stderr }).start();
  return { update: (t) => (s.text = t), stop: () => s.stop() };
}

export function writeJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}
