import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/types.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { setOption } from '../../src/sample/rows.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { runCli } from '../support/cli.js';

// The seed incident's database state, diagnosed from each engine, must give the same findings.
const results = new Map<Engine, { codes: string[]; verdict: string; exit: number | null }>();

function summary(doc: any): string[] {
  return [...new Set<string>(doc.findings.map((f: any) => `${f.stage}:${f.code}:${f.status}`))].sort();
}

describeEngines('diagnose on the seed incident', (engine) => {
  let fresh: FreshDatabase;
  let seed: SeedResult;
  const q = (id: string) => fresh.db.dialect.q(id);

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    seed = await seedIncident(fresh.db);
  });
  afterAll(async () => fresh?.drop());

  it('the repaired state routes: healthy from the database alone, cache window open (F1)', async () => {
    const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--token', `sk-${seed.tokenKey}`, '--json']);
    const doc = r.json();
    expect(doc.schemaVersion).toBe(1);
    expect(doc.tool.name).toBe('relay-doctor');
    // F1: from the database alone every routing stage passes; the upstream is not probed here
    // (--offline: the seed's gateway is not on loopback), so nothing may blame the cache.
    expect(doc.findings.filter((f: any) => f.status === 'fail')).toEqual([]);
    expect(r.code).toBe(0);
    expect(doc.verdict.status).toBe('healthy');
    expect(doc.stages.find((s: any) => s.id === 'upstream').status).toBe('skip');
    expect(doc.target).toMatchObject({ method: 'POST', path: '/runwayml/v1/image_to_video', model: 'runway', group: 'default', tokenId: seed.tokenId });
    expect(doc.stages.map((s: any) => s.id)).toEqual(['environment', 'route', 'token', 'distribute', 'cache', 'channel', 'upstream']);
    expect(doc.findings.some((f: any) => f.code === 'CACHE_WINDOW_OPEN')).toBe(true);
    expect(doc.relay.product).toBe('bltcy');
    // No secret anywhere.
    expect(r.stdout + r.stderr).not.toContain(seed.tokenKey);
    results.set(engine, { codes: summary(doc), verdict: doc.verdict.status, exit: r.code });
  });

  it('an owner in a group without channel: the token falls back to it and gets 503', async () => {
    await fresh.db.query(`UPDATE users SET ${q('group')} = 'enterprise' WHERE id = ?`, [seed.userId]);
    await fresh.db.query(`UPDATE tokens SET ${q('group')} = '' WHERE id = ?`, [seed.tokenId]);
    try {
      const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--token-id', String(seed.tokenId), '--json']);
      expect(r.code).toBe(1);
      const doc = r.json();
      expect(doc.verdict.primary.code).toBe('GROUP_HAS_NO_CHANNEL');
      expect(doc.findings.map((f: any) => f.code)).toContain('GROUP_FALLBACK_TO_USER');
      expect(doc.target.group).toBe('enterprise');
    } finally {
      await fresh.db.query(`UPDATE users SET ${q('group')} = 'default' WHERE id = ?`, [seed.userId]);
      await fresh.db.query(`UPDATE tokens SET ${q('group')} = 'default' WHERE id = ?`, [seed.tokenId]);
    }
  });

  it('a group renamed by SQL in channels: panic risk with the memory cache on', async () => {
    await fresh.db.query(`UPDATE channels SET ${q('group')} = 'default,premium' WHERE id = ?`, [seed.channelId]);
    try {
      const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, '--env', 'MEMORY_CACHE_ENABLED=true', '--json']);
      expect(r.code).toBe(1);
      const doc = r.json();
      const f = doc.findings.find((x: any) => x.code === 'ABILITY_GROUP_PANIC_RISK');
      expect(f?.status).toBe('fail');
      expect(f.evidence.groups).toEqual(['premium']);
      expect(doc.sweep.models).toContain('runway');
    } finally {
      await fresh.db.query(`UPDATE channels SET ${q('group')} = 'default' WHERE id = ?`, [seed.channelId]);
    }
  });

  it('invalid option JSON and an empty base_url are findings, not crashes', async () => {
    await setOption(fresh.db, 'GroupRatio', '{"default":1,');
    await fresh.db.query(`UPDATE channels SET base_url = '' WHERE id = ?`, [seed.channelId]);
    try {
      const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--group', 'default', '--json']);
      expect(r.code).toBe(1);
      const codes = r.json().findings.map((f: any) => f.code);
      expect(codes).toContain('OPTION_JSON_INVALID');
      expect(codes).toContain('CHANNEL_BASE_URL_MISSING');
    } finally {
      await setOption(fresh.db, 'GroupRatio', '{"default":1,"vip":1,"svip":1}');
      await fresh.db.query(`UPDATE channels SET base_url = ? WHERE id = ?`, ['https://legacy-gateway.invalid', seed.channelId]);
    }
  });

  it('malformed rows (NULL lists, unicode and SQL-looking names, huge strings) never crash', async () => {
    await fresh.db.query(
      `INSERT INTO channels (id, type, ${q('key')}, status, name, models, ${q('group')}, base_url, model_mapping, setting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [900, 55, '', 1, "x'; DROP TABLE tokens; --", null, "默认,'; --", null, '{not json', 'x'.repeat(20000)],
    );
    try {
      const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, '--json']);
      expect([0, 1]).toContain(r.code);
      const doc = r.json();
      expect(doc.findings.some((f: any) => f.code === 'CHECK_CRASHED')).toBe(false);
      expect(doc.findings.some((f: any) => f.code === 'ABILITY_GROUP_PANIC_RISK')).toBe(true);
    } finally {
      await fresh.db.query('DELETE FROM channels WHERE id = ?', [900]);
    }
  });
});

describe('the same findings on every engine', () => {
  it('PostgreSQL, MySQL and SQLite agree on the seed incident', () => {
    const all = [...results.values()];
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) expect(r.codes).toEqual(all[0]!.codes);
  });
});
