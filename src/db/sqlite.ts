import fs from 'node:fs';
import Database from 'better-sqlite3';
import { dialectFor } from './dialect.js';
import type { Db, DbTarget, OpenOptions, Queryable, Row } from './types.js';

export async function openSqlite(target: Extract<DbTarget, { engine: 'sqlite' }>, opts: OpenOptions): Promise<Db> {
  if (!fs.existsSync(target.file)) {
    throw new Error(`SQLite file not found: ${target.file}`);
  }
  const db = new Database(target.file, { readonly: opts.readOnly, fileMustExist: true, timeout: opts.statementTimeoutMs });
  const dialect = dialectFor('sqlite');
  const norm = (p: unknown) => (typeof p === 'boolean' ? (p ? 1 : 0) : p);
  const run = <T extends Row>(sql: string, params: unknown[] = []): T[] => {
    const stmt = db.prepare(sql);
    const args = params.map(norm);
    if (stmt.reader) return stmt.all(...args) as T[];
    stmt.run(...args);
    return [];
  };
  // Probe that it is a database at all (a text file opens fine until the first read).
  run('SELECT count(*) AS n FROM sqlite_master');
  return {
    engine: 'sqlite',
    dialect,
    target,
    readOnly: opts.readOnly,
    query: async (sql, params) => run(sql, params),
    async transaction(fn) {
      run('BEGIN IMMEDIATE');
      try {
        const tx: Queryable = { engine: 'sqlite', dialect, query: async (sql, params) => run(sql, params) };
        const out = await fn(tx);
        run('COMMIT');
        return out;
      } catch (err) {
        if (db.inTransaction) run('ROLLBACK');
        throw err;
      }
    },
    close: async () => {
      db.close();
    },
  };
}
