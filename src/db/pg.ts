import pg from 'pg';
import { dialectFor, toPgPlaceholders } from './dialect.js';
import type { Db, DbTarget, OpenOptions, Queryable, Row } from './types.js';

// BIGINT (int8) and NUMERIC come back as strings by default; the relay's values fit in a double.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format);
  },
};

export async function openPostgres(target: Extract<DbTarget, { engine: 'postgres' }>, opts: OpenOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: opts.poolSize,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    idleTimeoutMillis: 5_000,
    application_name: 'relay-doctor',
    types: types as pg.CustomTypesConfig,
    ...(opts.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  pool.on('error', () => {
    /* an idle client died; the next query reports it */
  });
  // Fail fast on bad credentials or an unreachable server.
  const client = await pool.connect();
  client.release();

  const dialect = dialectFor('postgres');
  const run = async <T extends Row>(q: { query: pg.Pool['query'] }, sql: string, params: unknown[] = []) =>
    (await q.query(toPgPlaceholders(sql), params as unknown[])).rows as T[];

  return {
    engine: 'postgres',
    dialect,
    target,
    readOnly: opts.readOnly,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const tx: Queryable = { engine: 'postgres', dialect, query: (sql, params) => run(c as never, sql, params) };
        const out = await fn(tx);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}
