import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED_CHANNEL_ID, SEED_DEFAULT_UPSTREAM, seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';

const truthy = (v: unknown) => v === true || v === 1 || v === '1';

describeEngines('seed incident (F1/F15)', (engine) => {
  let fresh: FreshDatabase;
  let seed: SeedResult;
  const upstream = 'http://127.0.0.1:45678';

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    seed = await seedIncident(fresh.db, { upstreamBaseUrl: upstream });
  }, 120_000);
  afterAll(async () => fresh?.drop());

  const q = (id: string) => fresh.db.dialect.q(id);

  it('is a BF database: fork-only columns present', async () => {
    expect(seed.variant).toBe('bf');
    const cols = await fresh.db.query<{ n: number }>('SELECT count(*) AS n FROM abilities WHERE channel_ratio IS NOT NULL');
    expect(Number(cols[0]!.n)).toBeGreaterThan(0);
  });

  it('has the Bltcy channel #8 as the operator described it, pointed at the given upstream', async () => {
    const [ch] = await fresh.db.query<Record<string, unknown>>(
      `SELECT id, type, status, base_url, models, ${q('group')} AS g, ${q('key')} AS k FROM channels WHERE id = ?`,
      [SEED_CHANNEL_ID],
    );
    expect(ch).toMatchObject({ base_url: upstream, models: 'kling,runway,suno,pika', g: 'default' });
    expect([Number(ch!.id), Number(ch!.type), Number(ch!.status)]).toEqual([8, 55, 1]);
    expect(String(ch!.k).length).toBeGreaterThan(10);
    expect(seed.channelId).toBe(8);
  });

  it('has enabled abilities for (default, each model, #8) and consistent rows for every channel', async () => {
    const rows = await fresh.db.query<{ g: string; model: string; channel_id: number; enabled: unknown }>(
      `SELECT ${q('group')} AS g, model, channel_id, enabled FROM abilities ORDER BY channel_id, model, ${q('group')}`,
    );
    const of8 = rows.filter((r) => Number(r.channel_id) === 8);
    expect(of8.map((r) => [r.g, r.model, truthy(r.enabled)])).toEqual([
      ['default', 'kling', true],
      ['default', 'pika', true],
      ['default', 'runway', true],
      ['default', 'suno', true],
    ]);
    const channels = await fresh.db.query<{ id: number; status: number }>('SELECT id, status FROM channels');
    for (const c of channels) {
      const mine = rows.filter((r) => Number(r.channel_id) === Number(c.id));
      expect(mine.length, `channel ${c.id}`).toBeGreaterThan(0);
      expect(mine.every((r) => truthy(r.enabled) === (Number(c.status) === 1)), `channel ${c.id}`).toBe(true);
    }
    const runway = rows.filter((r) => r.model === 'runway' && r.g === 'default' && truthy(r.enabled));
    expect(runway.map((r) => Number(r.channel_id))).toEqual([8]);
  });

  it('has 63 live tokens, all in group default, 12 of them repaired', async () => {
    const rows = await fresh.db.query<{ id: number; g: string; status: number; user_id: number }>(
      `SELECT id, ${q('group')} AS g, status, user_id FROM tokens WHERE deleted_at IS NULL`,
    );
    expect(rows).toHaveLength(63);
    expect(new Set(rows.map((r) => r.g))).toEqual(new Set(['default']));
    expect(rows.every((r) => Number(r.status) === 1)).toBe(true);
    expect(seed.repairedTokenIds).toHaveLength(12);
    const named = await fresh.db.query<{ name: string }>(`SELECT name FROM tokens WHERE id IN (${seed.repairedTokenIds.map(() => '?').join(',')}) ORDER BY id`, seed.repairedTokenIds);
    expect(named.slice(0, 3).map((r) => r.name)).toEqual(['111', '222', '333']);
    // No token belongs to the banned or the soft-deleted user.
    const owners = await fresh.db.query<{ n: number }>(
      'SELECT count(*) AS n FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.status <> 1 OR u.deleted_at IS NOT NULL',
    );
    expect(Number(owners[0]!.n)).toBe(0);
  });

  it('has 8 users with a soft-deleted one, and most in group default', async () => {
    const rows = await fresh.db.query<{ id: number; g: string; deleted_at: unknown }>(`SELECT id, ${q('group')} AS g, deleted_at FROM users`);
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.deleted_at !== null).map((r) => Number(r.id))).toEqual([seed.deletedUserId]);
    expect(rows.filter((r) => r.g === 'default').length).toBeGreaterThanOrEqual(6);
  });

  it('returns a key that authenticates as an enabled default token of an enabled user', async () => {
    expect(seed.tokenKey).toMatch(/^[0-9a-zA-Z]{48}$/);
    const rows = await fresh.db.query<Record<string, unknown>>(
      `SELECT t.id, t.${q('group')} AS tg, t.status, t.expired_time, u.status AS us, u.${q('group')} AS ug
         FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.${q('key')} = ? AND t.deleted_at IS NULL AND u.deleted_at IS NULL`,
      [seed.tokenKey],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.id)).toBe(seed.tokenId);
    expect(rows[0]).toMatchObject({ tg: 'default', ug: 'default' });
    expect([Number(rows[0]!.status), Number(rows[0]!.us), Number(rows[0]!.expired_time)]).toEqual([1, 1, -1]);
  });

  it('prices kling, suno and pika but not runway; groups as the incident had them', async () => {
    const rows = await fresh.db.query<{ k: string; value: string }>(`SELECT ${q('key')} AS k, value FROM options`);
    const opt = Object.fromEntries(rows.map((r) => [r.k, r.value]));
    expect(JSON.parse(opt.GroupRatio!)).toEqual({ default: 1, vip: 1, svip: 1 });
    expect(JSON.parse(opt.UserUsableGroups!)).toEqual({ default: '默认分组', vip: 'vip分组' });
    const price = JSON.parse(opt.ModelPrice!);
    expect(Object.keys(price).sort()).toEqual(['kling', 'pika', 'suno']);
    expect(JSON.parse(opt.ModelRatio!)).not.toHaveProperty('runway');
  });

  it('keeps the default upstream unless told otherwise, and works for other new-api versions', async () => {
    const other = await freshDatabase(engine);
    try {
      const s = await seedIncident(other.db, { variant: 'na-0.9.16' });
      const [ch] = await other.db.query<{ base_url: string }>('SELECT base_url FROM channels WHERE id = ?', [s.channelId]);
      expect(ch!.base_url).toBe(SEED_DEFAULT_UPSTREAM);
      const cols = await other.db.query<{ n: number }>('SELECT count(*) AS n FROM tokens');
      expect(Number(cols[0]!.n)).toBe(63);
    } finally {
      await other.drop();
    }
  });
});
