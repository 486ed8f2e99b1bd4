import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/db/types.js';
import { readSchema } from '../../src/data/schema.js';
import { planAbilities } from '../../src/fix/abilities-plan.js';
import { runFixAbilities, type AbilitiesRunOptions } from '../../src/fix/abilities-run.js';
import type { FixDocument, PlanRow } from '../../src/fix/types.js';
import { detectProduct } from '../../src/relay/product.js';
import { createRelaySchema, type RelayVariant } from '../../src/sample/ddl.js';
import { insertChannel } from '../../src/sample/rows.js';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { contextFor, dumpTable, FIX_TABLES, q, relayRebuild, tableCounters, tempDir } from './helpers.js';

const rowKey = (r: PlanRow) => `${JSON.stringify(r.id)} ${r.column} ${JSON.stringify(r.before)}→${JSON.stringify(r.after)}`;
const find = (doc: FixDocument, group: string, model: string, channelId: number, column = '*') =>
  doc.plan.filter((r) => typeof r.id === 'object' && r.id.group === group && r.id.model === model && r.id.channelId === channelId && r.column === column);

/**
 * What hand-written SQL does to a relay (F22–F26, F32): list entries with spaces and empty names,
 * a model that differs only by a trailing space, a channel disabled by SQL, channel fields edited
 * without their abilities, hand-inserted and dangling abilities rows, NULL priority and weight, and
 * a channel inserted without abilities whose group is in no abilities row.
 */
async function mess(db: Queryable, bf: boolean): Promise<void> {
  const g = q(db, 'group');
  await db.query(`UPDATE channels SET models = ?, ${g} = ? WHERE id = 8`, ['kling,runway ,runway,suno, pika,', 'default, vip,default']);
  await db.query('UPDATE channels SET status = 2 WHERE id = 1');
  await db.query("UPDATE channels SET tag = 't1' WHERE id = 2");
  const ins = `INSERT INTO abilities (${g}, model, channel_id, enabled, priority, weight) VALUES (?, ?, ?, ?, ?, ?)`;
  await db.query(ins, ['default', 'sora-2', 8, true, 0, 0]);
  await db.query(ins, ['default', 'minimax', 99, true, 0, 0]);
  await db.query('UPDATE abilities SET priority = NULL WHERE channel_id = 5');
  await db.query('UPDATE abilities SET weight = NULL WHERE channel_id = 2');
  if (bf) {
    await db.query('UPDATE channels SET channel_ratio = 1.5 WHERE id = 1');
    await db.query('UPDATE channels SET channel_ratio = NULL WHERE id = 5');
    await db.query("UPDATE abilities SET workflow_price = 100 WHERE channel_id = 8 AND model = 'kling'");
  }
  await insertChannel(db, { id: 12, type: 55, name: 'inserted by SQL', models: 'runway', group: 'premium' }, { abilities: false });
}

