import mysql from 'mysql2/promise';
import { dialectFor } from './dialect.js';
import type { Db, DbTarget, OpenOptions, Queryable, Row } from './types.js';

export async function openMysql(target: Extract<DbTarget, { engine: 'mysql' }>, opts: OpenOptions): Promise<Db> {
  const pool = mysql.createPool({
    host: target.socketPath ? undefined : target.host,
    port: target.socketPath ? undefined : target.port,
    socketPath: target.socketPath,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: opts.poolSize,
    connectTimeout: opts.connectTimeoutMs,
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: true,
    charset: 'utf8mb4',
  });
  pool.on('connection', (conn) => {
    // Session-level guards; every statement on this connection runs under them.
    // The event hands over the callback-style core connection.
    const core = conn as unknown as { query(sql: string, cb: (err: unknown) => void): void };
    if (opts.readOnly) core.query('SET SESSION TRANSACTION READ ONLY', () => undefined);
    core.query(`SET SESSION max_statement_time = ${Math.ceil(opts.statementTimeoutMs / 1000)}`, (err) => {
      // MySQL (not MariaDB) names it max_execution_time, in milliseconds.
      if (err) core.query(`SET SESSION max_execution_time = ${opts.statementTimeoutMs}`, () => undefined);
    });
  });
  const c = await pool.getConnection();
  c.release();

  const dialect = dialectFor('mysql');
  const run = async <T extends Row>(q: mysql.Pool | mysql.PoolConnection, sql: string, params: unknown[] = []) => {
    const [rows] = await q.query(sql, params);
    return (Array.isArray(rows) ? rows : []) as T[];
  };
  return {
    engine: 'mysql',
    dialect,
    target,
    readOnly: opts.readOnly,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        const tx: Queryable = { engine: 'mysql', dialect, query: (sql, params) => run(conn, sql, params) };
        const out = await fn(tx);
        await conn.commit();
        return out;
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
    close: () => pool.end(),
  };
}
