import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../types.js';

export const DEFAULT_SAMPLE_FILE = 'relay-sample.db';

export interface SampleDbOptions {
  out?: string;
  force?: boolean;
}

/** Quote a path for a POSIX shell only when it needs it. */
function shellArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Write the seed incident's BF database to a new SQLite file. Returns the one line to show.
 * The file appears only when complete: it is built under a temporary name, then renamed.
 */
export async function writeSampleDb(opts: SampleDbOptions, cwd = process.cwd()): Promise<{ file: string; line: string }> {
  const given = opts.out ?? DEFAULT_SAMPLE_FILE;
  if (!given.trim()) throw new UsageError('--out is empty');
  const file = path.resolve(cwd, given);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`cannot write ${given}: folder ${dir} does not exist`);
  if (fs.existsSync(file)) {
    if (!opts.force) throw new UsageError(`${given} already exists; pass --force to replace it`);
    if (fs.statSync(file).isDirectory()) throw new UsageError(`${given} is a folder`);
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const [{ openDb }, { sampleRelay }] = await Promise.all([import('../db/open.js'), import('../sample/seed-incident.js')]);
  try {
    fs.writeFileSync(tmp, ''); // an empty file is an empty SQLite database
    const db = await openDb({ engine: 'sqlite', file: tmp, redacted: `sqlite:${tmp}`, source: 'sample-db' }, { readOnly: false });
    try {
      await db.transaction((tx) => sampleRelay(tx));
    } finally {
      await db.close();
    }
    for (const side of ['-wal', '-shm', '-journal']) fs.rmSync(tmp + side, { force: true });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new UsageError(`cannot write ${given}: permission denied`);
    throw err;
  }
  const shown = path.isAbsolute(given) ? file : path.relative(cwd, file) || given;
  const line =
    `Sample BF relay database (the runwayml 500 incident) written to ${shown}; diagnose it with: ` +
    `relay-doctor diagnose --dsn ${shellArg(`sqlite://${shown}`)} --path /runwayml/v1/image_to_video --group default`;
  return { file, line };
}

export function register(program: Command): void {
  program
    .command('sample-db')
    .description("write a SQLite copy of the seed incident's relay database to try relay-doctor on")
    .option('--out <file.db>', 'where to write it', DEFAULT_SAMPLE_FILE)
    .option('--force', 'replace the file if it exists')
    .action(async (opts: SampleDbOptions) => {
      const { line } = await writeSampleDb(opts);
      process.stdout.write(`${line}\n`);
    });
}
