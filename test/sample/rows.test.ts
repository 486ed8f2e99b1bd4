import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelaySchema, dropRelaySchema, type RelayVariant } from '../../src/sample/ddl.js';
import {
  abilityRows,
  insertChannel,
  insertLog,
  insertToken,
  insertUser,
  setOption,
  SINGLE_KEY_CHANNEL_INFO,
} from '../../src/sample/rows.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';

describe('abilityRows (AddAbilities rules, RB §4.1)', () => {
  it('crosses raw models and groups, untrimmed, skipping repeated pairs', () => {
    const rows = abilityRows({ id: 3, models: 'a, b,,a', group: 'default, vip,default', status: 1, priority: 5, weight: 7, tag: 't' });
    const pairs = rows.map((r) => `${r.group}|${r.model}`);
    expect(pairs).toEqual(['default|a', ' vip|a', 'default| b', ' vip| b', 'default|', ' vip|']);
    expect(rows.every((r) => r.enabled && r.priority === 5 && r.weight === 7 && r.tag === 't' && r.channel_id === 3)).toBe(true);
  });

  it('copies the status as enabled, NULL weight as 0, NULL priority as NULL, NULL ratio as 1', () => {
    const [r] = abilityRows({ id: 1, models: 'm', group: 'g', status: 3, priority: null, weight: null, channelRatio: null });
    expect(r).toMatchObject({ enabled: false, priority: null, weight: 0, tag: null, channel_ratio: 1 });
  });
});

type Bool = boolean | number | null;
const truthy = (v: unknown) => v === true || v === 1 || v === '1';

