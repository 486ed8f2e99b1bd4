// Finds the database and Redis services the tests use, once per run.
//
// PostgreSQL: RELAY_DOCTOR_TEST_PG (default postgres://postgres@127.0.0.1:5432/postgres).
//   Not reachable → embedded PGlite, served over TCP by @electric-sql/pglite-socket so the real
//   `pg` driver (and the built CLI) connects to it like to a server. What PGlite can and cannot
//   do, checked below: the extended protocol with parameters and information_schema work;
//   CREATE DATABASE succeeds but a connection always lands in the one database, and startup
//   options (search_path) are ignored while SET is shared by every connection of the instance.
//   So per-test isolation is one PGlite instance per fresh database, started by engines.ts in
//   the test's own process. RELAY_DOCTOR_TEST_PG=embedded forces this mode.
// MariaDB/MySQL: RELAY_DOCTOR_TEST_MYSQL (default mysql://root@127.0.0.1:3306/mysql).
// Redis: RELAY_DOCTOR_TEST_REDIS (default redis://127.0.0.1:6379).
// RELAY_DOCTOR_REQUIRE_SERVICES=1 (CI): any of the three missing fails the run; no embedded engine.

import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { redactUrl } from '../../src/context/dsn.js';
import { SERVICES_ENV, type ServiceInfo, type ServicesInfo } from './services.js';

const PG_URL = process.env.RELAY_DOCTOR_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_URL = process.env.RELAY_DOCTOR_TEST_MYSQL || 'mysql://root@127.0.0.1:3306/mysql';
const REDIS_URL = process.env.RELAY_DOCTOR_TEST_REDIS || 'redis://127.0.0.1:6379';
const REQUIRED = process.env.RELAY_DOCTOR_REQUIRE_SERVICES === '1';
const TIMEOUT_MS = 3000;

const oneLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200);

async function probePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeMysql(url: string): Promise<void> {
  const { default: mysql } = await import('mysql2/promise');
  const conn = await mysql.createConnection({ uri: url, connectTimeout: TIMEOUT_MS });
  try {
    await conn.query('SELECT 1');
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } finally {
    r.disconnect();
  }
}

/** Start PGlite behind a socket and check that the pg driver works with it the way the tests need. */
async function checkEmbeddedPostgres(): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const { default: pg } = await import('pg');
  const lite = await PGlite.create();
  const server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const port = server.getServerConn().split(':').pop();
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 2 });
  try {
    const [r] = (await pool.query('SELECT $1::int + 1 AS n', [41])).rows;
    if (r?.n !== 42) throw new Error('extended-protocol query gave a wrong answer');
    await pool.query('CREATE TABLE rd_probe ("group" varchar(64) DEFAULT \'default\', PRIMARY KEY ("group"))');
    const cols = (
      await pool.query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'rd_probe'")
    ).rows;
    if (cols.length !== 1) throw new Error('information_schema does not list a new table');
  } finally {
    await pool.end().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await lite.close().catch(() => undefined);
  }
}

async function findPostgres(): Promise<ServiceInfo> {
  const redacted = redactUrl(PG_URL);
  if (PG_URL !== 'embedded') {
    try {
      await probePostgres(PG_URL);
      return { mode: 'server', url: PG_URL, redacted };
    } catch (err) {
      if (REQUIRED) throw new Error(`PostgreSQL is not reachable at ${redacted}: ${oneLine(err)}`);
      const why = `not reachable at ${redacted}`;
      try {
        await checkEmbeddedPostgres();
        return { mode: 'embedded', reason: `${why}; using embedded PGlite` };
      } catch (e) {
        return { mode: 'skipped', reason: `${why}, and embedded PGlite failed: ${oneLine(e)}` };
      }
    }
  }
  if (REQUIRED) throw new Error('RELAY_DOCTOR_TEST_PG=embedded is not allowed with RELAY_DOCTOR_REQUIRE_SERVICES=1');
  try {
    await checkEmbeddedPostgres();
    return { mode: 'embedded', reason: 'RELAY_DOCTOR_TEST_PG=embedded' };
  } catch (e) {
    return { mode: 'skipped', reason: `embedded PGlite failed: ${oneLine(e)}` };
  }
}

async function findService(name: string, url: string, probe: (u: string) => Promise<void>): Promise<ServiceInfo> {
  const redacted = redactUrl(url);
  try {
    await probe(url);
    return { mode: 'server', url, redacted };
  } catch (err) {
    if (REQUIRED) throw new Error(`${name} is not reachable at ${redacted}: ${oneLine(err)}`);
    return { mode: 'skipped', reason: `not reachable at ${redacted}` };
  }
}

function describe(info: ServiceInfo): string {
  if (info.mode === 'server') return 'server';
  if (info.mode === 'embedded') return 'embedded(pglite)';
  return `SKIPPED (${info.reason})`;
}

/** Drop databases this run created and left behind (a crashed test); other runs' are untouched. */
async function dropLeftovers(info: ServicesInfo): Promise<void> {
  const prefix = `rd_t_${info.runId}_`;
  if (info.postgres.mode === 'server') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: info.postgres.url, connectionTimeoutMillis: TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const rows = (await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`])).rows;
      for (const { datname } of rows) {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [datname]);
        await client.query(`DROP DATABASE IF EXISTS "${datname}"`);
      }
    } catch {
      /* best effort */
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (info.mysql.mode === 'server') {
    const { default: mysql } = await import('mysql2/promise');
    try {
      const conn = await mysql.createConnection({ uri: info.mysql.url, connectTimeout: TIMEOUT_MS });
      try {
        const [rows] = await conn.query('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?', [`${prefix}%`]);
        for (const { name } of rows as { name: string }[]) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end().catch(() => undefined);
      }
    } catch {
      /* best effort */
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const found = await Promise.allSettled([
    findPostgres(),
    findService('MariaDB/MySQL', MYSQL_URL, probeMysql),
    findService('Redis', REDIS_URL, probeRedis),
  ]);
  const missing = found.flatMap((r) => (r.status === 'rejected' ? [oneLine(r.reason)] : []));
  if (missing.length) {
    const msg = `relay-doctor tests: RELAY_DOCTOR_REQUIRE_SERVICES=1 but ${missing.join('; ')}`;
    process.stderr.write(`${msg}\n`);
    throw new Error(msg);
  }
  const [postgres, mysql, redis] = found.map((r) => (r as PromiseFulfilledResult<ServiceInfo>).value) as [ServiceInfo, ServiceInfo, ServiceInfo];
  const info: ServicesInfo = { runId: randomBytes(3).toString('hex'), postgres, mysql, redis };
  process.stderr.write(`relay-doctor tests: postgres=${describe(postgres)} mysql=${describe(mysql)} redis=${describe(redis)}\n`);
  project.provide('relayDoctorServices', info);
  process.env[SERVICES_ENV] = JSON.stringify(info);
  return () => dropLeftovers(info);
}
