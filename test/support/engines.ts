// Fresh, isolated databases for tests, on every engine global-setup found.
//
// PostgreSQL server / MariaDB: a new database rd_t_<runId>_<random> (MariaDB: utf8mb4).
// Embedded PostgreSQL: a new PGlite instance per database, served on its own loopback port from
//   this test process. Two consequences: a child process (the built CLI) can connect only while
//   this process's event loop runs, so spawn it asynchronously (execFile, not execFileSync); and
//   PGlite runs one session, so a transaction open on one connection blocks every other one.
// SQLite: a new file in a temporary folder (always available).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, inject, it } from 'vitest';
import { parseUserDsn } from '../../src/context/dsn.js';
import { openDb } from '../../src/db/open.js';
import type { Db, DbTarget, Engine } from '../../src/db/types.js';
import { SERVICES_ENV, type ServiceInfo, type ServicesInfo } from './services.js';

export const ENGINES: readonly Engine[] = ['postgres', 'mysql', 'sqlite'];

let found: ServicesInfo | undefined;

/** What global-setup found (everything but SQLite skipped when it did not run). */
export function services(): ServicesInfo {
  if (found) return found;
  let info: ServicesInfo | undefined;
  try {
    info = inject('relayDoctorServices');
  } catch {
    /* not inside a vitest worker */
  }
  if (!info && process.env[SERVICES_ENV]) {
    try {
      info = JSON.parse(process.env[SERVICES_ENV]!) as ServicesInfo;
    } catch {
      /* malformed: treat as absent */
    }
  }
  const none: ServiceInfo = { mode: 'skipped', reason: 'test/support/global-setup.ts did not run' };
  found = info ?? { runId: randomBytes(3).toString('hex'), postgres: none, mysql: none, redis: none };
  return found;
}

export interface EngineInfo {
  available: boolean;
  /** server, embedded(pglite), file (SQLite) or skipped. */
  mode: 'server' | 'embedded' | 'file' | 'skipped';
  reason?: string;
}

export function engineInfo(engine: Engine): EngineInfo {
  if (engine === 'sqlite') return { available: true, mode: 'file' };
  const s = services()[engine];
  return { available: s.mode !== 'skipped', mode: s.mode, reason: s.reason };
}

/** The engines tests can use in this run. */
export function enginesAvailable(): Engine[] {
  return ENGINES.filter((e) => engineInfo(e).available);
}

export interface FreshDatabase {
  target: DbTarget;
  /** Usable as relay-doctor's --dsn (no password on this machine's services). */
  dsn: string;
  /** A writable connection. */
  db: Db;
  /** Close the connection and delete the database. Safe to call twice. */
  drop(): Promise<void>;
}

const newName = () => `rd_t_${services().runId}_${randomBytes(5).toString('hex')}`;

async function openWritable(dsn: string): Promise<{ target: DbTarget; db: Db }> {
  const target = parseUserDsn(dsn, {}, process.cwd());
  const db = await openDb(target, { readOnly: false, statementTimeoutMs: 60_000, connectTimeoutMs: 10_000 });
  return { target, db };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

async function freshSqlite(): Promise<FreshDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd_t_'));
  const file = path.join(dir, 'relay.db');
  fs.writeFileSync(file, ''); // an empty file is an empty SQLite database
  const dsn = `sqlite://${file}`;
  const { target, db } = await openWritable(dsn);
  const drop = once(async () => {
    await db.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { target, dsn, db, drop };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freshPostgresServer(base: string): Promise<FreshDatabase> {
  const { default: pg } = await import('pg');
  const name = newName();
  const admin = async (fn: (c: InstanceType<typeof pg.Client>) => Promise<void>) => {
    const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
    c.on('error', () => undefined);
    await c.connect();
    try {
      await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  await admin(async (c) => void (await c.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`)));
  const dsn = withDatabase(base, name);
  const { target, db } = await openWritable(dsn);
  const drop = once(async () => {
    await db.close().catch(() => undefined);
    await admin(async (c) => {
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await c.query(`DROP DATABASE IF EXISTS "${name}"`);
    });
  });
  return { target, dsn, db, drop };
}

async function freshPostgresEmbedded(): Promise<FreshDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const lite = await PGlite.create();
  const server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: 0, maxConnections: 32 });
  await server.start();
  const port = server.getServerConn().split(':').pop();
  const dsn = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const { target, db } = await openWritable(dsn);
  const drop = once(async () => {
    await db.close().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await lite.close().catch(() => undefined);
  });
  return { target, dsn, db, drop };
}

async function freshMysql(base: string): Promise<FreshDatabase> {
  const { default: mysql } = await import('mysql2/promise');
  const name = newName();
  const admin = async (sql: string) => {
    const conn = await mysql.createConnection({ uri: base, connectTimeout: 10_000 });
    try {
      await conn.query(sql);
    } finally {
      await conn.end().catch(() => undefined);
    }
  };
  // new-api refuses to start on a schema that is not utf8mb4/utf8/… (RB §2.11).
  await admin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const dsn = withDatabase(base, name);
  const { target, db } = await openWritable(dsn);
  const drop = once(async () => {
    await db.close().catch(() => undefined);
    await admin(`DROP DATABASE IF EXISTS \`${name}\``);
  });
  return { target, dsn, db, drop };
}

/** A new empty database on `engine`. Call drop() when done (afterAll / afterEach). */
export async function freshDatabase(engine: Engine): Promise<FreshDatabase> {
  if (engine === 'sqlite') return freshSqlite();
  const info = services()[engine];
  if (info.mode === 'skipped') throw new Error(`${engine} is not available in this run: ${info.reason}`);
  if (engine === 'mysql') return freshMysql(info.url!);
  return info.mode === 'embedded' ? freshPostgresEmbedded() : freshPostgresServer(info.url!);
}

/**
 * One describe block per engine. For an engine this run lacks, a skipped test says why, so the
 * gap shows in the report instead of vanishing.
 */
export function describeEngines(name: string, fn: (engine: Engine) => void): void {
  for (const engine of ENGINES) {
    const info = engineInfo(engine);
    const title = `${name} [${engine}${info.mode === 'embedded' ? ': embedded pglite' : ''}]`;
    if (info.available) describe(title, () => fn(engine));
    else describe(title, () => it.skip(`skipped: ${engine} ${info.reason ?? 'not available'}`, () => undefined));
  }
}
