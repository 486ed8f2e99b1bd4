// Connections for the bench: the admin database (create/drop the bench databases) and a
// writable Queryable on a bench database for dist/'s createRelaySchema.

import pg from 'pg';
import { dialectFor, toPgPlaceholders } from '../../dist/db/dialect.js';

export const ADMIN_URL = process.env.RELAY_DOCTOR_BENCH_PG || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the same server as `adminUrl`. */
export function dbUrl(name, adminUrl = ADMIN_URL) {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Printable: no password. */
export function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function client(url) {
  const c = new pg.Client({ connectionString: url, application_name: 'relay-doctor-bench' });
  await c.connect();
  return c;
}

/** A writable Queryable (the shape dist/sample expects) over one pg client. */
export function queryable(c) {
  return {
    engine: 'postgres',
    dialect: dialectFor('postgres'),
    query: async (sql, params = []) => (await c.query(toPgPlaceholders(sql), params)).rows,
  };
}

/** Bench database names are fixed and prefixed; refuse anything else before a DROP. */
export function assertBenchName(name) {
  if (!/^rd_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to touch database "${name}": not a bench database`);
}
