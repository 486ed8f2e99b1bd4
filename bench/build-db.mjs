#!/usr/bin/env node
// Build (or reuse) the bench relay databases: BF schema from dist/sample/ddl.js, bulk-loaded.
//   node bench/build-db.mjs            build what is missing or of the wrong size
//   node bench/build-db.mjs --force    drop and rebuild both
//   node bench/build-db.mjs --drop     drop both (the cache) and exit
// Server: RELAY_DOCTOR_BENCH_PG (default postgres://postgres@127.0.0.1:5432/postgres).

import { pathToFileURL } from 'node:url';
import { createRelaySchema } from '../dist/sample/ddl.js';
import { expectedAbilities, makeChannels } from './lib/catalog.mjs';
import { dropSecondaryIndexes, fixSequences, loadAbilities, loadChannels, loadLogs, loadOptions, loadTokens, loadUsers } from './lib/load.mjs';
import { ADMIN_URL, assertBenchName, client, dbUrl, queryable, redact } from './lib/pg.mjs';

/** Bump when the generated data changes: cached databases with another version are rebuilt. */
export const GENERATOR_VERSION = 1;

export const BENCH_DBS = {
  '1m': { name: 'rd_bench_1m', tokens: 1_000_000, users: 10_000, channels: 5_000, logs: 2_000_000 },
  // Same channels and abilities; users and logs scaled with the tokens.
  '1k': { name: 'rd_bench_1k', tokens: 1_000, users: 100, channels: 5_000, logs: 2_000 },
};

const BIG = ['users', 'tokens', 'logs', 'abilities'];

function marker(spec) {
  return `relay-doctor bench v${GENERATOR_VERSION}: ${JSON.stringify({ tokens: spec.tokens, users: spec.users, channels: spec.channels, logs: spec.logs })}`;
}

async function exists(admin, name) {
  const { rows } = await admin.query('SELECT shobj_description(oid, $2) AS note FROM pg_database WHERE datname = $1', [name, 'pg_database']);
  return rows.length ? { note: rows[0].note ?? '' } : undefined;
}

/** Reusable: built by this generator version for this spec, and the row counts agree. */
async function reusable(spec, note, adminUrl) {
  if (note !== marker(spec)) return false;
  const c = await client(dbUrl(spec.name, adminUrl));
  try {
    const { rows } = await c.query(
      `SELECT (SELECT count(*) FROM tokens)::int AS tokens, (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM channels)::int AS channels, (SELECT count(*) FROM logs)::int AS logs,
              (SELECT count(*) FROM abilities)::int AS abilities`,
    );
    const r = rows[0];
    return r.tokens === spec.tokens && r.users === spec.users && r.channels === spec.channels && r.logs === spec.logs &&
      r.abilities === expectedAbilities(makeChannels(spec.channels));
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

export async function dropBenchDb(name, adminUrl = ADMIN_URL) {
  assertBenchName(name);
  const admin = await client(adminUrl);
  try {
    // FORCE ends sessions on this database only (ours); no other database is touched.
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function build(spec, adminUrl, log) {
  const t0 = performance.now();
  const step = (what) => log(`  ${spec.name}: ${what} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  await dropBenchDb(spec.name, adminUrl);
  const admin = await client(adminUrl);
  try {
    await admin.query(`CREATE DATABASE "${spec.name}"`);
  } finally {
    await admin.end();
  }
  const c = await client(dbUrl(spec.name, adminUrl));
  const now = Math.floor(Date.now() / 1000);
  try {
    await c.query(`SET synchronous_commit = off; SET maintenance_work_mem = '512MB'`);
    await createRelaySchema(queryable(c), 'bf');
    const indexes = await dropSecondaryIndexes(c, BIG);
    await c.query('BEGIN');
    await loadChannels(c, spec.channels);
    await loadAbilities(c);
    await loadOptions(c, now);
    await loadUsers(c, spec.users, now);
    step('channels, abilities, options, users');
    await loadTokens(c, spec.tokens, spec.users, now);
    step(`${spec.tokens} tokens`);
    await c.query('COMMIT');
    await c.query('ANALYZE tokens; ANALYZE abilities; ANALYZE channels');
    await loadLogs(c, spec.logs, spec.tokens, now);
    step(`${spec.logs} logs`);
    for (const def of indexes) await c.query(def);
    step(`${indexes.length} secondary indexes rebuilt`);
    await fixSequences(c, ['channels', 'tokens', 'users', 'logs', 'setups']);
    // A live relay's tables are vacuumed and analysed by autovacuum; plans must see the same.
    await c.query('VACUUM (ANALYZE)');
    step('vacuum analyze');
    await c.query(`COMMENT ON DATABASE "${spec.name}" IS '${marker(spec).replace(/'/g, "''")}'`);
  } finally {
    await c.end();
  }
  return Math.round(performance.now() - t0);
}

/** Ensure one bench database; returns its URL and the build time (0 when reused). */
export async function ensureBenchDb(spec, { adminUrl = ADMIN_URL, force = false, log = console.error } = {}) {
  assertBenchName(spec.name);
  const admin = await client(adminUrl);
  let found;
  try {
    found = await exists(admin, spec.name);
  } finally {
    await admin.end();
  }
  if (!force && found && (await reusable(spec, found.note, adminUrl))) {
    log(`  ${spec.name}: reused (cached)`);
    return { url: dbUrl(spec.name, adminUrl), buildMs: 0 };
  }
  log(`  ${spec.name}: building (${spec.tokens} tokens, ${spec.users} users, ${spec.channels} channels, ${spec.logs} logs) on ${redact(adminUrl)}`);
  const buildMs = await build(spec, adminUrl, log);
  return { url: dbUrl(spec.name, adminUrl), buildMs };
}

async function main(argv) {
  const force = argv.includes('--force');
  if (argv.includes('--drop')) {
    for (const spec of Object.values(BENCH_DBS)) {
      await dropBenchDb(spec.name);
      console.error(`dropped ${spec.name}`);
    }
    return;
  }
  for (const spec of Object.values(BENCH_DBS)) {
    const r = await ensureBenchDb(spec, { force });
    if (r.buildMs) console.error(`  ${spec.name}: built in ${(r.buildMs / 1000).toFixed(1)} s`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`bench: ${err.message}`);
    process.exit(1);
  });
}
