import fs from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../context/types.js';
import { openDb } from '../db/open.js';
import type { Db, Engine, Queryable } from '../db/types.js';
import { describeDbError } from '../diagnose/snapshot.js';
import { RunError } from '../types.js';

// Opening the relay's database for a fix: read-only for a dry run, writable only for apply/undo,
// and a write probe before anything starts so a read-only user gets one clear line (exit 3).

export class FixStop extends RunError {
  constructor(
    message: string,
    readonly code: 'DB_UNREACHABLE' | 'DB_READ_ONLY' | 'SCHEMA_UNRECOGNIZED' | 'BACKUP_UNWRITABLE',
  ) {
    super(message, 3);
  }
}

export async function openFixDb(ctx: RunContext, writable: boolean): Promise<Db> {
  const target = ctx.db.target;
  if (writable && target.engine === 'sqlite' && fs.existsSync(target.file)) {
    // better-sqlite3 silently opens an unwritable file read-only; say it before anything starts.
    const dir = path.dirname(target.file);
    for (const [p, what] of [
      [target.file, 'file'],
      [dir, 'folder (SQLite writes its journal next to the file)'],
    ] as const) {
      try {
        fs.accessSync(p, fs.constants.W_OK);
      } catch {
        throw new FixStop(`cannot write the SQLite ${what} ${p}: the fix needs write access (the dry run works read-only)`, 'DB_READ_ONLY');
      }
    }
  }
  try {
    const db = await openDb(target, { readOnly: !writable });
    try {
      await db.query('SELECT 1 AS one');
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return db;
  } catch (err) {
    if (err instanceof FixStop) throw err;
    throw new FixStop(`cannot open the relay's database ${target.redacted} (chosen by ${ctx.db.chosenBy}): ${describeDbError(err)}`, 'DB_UNREACHABLE');
  }
}

/** FOR UPDATE / FOR SHARE per engine; SQLite's BEGIN IMMEDIATE already holds the write lock. */
export function lockClause(engine: Engine, kind: 'update' | 'share'): string {
  if (engine === 'sqlite') return '';
  if (kind === 'update') return ' FOR UPDATE';
  return engine === 'postgres' ? ' FOR SHARE' : ' LOCK IN SHARE MODE';
}

export type WriteKind = 'update' | 'insert' | 'delete';

const ROLLBACK = Symbol('probe rollback');

/**
 * Prove the user may write the tables the fix touches, without changing a row: statements that
 * match nothing still pass the privilege and read-only checks, inside a transaction rolled back.
 */
export async function assertWritable(db: Db, needs: { table: string; kinds: WriteKind[]; column: string }[]): Promise<void> {
  if (db.engine === 'postgres') {
    const [r] = await db.query<{ rec: boolean }>('SELECT pg_is_in_recovery() AS rec');
    if (r?.rec) throw new FixStop(`${db.target.redacted} is a read-only standby (hot standby): run the fix against the primary`, 'DB_READ_ONLY');
  }
  const q = db.dialect.q;
  try {
    await db.transaction(async (tx: Queryable) => {
      for (const { table, kinds, column } of needs) {
        const t = q(table);
        const c = q(column);
        for (const kind of kinds) {
          const sql =
            kind === 'update'
              ? `UPDATE ${t} SET ${c} = ${c} WHERE 1 = 0`
              : kind === 'delete'
                ? `DELETE FROM ${t} WHERE 1 = 0`
                : `INSERT INTO ${t} SELECT * FROM ${t} WHERE 1 = 0`; // every column: MySQL's strict mode checks defaults even for no row
          try {
            await tx.query(sql);
          } catch (err) {
            throw new FixStop(`the database user cannot ${kind.toUpperCase()} ${table} on ${db.target.redacted}: ${describeDbError(err)} (the dry run works read-only)`, 'DB_READ_ONLY');
          }
        }
      }
      throw ROLLBACK;
    });
  } catch (err) {
    if (err === ROLLBACK) return;
    if (err instanceof FixStop) throw err;
    throw new FixStop(`cannot start a write transaction on ${db.target.redacted}: ${describeDbError(err)}`, 'DB_READ_ONLY');
  }
}

export interface DbIdentity {
  engine: Engine;
  dsn: string;
  database: string;
  user?: string;
}

export async function dbIdentity(db: Db): Promise<DbIdentity> {
  const t = db.target;
  if (t.engine === 'sqlite') return { engine: 'sqlite', dsn: t.redacted, database: t.file };
  const sql = t.engine === 'postgres' ? 'SELECT current_database() AS d, current_user AS u' : 'SELECT DATABASE() AS d, CURRENT_USER() AS u';
  const [r] = await db.query<{ d: string; u: string }>(sql);
  return { engine: t.engine, dsn: t.redacted, database: String(r?.d ?? ''), user: r?.u !== undefined ? String(r.u) : undefined };
}

/** Split a list into chunks (IN lists stay well below every engine's parameter limit). */
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Test hook: widens the window in which the SIGKILL test can interrupt an open transaction. */
export async function stepPause(): Promise<void> {
  const ms = Number(process.env.RELAY_DOCTOR_APPLY_STEP_DELAY_MS ?? 0);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}
