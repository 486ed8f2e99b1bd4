// Shared pieces of the fix tests: table dumps and checksums, the F15 state on top of the seed
// incident, and the relay's own abilities rebuild reproduced with the fixtures' AddAbilities.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Queryable, Row } from '../../src/db/types.js';
import { buildContext } from '../../src/context/build.js';
import type { RunContext } from '../../src/context/types.js';
import { insertToken, insertUser, writeAbilities } from '../../src/sample/rows.js';
import type { SeedResult } from '../../src/sample/seed-incident.js';

export const q = (db: Queryable, id: string) => db.dialect.q(id);

function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return { buf: v.toString('base64') };
  if (v instanceof Uint8Array) return { buf: Buffer.from(v).toString('base64') };
  if (v instanceof Date) return { date: v.toISOString() };
  if (typeof v === 'bigint') return String(v);
  return v;
}

/** Every row of a table, every column as the driver returns it, in a stable order. */
export async function dumpTable(db: Queryable, table: string): Promise<string[]> {
  const rows = await db.query<Row>(`SELECT * FROM ${q(db, table)}`);
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, plain(r[k])]))).sort();
}

export const FIX_TABLES = ['channels', 'abilities', 'tokens', 'users', 'options'];

/** Row counts and a checksum of every row of the tables a fix could touch. */
export async function tableCounters(db: Queryable, tables = FIX_TABLES): Promise<Record<string, { rows: number; sha: string }>> {
  const out: Record<string, { rows: number; sha: string }> = {};
  for (const t of tables) {
    const rows = await dumpTable(db, t);
    out[t] = { rows: rows.length, sha: createHash('sha256').update(rows.join('\n')).digest('hex') };
  }
  return out;
}

export interface F15 {
  /** Expected plan (tokens only, target default): token id → [before, reason keyword]. */
  tokens: Map<number, [string, string]>;
  /** Tokens a --users plan still changes (their own group is the problem). */
  tokensWithUsers: Set<number>;
  /** Owners a --users plan moves: user id → before. */
  users: Map<number, string>;
  studio: number;
  erin: number;
  erinEmpty: number;
  erinOwn: number;
  aliceVip: number;
  bobSvip: number;
  untouched: number[];
}

/**
 * The seed incident before the operator's repair (F15), plus the other ways a token's group can
 * fail: studio's 12 tokens back to '' with studio in 'vip' (no channel for the passthrough models),
 * a user in 'enterprise' (no channel, not in GroupRatio), a token in 'vip', one in 'svip' (not
 * usable by a 'default' user), and tokens that must be left alone (deleted, disabled, banned owner).
 */
export async function makeF15(db: Queryable, seed: SeedResult): Promise<F15> {
  const g = q(db, 'group');
  const studio = seed.userIds[1]!;
  const alice = seed.userIds[2]!;
  const bob = seed.userIds[3]!;
  const banned = seed.userIds[6]!;
  const ids = seed.repairedTokenIds;
  await db.query(`UPDATE tokens SET ${g} = '' WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
  await db.query(`UPDATE users SET ${g} = 'vip' WHERE id = ?`, [studio]);
  const erin = await insertUser(db, { username: 'erin', group: 'enterprise' });
  const erinEmpty = (await insertToken(db, { userId: erin, name: 'erin-1', group: '' })).id;
  const erinOwn = (await insertToken(db, { userId: erin, name: 'erin-2', group: 'enterprise' })).id;
  const aliceVip = (await insertToken(db, { userId: alice, name: 'alice-vip', group: 'vip' })).id;
  const bobSvip = (await insertToken(db, { userId: bob, name: 'bob-svip', group: 'svip' })).id;
  const untouched = [
    (await insertToken(db, { userId: studio, name: 'studio-deleted', group: '', deletedAt: true })).id,
    (await insertToken(db, { userId: studio, name: 'studio-disabled', group: '', status: 2 })).id,
    (await insertToken(db, { userId: banned, name: 'eve-1', group: '' })).id,
  ];
  const tokens = new Map<number, [string, string]>();
  for (const id of ids) tokens.set(id, ['', 'falls back to the owner\'s group "vip"']);
  tokens.set(erinEmpty, ['', 'falls back to the owner\'s group "enterprise"']);
  tokens.set(erinOwn, ['enterprise', 'GROUP_NOT_IN_RATIO']);
  tokens.set(aliceVip, ['vip', 'group "vip" has no channel']);
  tokens.set(bobSvip, ['svip', 'GROUP_NOT_USABLE']);
  return {
    tokens,
    tokensWithUsers: new Set([erinOwn, aliceVip, bobSvip]),
    users: new Map([
      [studio, 'vip'],
      [erin, 'enterprise'],
    ]),
    studio,
    erin,
    erinEmpty,
    erinOwn,
    aliceVip,
    bobSvip,
    untouched,
  };
}

/**
 * The relay's FixAbility reproduced independently: empty the table, then the fixtures' copy of
 * AddAbilities (models × groups, first of a duplicate kept by ON CONFLICT DO NOTHING / INSERT
 * IGNORE) for every channel. A NULL channel priority is written as the column default 0 (GORM).
 */
export async function relayRebuild(db: Queryable): Promise<void> {
  const g = q(db, 'group');
  const cols = new Set((await db.query(db.engine === 'sqlite' ? `SELECT name FROM pragma_table_info('channels')` : `SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'channels' AND table_schema = ${db.engine === 'postgres' ? 'current_schema()' : 'DATABASE()'}`)).map((r) => String(r.name)));
  const ratio = cols.has('channel_ratio') ? 'channel_ratio' : 'NULL AS channel_ratio';
  const tag = cols.has('tag') ? 'tag' : 'NULL AS tag';
  await db.query('DELETE FROM abilities');
  const channels = await db.query(`SELECT id, models, ${g} AS g, status, priority, weight, ${tag}, ${ratio} FROM channels ORDER BY id`);
  for (const c of channels) {
    await writeAbilities(db, {
      id: Number(c.id),
      models: c.models === null ? '' : String(c.models),
      group: c.g === null ? '' : String(c.g),
      status: Number(c.status),
      priority: c.priority === null ? 0 : Number(c.priority),
      weight: c.weight === null ? 0 : Number(c.weight),
      tag: c.tag === null || c.tag === undefined ? null : String(c.tag),
      channelRatio: c.channel_ratio === null || c.channel_ratio === undefined ? null : Number(c.channel_ratio),
    });
  }
}

export function tempDir(prefix = 'rd-fix-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A run context as the commands build it (no process env leaks in). */
export function contextFor(dsn: string, more: { redis?: string; env?: string[]; relayUrl?: string[]; cwd?: string } = {}): RunContext {
  return buildContext({ common: { dsn, redis: more.redis, env: more.env, relayUrl: more.relayUrl }, processEnv: {}, cwd: more.cwd, stdoutIsTty: false });
}