describeEngines('fix-abilities', (engine) => {
  let fresh: FreshDatabase;
  const tmp = tempDir('rd-fix-ab-');
  let messed: Record<string, string[]>;
  let dry: FixDocument;

  const run = (o: Partial<AbilitiesRunOptions>, more: Parameters<typeof contextFor>[1] = {}) =>
    runFixAbilities(contextFor(fresh.dsn, more), { mode: 'dry-run', backupDir: path.join(tmp.dir, 'b'), version: 'test', direct: false, ...o });

  async function dumpAll(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const t of FIX_TABLES) out[t] = await dumpTable(fresh.db, t);
    return out;
  }

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    await seedIncident(fresh.db);
    await mess(fresh.db, true);
    messed = await dumpAll();
  }, 120_000);
  afterAll(async () => {
    await fresh?.drop();
    tmp.cleanup();
  });

  it('dry run: missing, extra and changed rows as the relay rebuild sees them, panic groups, warnings; nothing written', async () => {
    const before = await tableCounters(fresh.db);
    const { doc, exitCode } = await run({});
    dry = doc;
    expect(exitCode).toBe(0);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'fix-abilities', mode: 'dry-run', applied: 0, skipped: [], backup: null, cacheInvalidated: [] });
    expect(doc.panicGroups).toContainEqual({ channelId: 12, group: 'premium' });
    expect(find(doc, 'premium', 'runway', 12)[0]?.reason).toMatch(/cache rebuild panics/);
    expect(find(doc, 'default', 'sora-2', 8)[0]).toMatchObject({ after: null, reason: expect.stringMatching(/hand-inserted or stale/) });
    expect(find(doc, 'default', 'minimax', 99)[0]?.reason).toMatch(/does not exist: a dangling row/);
    expect(find(doc, 'default', 'gpt-4o', 1, 'enabled')[0]).toMatchObject({ before: true, after: false });
    expect(find(doc, 'default', 'runway', 5, 'priority')[0]).toMatchObject({ before: null, after: 0 });
    expect(find(doc, 'vip', 'claude-3-5-sonnet-20241022', 2, 'weight')[0]).toMatchObject({ before: null, after: 0 });
    expect(find(doc, 'vip', 'claude-3-5-sonnet-20241022', 2, 'tag')[0]).toMatchObject({ before: null, after: 't1' });
    expect(find(doc, 'default', 'gpt-4o', 1, 'channel_ratio')[0]).toMatchObject({ before: 1, after: 1.5 });
    expect(find(doc, 'default', 'kling', 8, 'workflow_price')[0]).toMatchObject({ before: 100, after: null });
    // Untrimmed entries are reproduced: " vip", " pika" and the empty model "".
    expect(find(doc, ' vip', ' pika', 8)).toHaveLength(1);
    expect(find(doc, 'default', '', 8)).toHaveLength(1);
    expect(doc.warnings.join('\n')).toMatch(/LIST_ENTRY_WHITESPACE\): #8 \(/);
    expect(doc.warnings.join('\n')).toMatch(/workflow_price/);
    if (engine === 'mysql') {
      // "runway " and "runway" are one key under the column's PAD SPACE collation: only the first is written.
      expect(doc.warnings.join('\n')).toMatch(/trailing spaces ignored.*"runway" = "default" × "runway "/);
      expect(find(doc, 'default', 'runway', 8)[0]?.after).toBeNull();
    } else {
      expect(find(doc, 'default', 'runway', 8)).toHaveLength(0);
      expect(find(doc, 'default', 'runway ', 8)).toHaveLength(1);
    }
    expect(await tableCounters(fresh.db)).toEqual(before);
  });

  it('planning channel by channel gives the same plan as in one chunk', async () => {
    const schema = await readSchema(fresh.db);
    const product = detectProduct(schema);
    const whole = (await planAbilities(fresh.db, schema, product, 1000)).rows.map(rowKey).sort();
    for (const chunk of [1, 2]) expect((await planAbilities(fresh.db, schema, product, chunk)).rows.map(rowKey).sort()).toEqual(whole);
    expect(whole).toEqual(dry.plan.map(rowKey).sort());
  });

  it.skipIf(!builtCliExists())('apply (CLI) leaves exactly what the relay\'s own rebuild writes; undo restores every row byte for byte', async () => {
    const cwd = tempDir('rd-fix-ab-cli-');
    try {
      const a = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(a.code, a.stderr).toBe(0);
      const doc: FixDocument = a.json();
      expect(doc.mode).toBe('apply');
      expect(doc.plan.map(rowKey).sort()).toEqual(dry.plan.map(rowKey).sort());
      expect(doc.applied).toBe(doc.plan.length);
      expect(doc.skipped).toEqual([]);
      expect(fs.existsSync(doc.backup!)).toBe(true);
      const ours = await dumpTable(fresh.db, 'abilities');
      await relayRebuild(fresh.db);
      expect(await dumpTable(fresh.db, 'abilities')).toEqual(ours);
      const again = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--json'], { cwd: cwd.dir });
      expect(again.json().plan).toEqual([]);
      expect(again.json().panicGroups).toEqual([]);

      const u = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--undo', doc.backup!, '--yes', '--json'], { cwd: cwd.dir });
      expect(u.code, u.stderr).toBe(0);
      expect(u.json()).toMatchObject({ mode: 'undo', applied: doc.plan.length, skipped: [] });
      expect(await dumpAll()).toEqual(messed);
    } finally {
      cwd.cleanup();
    }
  });

  it('a channel or row changed between plan and apply is skipped and reported; undo restores the rest exactly', async () => {
    const { doc, exitCode } = await run({
      mode: 'apply',
      confirm: async () => {
        await fresh.db.query('UPDATE channels SET priority = 5 WHERE id = 1');
        await fresh.db.query('DELETE FROM abilities WHERE channel_id = 99');
        return true;
      },
    });
    expect(exitCode).toBe(1);
    const skipped = doc.skipped.map((s) => s as { id: { channelId: number }; reason: string });
    expect(new Set(skipped.map((s) => s.id.channelId))).toEqual(new Set([1, 99]));
    expect(skipped.filter((s) => s.id.channelId === 1).every((s) => /channel #1 changed since the plan/.test(s.reason))).toBe(true);
    expect(skipped.find((s) => s.id.channelId === 99)?.reason).toMatch(/no longer exists/);
    const ch1 = doc.plan.filter((r) => typeof r.id === 'object' && r.id.channelId === 1).length;
    expect(doc.applied).toBe(doc.plan.length - ch1 - 1);
    const undo = await run({ mode: 'undo', undo: doc.backup! });
    expect(undo.exitCode).toBe(0);
    await fresh.db.query('UPDATE channels SET priority = 0 WHERE id = 1');
    await fresh.db.query(`INSERT INTO abilities (${q(fresh.db, 'group')}, model, channel_id, enabled, priority, weight) VALUES (?, ?, ?, ?, ?, ?)`, ['default', 'minimax', 99, true, 0, 0]);
    expect(await dumpAll()).toEqual(messed);
  });

  it.skipIf(!builtCliExists())("--relay-url with --admin-token: the relay's POST /api/channel/fix does the rebuild, with a backup first", async () => {
    const TOKEN = 'AdminAccessTokenForTests1234567';
    const calls: { method?: string; url?: string; auth?: string; user?: string }[] = [];
    const server = http.createServer((req, res) => {
      calls.push({ method: req.method, url: req.url, auth: req.headers.authorization, user: req.headers['new-api-user'] as string });
      res.setHeader('Content-Type', 'application/json');
      if (req.headers.authorization !== TOKEN || req.headers['new-api-user'] !== '1') {
        res.end(JSON.stringify({ success: false, message: '无权进行此操作，New-Api-User 与登录用户不匹配' }));
        return;
      }
      relayRebuild(fresh.db).then(
        () => res.end(JSON.stringify({ success: true, message: '', data: { success: 5, fails: 0 } })),
        (err) => {
          res.statusCode = 500;
          res.end(JSON.stringify({ success: false, message: String(err) }));
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cwd = tempDir('rd-fix-ab-relay-');
    try {
      const before = await tableCounters(fresh.db);
      const refused = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--relay-url', url, '--admin-token', TOKEN, '--admin-user', '2', '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(refused.code).toBe(1);
      expect(refused.json().error).toMatchObject({ code: 'RELAY_FIX_FAILED', message: expect.stringMatching(/New-Api-User/) });
      expect(refused.json().backup).toBeNull();
      expect(await tableCounters(fresh.db)).toEqual(before);

      const r = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--relay-url', url, '--admin-token', TOKEN, '--admin-user', '1', '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(r.code, r.stderr).toBe(0);
      const doc: FixDocument = r.json();
      expect(doc.relay).toMatchObject({ url, used: true, answer: { success: 5, fails: 0 } });
      expect(doc.applied).toBe(doc.plan.length);
      expect(calls.slice(-1)[0]).toMatchObject({ method: 'POST', url: '/api/channel/fix', auth: TOKEN, user: '1' });
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(fs.readFileSync(doc.backup!, 'utf8')).not.toContain(TOKEN);
      expect((await run({})).doc.plan).toEqual([]);
      const u = await runCli(['fix-abilities', '--dsn', fresh.dsn, '--undo', doc.backup!, '--yes', '--json'], { cwd: cwd.dir });
      expect(u.code, u.stderr).toBe(0);
      expect(await dumpAll()).toEqual(messed);
    } finally {
      server.close();
      cwd.cleanup();
    }
  });
});

// The same round trip on the other schemas: new-api main (no BF columns) and one-api (no weight, tag).
for (const variant of ['na-main', 'one-api'] as RelayVariant[]) {
  describe(`fix-abilities on ${variant} [sqlite]`, () => {
    it('apply equals the relay rebuild, undo restores the table', async () => {
      const fresh = await freshDatabase('sqlite');
      const tmp = tempDir();
      try {
        const db = fresh.db;
        await createRelaySchema(db, variant);
        await insertChannel(db, { id: 1, models: 'gpt-4o,gpt-4o, o1', group: 'default,vip', priority: 3 });
        await insertChannel(db, { id: 2, models: 'claude', group: 'vip', status: 3 });
        await db.query('UPDATE abilities SET enabled = 1 WHERE channel_id = 2');
        await db.query('UPDATE channels SET priority = 7 WHERE id = 1');
        await insertChannel(db, { id: 3, models: 'gemini', group: 'svip' }, { abilities: false });
        await db.query(`INSERT INTO abilities (${q(db, 'group')}, model, channel_id, enabled, priority) VALUES ('default', 'ghost', 42, 1, 0)`);
        const before = await dumpTable(db, 'abilities');
        const ctx = contextFor(fresh.dsn);
        const base = { backupDir: path.join(tmp.dir, 'b'), version: 'test', direct: false } as const;
        const a = await runFixAbilities(ctx, { ...base, mode: 'apply' });
        expect(a.exitCode).toBe(0);
        expect(a.doc.panicGroups).toEqual([{ channelId: 3, group: 'svip' }]);
        expect(a.doc.plan.some((r) => r.column === 'weight' || r.column === 'channel_ratio')).toBe(false);
        const ours = await dumpTable(db, 'abilities');
        await relayRebuild(db);
        expect(await dumpTable(db, 'abilities')).toEqual(ours);
        const u = await runFixAbilities(ctx, { ...base, mode: 'undo', undo: a.doc.backup! });
        expect(u.exitCode).toBe(0);
        expect(await dumpTable(db, 'abilities')).toEqual(before);
      } finally {
        await fresh.drop();
        tmp.cleanup();
      }
    });
  });
}