describeEngines('row builders', (engine) => {
  let fresh: FreshDatabase;
  const use = async (v: RelayVariant) => {
    await dropRelaySchema(fresh.db);
    await createRelaySchema(fresh.db, v);
  };

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
  }, 60_000);
  afterAll(async () => fresh?.drop());

  it('insertToken stores a fresh 48-character key without sk- and returns it', async () => {
    await use('bf');
    const uid = await insertUser(fresh.db, { username: 'u1' });
    const a = await insertToken(fresh.db, { userId: uid, name: 'a' });
    const b = await insertToken(fresh.db, { userId: uid, name: 'b', group: 'vip' });
    expect(a.key).toMatch(/^[0-9a-zA-Z]{48}$/);
    expect(a.key).not.toBe(b.key);
    expect(b.id).toBeGreaterThan(a.id);
    const rows = await fresh.db.query<{ id: number; g: string; k: string; expired_time: number; user_id: number }>(
      `SELECT id, ${fresh.db.dialect.q('group')} AS g, ${fresh.db.dialect.q('key')} AS k, expired_time, user_id FROM tokens ORDER BY id`,
    );
    expect(rows.map((r) => [Number(r.id), r.g, String(r.k).trim(), Number(r.expired_time), Number(r.user_id)])).toEqual([
      [a.id, '', a.key, -1, uid],
      [b.id, 'vip', b.key, -1, uid],
    ]);
  });

  it('insertUser fills unique aff codes and soft-deletes on request', async () => {
    await use('na-0.9.16');
    const ids = [await insertUser(fresh.db), await insertUser(fresh.db), await insertUser(fresh.db, { deletedAt: true, group: 'vip' })];
    expect(new Set(ids).size).toBe(3);
    const live = await fresh.db.query<{ n: number }>('SELECT count(*) AS n FROM users WHERE deleted_at IS NULL');
    expect(Number(live[0]!.n)).toBe(2);
    const [gone] = await fresh.db.query<{ g: string }>(`SELECT ${fresh.db.dialect.q('group')} AS g FROM users WHERE id = ?`, [ids[2]]);
    expect(gone!.g).toBe('vip');
  });

  it('insertChannel writes abilities the way AddAbilities does, including BF channel_ratio', async () => {
    await use('bf');
    const on = await insertChannel(fresh.db, { id: 8, type: 55, models: 'runway, pika,runway', group: 'default,vip', priority: 3, weight: 2, tag: 'video', channelRatio: 1.5 });
    const off = await insertChannel(fresh.db, { models: 'kling', group: 'default', status: 3 });
    const none = await insertChannel(fresh.db, { models: 'suno', group: 'default' }, { abilities: false });
    expect(off).toBe(9); // explicit ids move the sequence on to the next free id
    const q = fresh.db.dialect.q;
    const rows = await fresh.db.query<{ g: string; model: string; channel_id: number; enabled: Bool; priority: number; weight: number; tag: string; channel_ratio: number }>(
      `SELECT ${q('group')} AS g, model, channel_id, enabled, priority, weight, tag, channel_ratio FROM abilities ORDER BY channel_id, model, ${q('group')}`,
    );
    const shaped = rows.map((r) => [r.g, r.model, Number(r.channel_id), truthy(r.enabled), Number(r.priority), Number(r.weight), r.tag, Number(r.channel_ratio)]);
    expect(shaped).toEqual([
      ['default', ' pika', on, true, 3, 2, 'video', 1.5],
      ['vip', ' pika', on, true, 3, 2, 'video', 1.5],
      ['default', 'runway', on, true, 3, 2, 'video', 1.5],
      ['vip', 'runway', on, true, 3, 2, 'video', 1.5],
      ['default', 'kling', off, false, 0, 0, null, 1],
    ]);
    expect(rows.some((r) => Number(r.channel_id) === none)).toBe(false);
  });

  it('insertChannel stores channel_info as the relay does (SQLite: BLOB; text on request, F47)', async () => {
    await use('bf');
    const blob = await insertChannel(fresh.db, {}, { abilities: false });
    const text = await insertChannel(fresh.db, {}, { abilities: false, channelInfoAs: 'text' });
    const nul = await insertChannel(fresh.db, { channelInfo: null }, { abilities: false });
    if (engine === 'sqlite') {
      const rows = await fresh.db.query<{ id: number; t: string }>('SELECT id, typeof(channel_info) AS t FROM channels ORDER BY id');
      expect(rows.map((r) => [r.id, r.t])).toEqual([
        [blob, 'blob'],
        [text, 'text'],
        [nul, 'null'],
      ]);
    }
    const [row] = await fresh.db.query<{ ci: unknown }>('SELECT channel_info AS ci FROM channels WHERE id = ?', [blob]);
    const raw = row!.ci;
    const parsed = Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : typeof raw === 'string' ? JSON.parse(raw) : raw;
    expect(parsed).toEqual(SINGLE_KEY_CHANNEL_INFO);
  });

  it('stores a NULL base_url only when asked, and keeps hand-written values verbatim', async () => {
    await use('na-0.9.16');
    const a = await insertChannel(fresh.db, { baseUrl: null }, { abilities: false });
    const b = await insertChannel(fresh.db, { baseUrl: 'https://gw.example.test/' }, { abilities: false });
    const c = await insertChannel(fresh.db, {}, { abilities: false });
    const rows = await fresh.db.query<{ id: number; base_url: string | null }>('SELECT id, base_url FROM channels ORDER BY id');
    expect(rows.map((r) => [Number(r.id), r.base_url])).toEqual([
      [a, null],
      [b, 'https://gw.example.test/'],
      [c, ''],
    ]);
  });

  it('setOption inserts then replaces, JSON-encoding objects', async () => {
    await use('bf');
    await setOption(fresh.db, 'GroupRatio', { default: 1 });
    await setOption(fresh.db, 'GroupRatio', { default: 1, vip: 2 });
    await setOption(fresh.db, 'RetryTimes', 3);
    const q = fresh.db.dialect.q;
    const rows = await fresh.db.query<{ k: string; value: string }>(`SELECT ${q('key')} AS k, value FROM options ORDER BY ${q('key')}`);
    expect(rows.map((r) => [r.k, r.value])).toEqual([
      ['GroupRatio', '{"default":1,"vip":2}'],
      ['RetryTimes', '3'],
    ]);
  });

  it('insertLog fills the version-specific columns', async () => {
    await use('na-main');
    const id = await insertLog(fresh.db, { userId: 1, type: 5, modelName: 'runway', requestId: 'r1', other: { status_code: 500 } });
    const [row] = await fresh.db.query<Record<string, unknown>>('SELECT type, model_name, request_id, upstream_request_id, other FROM logs WHERE id = ?', [id]);
    expect(row).toMatchObject({ model_name: 'runway', request_id: 'r1', upstream_request_id: '', other: '{"status_code":500}' });
    expect(Number(row!.type)).toBe(5);
  });

  it('one-api: leaves out new-api columns it lacks, refuses them when asked for explicitly', async () => {
    await use('one-api');
    const uid = await insertUser(fresh.db);
    const uid2 = await insertUser(fresh.db);
    expect(uid2).toBe(uid + 1); // one-api's access_token is a plain unique string: each user gets its own
    const tk = await insertToken(fresh.db, { userId: uid, models: 'gpt-4o' });
    expect(tk.key).toHaveLength(48);
    await expect(insertToken(fresh.db, { userId: uid, group: 'vip' })).rejects.toThrow(/tokens\.group does not exist/);
    const ch = await insertChannel(fresh.db, { models: 'a,b', group: 'default', weight: 5 });
    const ab = await fresh.db.query<{ model: string }>('SELECT model FROM abilities WHERE channel_id = ? ORDER BY model', [ch]);
    expect(ab.map((r) => r.model)).toEqual(['a', 'b']);
    await expect(insertChannel(fresh.db, { channelInfo: { is_multi_key: true } })).rejects.toThrow(/channel_info/);
  });

  it('na-2504: channels without channel_info still insert', async () => {
    await use('na-2504');
    const id = await insertChannel(fresh.db, { models: 'gpt-4o-mini' });
    expect(id).toBeGreaterThan(0);
  });
});
