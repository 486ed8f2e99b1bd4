import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../types.js';
import type { DbIdentity } from './db.js';
import { FixStop } from './db.js';
import type { FixCommand, FixMode, PlanRow, Skipped } from './types.js';

// Backup files: written and fsynced before the commit, so a fix can always be undone from disk.

export const DEFAULT_BACKUP_DIR = 'relay-doctor-backups';
export const BACKUP_KIND = 'relay-doctor-backup';

export interface Backup<R = unknown> {
  kind: typeof BACKUP_KIND;
  version: 1;
  command: FixCommand;
  mode: Exclude<FixMode, 'dry-run'>;
  createdAt: string;
  who: string;
  tool: string;
  database: DbIdentity;
  product?: { product: string; family: string; build: string };
  /** The backup this one undoes. */
  undoOf?: string;
  plan: PlanRow[];
  /** What the transaction changed: enough to restore every row byte for byte. */
  rows: R[];
  skipped: Skipped[];
  note: string;
}

export function whoAmI(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** Make sure backups can be written before any transaction starts. */
export function prepareBackupDir(dir: string): string {
  const abs = path.resolve(dir);
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (err) {
    throw new FixStop(`cannot write backups to ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (use --backup-dir)`, 'BACKUP_UNWRITABLE');
  }
  return abs;
}

export function backupFileName(dir: string, command: FixCommand, mode: 'apply' | 'undo', at: Date): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, '').replace(/:/g, '-');
  const base = `${stamp}-${command}${mode === 'undo' ? '-undo' : ''}`;
  let file = path.join(dir, `${base}.json`);
  for (let i = 2; fs.existsSync(file); i++) file = path.join(dir, `${base}-${i}.json`);
  return file;
}

/** Write via a temporary file, fsync it, rename, fsync the folder: the file is whole or absent. */
export function writeBackupSync(file: string, data: Backup): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(data, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    /* some filesystems refuse fsync on a folder; the file itself is synced */
  }
}

export function readBackup<R>(file: string, command: FixCommand): Backup<R> {
  let data: Backup<R>;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8')) as Backup<R>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read backup ${file}: ${code ?? 'not valid JSON'}`);
  }
  if (data?.kind !== BACKUP_KIND || !Array.isArray(data.rows)) throw new UsageError(`${file} is not a relay-doctor backup`);
  if (data.command !== command) throw new UsageError(`${file} is a ${data.command} backup; undo it with relay-doctor ${data.command} --undo`);
  return data;
}

/** The backup must come from the same database; a different one is refused rather than guessed. */
export function checkSameDatabase(backup: Backup, here: DbIdentity, file: string): string | undefined {
  const b = backup.database;
  if (b.engine !== here.engine || b.database !== here.database) {
    throw new UsageError(`${file} was taken on ${b.engine} database "${b.database}" (${b.dsn}), not on this one (${here.engine} "${here.database}")`);
  }
  if (b.dsn !== here.dsn) return `the backup was taken through ${b.dsn}; this run connects through ${here.dsn} (same engine and database name)`;
  return undefined;
}
