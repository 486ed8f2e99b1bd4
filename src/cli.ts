import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { RunError, UsageError } from './types.js';

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
}

export const VERSION = version();

/** Commands register themselves lazily so `--version` and `--help` load nothing heavy. */
type Registrar = (program: Command) => void;

async function registrars(): Promise<Registrar[]> {
  const mods = await Promise.all([
    import('./commands/diagnose.js'),
    import('./commands/routes.js'),
    import('./commands/sample-db.js'),
    import('./commands/fix-groups.js'),
    import('./commands/fix-abilities.js'),
    import('./commands/logs.js'),
    import('./commands/probe-upstream.js'),
    import('./commands/demo.js'),
  ]);
  return mods.map((m) => m.register);
}

export async function main(argv: string[]): Promise<void> {
  // `relay-doctor … | head` closes the pipe early: stop quietly, not with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
  const program = new Command('relay-doctor')
    .description("Diagnose a new-api / one-api / Bltcy relay's 500 and 503 answers from its own flowchart")
    .version(VERSION, '-V, --version')
    .option('--config <file>', 'relay-doctor config file (default: ./relay-doctor.config.json when present)')
    .showHelpAfterError('(run relay-doctor --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const fast = argv.slice(2);
  if (fast.length === 1 && (fast[0] === '--version' || fast[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  for (const reg of await registrars()) reg(program);
  // The global --config reaches every command as its own option (commands build their context from it).
  program.hook('preAction', (_root, action) => {
    const file = program.opts().config as string | undefined;
    if (file !== undefined && action !== program && action.getOptionValue('config') === undefined) action.setOptionValue('config', file);
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2; // commander already printed the one-line message
  }
  if (err instanceof UsageError) {
    process.stderr.write(`relay-doctor: ${err.message}\n`);
    return 2;
  }
  if (err instanceof RunError) {
    process.stderr.write(`relay-doctor: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`relay-doctor: ${(err as Error)?.message ?? String(err)}\n`);
  if (process.env.RELAY_DOCTOR_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  return 3;
}
