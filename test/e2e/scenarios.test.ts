import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db, Engine } from '../../src/db/types.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { setOption } from '../../src/sample/rows.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { runCli } from '../support/cli.js';

// Every database-side code of the contract, produced on real data: the seed incident's relay
// database on each engine, one failure mode at a time (failure-modes.md), through the built CLI.

type Change = { table: string; id: number; column: string; value: unknown };

interface Scenario {
  name: string;
  code: string;
  status?: 'fail' | 'warn' | 'info';
  /** Row edits, undone after the scenario. */
  set?: (s: SeedResult) => Change[];
  options?: Record<string, string>;
  /** Extra SQL to run before, and its undo. */
  sql?: (s: SeedResult, q: (id: string) => string) => { apply: [string, unknown[]][]; undo: [string, unknown[]][] };
  args: (s: SeedResult) => string[];
  engines?: Engine[];
}

const RUNWAY = ['--path', '/runwayml/v1/image_to_video'];
const asToken = (s: SeedResult) => ['--token', `sk-${s.tokenKey}`];
const tokenId = (s: SeedResult) => ['--token-id', String(s.tokenId)];

const SCENARIOS: Scenario[] = [
  // environment
  { name: 'F18 GroupRatio edited into invalid JSON', code: 'OPTION_JSON_INVALID', options: { GroupRatio: '{"default":1,' }, args: (s) => [...RUNWAY, ...asToken(s)] },
  { name: 'F28 MEMORY_CACHE_ENABLED=false with Redis set', code: 'CACHE_FORCED_ON', status: 'warn', args: () => [...RUNWAY, '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=false', '--env', 'CRYPTO_SECRET=x', '--redis', 'redis://127.0.0.1:1'] },
  { name: 'F74 Redis unreachable', code: 'REDIS_UNREACHABLE', args: () => [...RUNWAY, '--group', 'default', '--redis', 'redis://127.0.0.1:1'] },
  { name: 'F36 no CRYPTO_SECRET nor SESSION_SECRET', code: 'SECRET_EPHEMERAL', status: 'warn', args: () => [...RUNWAY, '--group', 'default', '--env', 'REDIS_CONN_STRING=redis://127.0.0.1:1'] },
  { name: 'F76 a mysql:// SQL_DSN the relay cannot parse', code: 'DSN_MISPARSED', args: () => [...RUNWAY, '--group', 'default', '--env', 'SQL_DSN=mysql://root:pw@db:3306/oneapi'] },
  // route
  { name: 'F2 a path no BF route serves', code: 'ROUTE_UNKNOWN', args: () => ['--path', '/lumaai/v1/generations', '--group', 'default'] },
  { name: 'F4 a trailing slash on a fixed route', code: 'ROUTE_TRAILING_SLASH', status: 'warn', args: () => ['--path', '/v1/audio/generations/', '--group', 'default'] },
  { name: 'F7 GET /feed/:id derives no model', code: 'MODEL_UNRESOLVED', args: () => ['--path', '/feed/abc', '--method', 'GET', '--group', 'default'] },
  { name: 'F60 a media URL on localhost', code: 'REQUEST_MEDIA_URL_PRIVATE', status: 'warn', args: () => ['--path', '/runway/v1/pro/video2video', '--group', 'default', '--body', '{"video":"http://localhost:3001/uploads/a.mp4"}'] },
  {
    name: 'F50 an unprefixed Sora poll with two Sora upstreams',
    code: 'POLL_ROUTING_AMBIGUOUS',
    status: 'warn',
    sql: (_s, q) => ({
      apply: [
        [`INSERT INTO channels (id, type, ${q('key')}, status, name, models, ${q('group')}, base_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [41, 55, 'sora-key-one-aaaaaaaaaaaa', 1, 'Sora A', 'sora-2', 'default', 'https://sora-a.example.com']],
        [`INSERT INTO channels (id, type, ${q('key')}, status, name, models, ${q('group')}, base_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [42, 55, 'sora-key-two-bbbbbbbbbbbb', 1, 'Sora B', 'sora-2-pro', 'default', 'https://sora-b.example.com']],
      ],
      undo: [['DELETE FROM channels WHERE id IN (?, ?)', [41, 42]]],
    }),
    args: () => ['--path', '/v1/videos/video_68d7512d', '--method', 'GET', '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=true'],
  },
  // token
  { name: 'F9 a key that matches no token', code: 'TOKEN_NOT_FOUND', args: () => [...RUNWAY, '--token', 'sk-0000000000000000000000000000000000000000000nope'] },
  { name: 'F9 a channel pin from a common user', code: 'TOKEN_KEY_MALFORMED', args: (s) => [...RUNWAY, '--token', `sk-${s.tokenKey}-8`] },
  { name: 'F10 token disabled', code: 'TOKEN_DISABLED', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'status', value: 2 }], args: tokenId },
  { name: 'F10 token expired (status still 1)', code: 'TOKEN_EXPIRED', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'expired_time', value: 1_700_000_000 }], args: tokenId },
  {
    name: 'F10 token exhausted by passthrough billing',
    code: 'TOKEN_EXHAUSTED',
    set: (s) => [
      { table: 'tokens', id: s.tokenId, column: 'unlimited_quota', value: false },
      { table: 'tokens', id: s.tokenId, column: 'remain_quota', value: -1000 },
    ],
    args: tokenId,
  },
  { name: 'F16 model limits list the body model, not the routing model', code: 'TOKEN_MODEL_FORBIDDEN', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'model_limits_enabled', value: true }, { table: 'tokens', id: s.tokenId, column: 'model_limits', value: 'gen4_turbo' }], args: (s) => [...RUNWAY, ...tokenId(s)] },
  { name: 'F17 an IP allow list', code: 'TOKEN_IP_RESTRICTED', status: 'warn', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'allow_ips', value: '203.0.113.7' }], args: tokenId },
  { name: 'F11 the owner is soft-deleted', code: 'USER_MISSING', set: (s) => [{ table: 'users', id: s.userId, column: 'deleted_at', value: '2026-11-01 10:00:00' }], args: (s) => [...RUNWAY, ...tokenId(s)] },
  { name: 'F12 the owner is banned', code: 'USER_BANNED', set: (s) => [{ table: 'users', id: s.userId, column: 'status', value: 2 }], args: tokenId },
  { name: 'F13 a token group the user may not use', code: 'GROUP_NOT_USABLE', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'group', value: 'enterprise' }], args: (s) => [...RUNWAY, ...tokenId(s)] },
  { name: 'F14 a usable group missing from GroupRatio', code: 'GROUP_NOT_IN_RATIO', options: { GroupRatio: '{"default":1}' }, set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'group', value: 'vip' }], args: (s) => [...RUNWAY, ...tokenId(s)] },
  { name: 'F15 empty token group falls back to the user group', code: 'GROUP_FALLBACK_TO_USER', status: 'info', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'group', value: '' }], args: (s) => [...RUNWAY, ...tokenId(s)] },
  // distribute
  // new-api (no cache fallback) routes from channels with the memory cache on.
  { name: 'F20 kling removed from the only channel listing it', code: 'NO_CHANNEL_FOR_MODEL', set: (s) => [{ table: 'channels', id: s.channelId, column: 'models', value: 'runway,suno,pika' }], args: () => ['--model', 'kling', '--group', 'default', '--profile', 'new-api', '--env', 'MEMORY_CACHE_ENABLED=true'] },
  // BF ≥ 2025-11-25 falls back to abilities, which still hold the removed model.
  { name: 'F25 BF cache fallback routes a model channels no longer list', code: 'ABILITIES_OUT_OF_SYNC', set: (s) => [{ table: 'channels', id: s.channelId, column: 'models', value: 'runway,suno,pika' }], args: () => ['--model', 'kling', '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=true'] },
  { name: 'F15 the user group has no channel', code: 'GROUP_HAS_NO_CHANNEL', set: (s) => [{ table: 'tokens', id: s.tokenId, column: 'group', value: '' }, { table: 'users', id: s.userId, column: 'group', value: 'svip' }], args: (s) => [...RUNWAY, ...tokenId(s), '--env', 'MEMORY_CACHE_ENABLED=true'] },
  { name: 'F38 every runway channel disabled (new-api, cache on)', code: 'CHANNELS_ALL_DISABLED', set: (s) => [{ table: 'channels', id: s.channelId, column: 'status', value: 3 }], args: () => ['--model', 'runway', '--group', 'default', '--profile', 'new-api', '--env', 'MEMORY_CACHE_ENABLED=true'] },
  { name: 'F26/F29 BF fallback selects a channel disabled by SQL: 403 channel_disabled', code: 'CHANNELS_ALL_DISABLED', set: (s) => [{ table: 'channels', id: s.channelId, column: 'status', value: 2 }], args: () => [...RUNWAY, '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=true'] },
  {
    name: 'F26 channel disabled by SQL, abilities still enabled (DB path)',
    code: 'ABILITIES_OUT_OF_SYNC',
    set: (s) => [{ table: 'channels', id: s.channelId, column: 'status', value: 2 }],
    args: () => [...RUNWAY, '--group', 'default'],
  },
  { name: 'F23 a group renamed by SQL', code: 'ABILITY_GROUP_PANIC_RISK', set: (s) => [{ table: 'channels', id: s.channelId, column: 'group', value: 'default,premium' }], args: () => [...RUNWAY, '--group', 'default', '--env', 'REDIS_CONN_STRING=redis://127.0.0.1:1', '--env', 'CRYPTO_SECRET=x'] },
  {
    name: 'F32 abilities of a deleted channel',
    code: 'ABILITY_DANGLING',
    status: 'warn',
    sql: (_s, q) => ({
      apply: [[`INSERT INTO abilities (${q('group')}, model, channel_id, enabled, priority, weight) VALUES (?, ?, ?, ?, ?, ?)`, ['default', 'minimax', 42, true, 0, 0]]],
      undo: [['DELETE FROM abilities WHERE channel_id = ?', [42]]],
    }),
    args: () => [...RUNWAY, '--group', 'default'],
  },
  { name: 'F24 a space after a comma', code: 'LIST_ENTRY_WHITESPACE', status: 'warn', set: (s) => [{ table: 'channels', id: s.channelId, column: 'models', value: 'kling,runway, suno,pika' }], args: () => [...RUNWAY, '--group', 'default'] },
  {
    name: 'F33 a weight-0 channel next to a weighted one (new-api ≥ 2025-10-29)',
    code: 'WEIGHT_ZERO_STARVED',
    status: 'warn',
    set: () => [{ table: 'channels', id: 1, column: 'weight', value: 0 }],
    sql: (_s, q) => ({
      apply: [[`INSERT INTO channels (id, type, ${q('key')}, status, name, models, ${q('group')}, base_url, weight, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [31, 1, 'sk-secondary-upstream-key', 1, 'OpenAI 2', 'gpt-4o-mini', 'default', 'https://api.openai.com', 10, 0]]],
      undo: [['DELETE FROM channels WHERE id = ?', [31]]],
    }),
    args: () => ['--model', 'gpt-4o-mini', '--group', 'default', '--profile', 'new-api', '--env', 'MEMORY_CACHE_ENABLED=true'],
  },
  // cache (database side)
  { name: 'F27 no live relay probed', code: 'CACHE_WINDOW_OPEN', status: 'info', args: () => [...RUNWAY, '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=true'] },
  // channel
  { name: 'F39 passthrough channel without base_url', code: 'CHANNEL_BASE_URL_MISSING', set: (s) => [{ table: 'channels', id: s.channelId, column: 'base_url', value: '' }], args: () => [...RUNWAY, '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=true'] },
  { name: 'F40 base_url with a trailing slash', code: 'CHANNEL_BASE_URL_MALFORMED', status: 'warn', set: (s) => [{ table: 'channels', id: s.channelId, column: 'base_url', value: 'https://legacy-gateway.invalid/' }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F41 passthrough channel without a key', code: 'CHANNEL_KEY_MISSING', set: (s) => [{ table: 'channels', id: s.channelId, column: 'key', value: '' }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F42 two keys without multi-key mode', code: 'CHANNEL_MULTIKEY_UNFLAGGED', status: 'warn', set: (s) => [{ table: 'channels', id: s.channelId, column: 'key', value: 'sk-legacy-key-one\nsk-legacy-key-two' }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F44 a type-35 channel on the passthrough route', code: 'CHANNEL_TYPE_MISMATCH', status: 'warn', set: (s) => [{ table: 'channels', id: s.channelId, column: 'type', value: 35 }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F45 setting is not JSON (the passthrough reads it)', code: 'CHANNEL_JSON_INVALID', set: (s) => [{ table: 'channels', id: s.channelId, column: 'setting', value: '{"passthrough_quota":' }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F46 status_code_mapping 400 → 500 on a normal route', code: 'STATUS_CODE_MAPPED_TO_5XX', status: 'warn', set: () => [{ table: 'channels', id: 1, column: 'status_code_mapping', value: '{"400":"500"}' }], args: () => ['--path', '/v1/chat/completions', '--model', 'gpt-4o-mini', '--group', 'default'] },
  { name: 'F68 runway has no ModelPrice', code: 'MODEL_PRICE_MISSING', status: 'warn', args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F47 channel_info written as TEXT on SQLite', code: 'CHANNEL_ROW_UNREADABLE', engines: ['sqlite'], set: (s) => [{ table: 'channels', id: s.channelId, column: 'channel_info', value: '{"is_multi_key":false}' }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F48 type beyond the build table with an empty base_url', code: 'CHANNEL_TYPE_OUT_OF_RANGE', set: (s) => [{ table: 'channels', id: s.channelId, column: 'type', value: 70 }, { table: 'channels', id: s.channelId, column: 'base_url', value: '' }], args: () => [...RUNWAY, '--group', 'default'] },
  { name: 'F64 the client sends its relay credential in x-ptoken', code: 'PASSTHROUGH_FORWARDS_CREDENTIALS', status: 'warn', args: () => [...RUNWAY, '--group', 'default', '--header', 'x-ptoken: sk-client-relay-credential'] },
  { name: 'F67 passthrough POSTs are billed whatever the upstream says', code: 'PASSTHROUGH_BILLS_FAILURES', status: 'info', args: () => [...RUNWAY, '--group', 'default'] },
];

async function readValue(db: Db, c: Change): Promise<unknown> {
  const rows = await db.query(`SELECT ${db.dialect.q(c.column)} AS v FROM ${c.table} WHERE id = ?`, [c.id]);
  return rows[0]?.v;
}

async function write(db: Db, c: Change, value: unknown): Promise<void> {
  await db.query(`UPDATE ${c.table} SET ${db.dialect.q(c.column)} = ? WHERE id = ?`, [value, c.id]);
}

describeEngines('every database-side code on real data', (engine) => {
  let fresh: FreshDatabase;
  let seed: SeedResult;
  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    seed = await seedIncident(fresh.db);
  });
  afterAll(async () => fresh?.drop());

  for (const sc of SCENARIOS) {
    const skip = sc.engines && !sc.engines.includes(engine);
    it.skipIf(skip)(`${sc.name} → ${sc.code}`, async () => {
      const db = fresh.db;
      const changes = sc.set?.(seed) ?? [];
      const before = await Promise.all(changes.map((c) => readValue(db, c)));
      const oldOptions = new Map<string, unknown>();
      const sql = sc.sql?.(seed, (id) => db.dialect.q(id));
      try {
        for (const c of changes) await write(db, c, c.value);
        for (const [k, v] of Object.entries(sc.options ?? {})) {
          const rows = await db.query(`SELECT value FROM options WHERE ${db.dialect.q('key')} = ?`, [k]);
          oldOptions.set(k, rows[0]?.value);
          await setOption(db, k, v);
        }
        for (const [q, p] of sql?.apply ?? []) await db.query(q, p);
        const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, ...sc.args(seed), '--json']);
        const doc = r.json();
        expect([0, 1], `exit ${r.code}: ${doc.verdict?.primary?.message ?? r.stderr}`).toContain(r.code);
        const f = doc.findings.find((x: { code: string }) => x.code === sc.code);
        expect(f, `${sc.code} not in ${doc.findings.map((x: { code: string }) => x.code).join(', ')}`).toBeTruthy();
        expect(f.status).toBe(sc.status ?? 'fail');
        expect(doc.findings.some((x: { code: string }) => x.code === 'CHECK_CRASHED')).toBe(false);
        expect(r.code).toBe(doc.verdict.status === 'unhealthy' ? 1 : 0);
        expect(r.stdout + r.stderr).not.toContain(seed.tokenKey);
      } finally {
        for (const [q, p] of sql?.undo ?? []) await db.query(q, p);
        for (const [k, v] of oldOptions) await setOption(db, k, String(v));
        for (const [i, c] of changes.entries()) await write(db, c, before[i]);
      }
    });
  }
});
