import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelaySchema } from '../../src/sample/ddl.js';
import { insertChannel, insertToken, insertUser, setOption } from '../../src/sample/rows.js';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { runFixGroups, type GroupsRunOptions } from '../../src/fix/groups-run.js';
import type { FixDocument, PlanRow } from '../../src/fix/types.js';
import { UsageError } from '../../src/types.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { contextFor, dumpTable, FIX_TABLES, makeF15, q, tableCounters, tempDir, type F15 } from './helpers.js';

const key = (r: Pick<PlanRow, 'table' | 'id' | 'before' | 'after'>) => `${r.table}#${String(r.id)}:${JSON.stringify(r.before)}→${JSON.stringify(r.after)}`;

describeEngines('fix-groups', (engine) => {
  let fresh: FreshDatabase;
  let seed: SeedResult;
  let f15: F15;
  const tmp = tempDir();

  const run = (o: Partial<GroupsRunOptions>, ctxMore: Parameters<typeof contextFor>[1] = {}) =>
    runFixGroups(contextFor(fresh.dsn, ctxMore), { mode: 'dry-run', backupDir: path.join(tmp.dir, 'backups'), version: 'test', users: false, ...o });

  async function groupsOf(table: 'tokens' | 'users', ids: number[]): Promise<Map<number, string>> {
    const rows = await fresh.db.query(`SELECT id, ${q(fresh.db, 'group')} AS g FROM ${table} WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
    return new Map(rows.map((r) => [Number(r.id), String(r.g)]));
  }

  async function dumpAll(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const t of FIX_TABLES) out[t] = await dumpTable(fresh.db, t);
    return out;
  }

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    seed = await seedIncident(fresh.db);
    f15 = await makeF15(fresh.db, seed);
  }, 120_000);
  afterAll(async () => {
    await fresh?.drop();
    tmp.cleanup();
  });

  it('dry run: exactly the tokens whose effective group cannot serve the passthrough models, why, and no write', async () => {
    const before = await tableCounters(fresh.db);
    const { doc, exitCode } = await run({});
    expect(exitCode).toBe(0);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'fix-groups', mode: 'dry-run', applied: 0, skipped: [], backup: null, cacheInvalidated: [] });
    expect(doc.models).toEqual({ list: ['suno', 'runway', 'pika', 'kling'], from: 'profile' });
    expect(doc.target?.group).toBe('default');
    expect(doc.target?.why).toMatch(/effective group of \d+ active token/);
    const expected = [...f15.tokens].map(([id, [before]]) => key({ table: 'tokens', id, before, after: 'default' })).sort();
    expect(doc.plan.map(key).sort()).toEqual(expected);
    for (const row of doc.plan) {
      expect(row.column).toBe('group');
      expect(row.reason).toContain(f15.tokens.get(row.id as number)![1]);
    }
    // Deleted, disabled and banned-owner tokens are left alone; the banned owner is explained.
    for (const id of f15.untouched) expect(doc.plan.some((r) => r.id === id)).toBe(false);
    expect(doc.notes.join(' ')).toMatch(/banned user/);
    expect(doc.sql?.[0]).toMatch(engine === 'postgres' ? /^UPDATE "tokens" SET "group" = 'default' WHERE "group" = ''/ : /^UPDATE `tokens` SET `group` = 'default' WHERE `group` = ''/);
    expect(await tableCounters(fresh.db)).toEqual(before);
    expect(fs.existsSync(path.join(tmp.dir, 'backups'))).toBe(false);
  });

  it('--users moves the owners tokens with an empty group follow, and keeps token rows for tokens with their own group', async () => {
    const { doc } = await run({ users: true });
    const users = doc.plan.filter((r) => r.table === 'users');
    expect(users.map(key).sort()).toEqual([...f15.users].map(([id, before]) => key({ table: 'users', id, before, after: 'default' })).sort());
    expect(users.find((u) => u.id === f15.studio)?.reason).toMatch(/^12 active token\(s\)/);
    const tokens = doc.plan.filter((r) => r.table === 'tokens').map((r) => r.id);
    expect(new Set(tokens)).toEqual(f15.tokensWithUsers);
    expect(doc.plan[0]!.table).toBe('users');
  });

  it('filters: --token-id, --user-id, --where-group (effective group)', async () => {
    expect((await run({ tokenIds: [f15.bobSvip, f15.untouched[0]!] })).doc.plan.map((r) => r.id)).toEqual([f15.bobSvip]);
    expect((await run({ userIds: [f15.erin] })).doc.plan.map((r) => r.id).sort()).toEqual([f15.erinEmpty, f15.erinOwn].sort());
    const vip = (await run({ whereGroups: ['vip'] })).doc.plan.map((r) => r.id as number).sort((a, b) => a - b);
    expect(vip).toEqual([...seed.repairedTokenIds, f15.aliceVip].sort((a, b) => a - b));
  });

  it('pages through tokens by id: any page size gives the same plan', async () => {
    const whole = (await run({})).doc.plan.map(key);
    for (const pageSize of [1, 7]) expect((await run({ pageSize })).doc.plan.map(key)).toEqual(whole);
  });

  it('--to refuses a group that cannot serve the models, is not in GroupRatio, or is auto', async () => {
    await expect(run({ to: 'vip' })).rejects.toThrow(/no channel for "suno", "runway", "pika", "kling"/);
    await expect(run({ to: 'nowhere' })).rejects.toThrow(/not in GroupRatio/);
    await expect(run({ to: 'auto' })).rejects.toBeInstanceOf(UsageError);
    // A model no group serves: no default target, and the message says which groups serve what.
    await expect(run({ models: ['runway', 'claude-3-5-sonnet-20241022'] })).rejects.toThrow(/no usable group in GroupRatio serves all/);
    // --model narrows the question: vip serves gpt-4o, so vip tokens are fine for it.
    const gpt = await run({ models: ['gpt-4o'], to: 'default' });
    expect(gpt.doc.models).toEqual({ list: ['gpt-4o'], from: 'flag' });
    expect(gpt.doc.plan.map((r) => r.id).sort()).toEqual([f15.erinEmpty, f15.erinOwn, f15.bobSvip].sort());
  });

  it.skipIf(!builtCliExists())('apply (CLI): one transaction, backup before commit, then undo restores byte-identical rows', async () => {
    const before = await dumpAll();
    const cwd = tempDir('rd-fix-cli-');
    try {
      const a = await runCli(['fix-groups', '--dsn', fresh.dsn, '--apply', '--yes', '--json'], { cwd: cwd.dir });
      expect(a.code, a.stderr).toBe(0);
      const doc: FixDocument = a.json();
      expect(doc.mode).toBe('apply');
      expect(doc.applied).toBe(f15.tokens.size);
      expect(doc.plan).toHaveLength(f15.tokens.size);
      expect(doc.skipped).toEqual([]);
      expect(doc.backup).toMatch(/relay-doctor-backups[\\/]\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-fix-groups\.json$/);
      expect(path.dirname(doc.backup!)).toBe(path.join(fs.realpathSync(cwd.dir), 'relay-doctor-backups'));
      const backup = JSON.parse(fs.readFileSync(doc.backup!, 'utf8'));
      expect(backup).toMatchObject({ kind: 'relay-doctor-backup', command: 'fix-groups', mode: 'apply', database: { engine } });
      expect(typeof backup.who).toBe('string');
      expect(Date.parse(backup.createdAt)).toBeGreaterThan(Date.now() - 120_000);
      expect(backup.rows).toHaveLength(f15.tokens.size);
      expect(backup.rows.every((r: any) => f15.tokens.get(r.id)?.[0] === r.before && r.after === 'default')).toBe(true);
      expect(JSON.stringify(backup)).not.toContain(seed.tokenKey);
      const now = await groupsOf('tokens', [...f15.tokens.keys()]);
      expect([...now.values()].every((g) => g === 'default')).toBe(true);
      // Nothing left to do: the plan is empty after the fix.
      const again = await runCli(['fix-groups', '--dsn', fresh.dsn, '--json'], { cwd: cwd.dir });
      expect(again.json().plan).toEqual([]);

      const u = await runCli(['fix-groups', '--dsn', fresh.dsn, '--undo', doc.backup!, '--yes', '--json'], { cwd: cwd.dir });
      expect(u.code, u.stderr).toBe(0);
      const undo: FixDocument = u.json();
      expect(undo).toMatchObject({ mode: 'undo', applied: f15.tokens.size, skipped: [] });
      expect(undo.backup).toMatch(/-fix-groups-undo\.json$/);
      expect(await dumpAll()).toEqual(before);
    } finally {
      cwd.cleanup();
    }
  });

  it('apply and undo with --users touch users and tokens and restore them exactly', async () => {
    const before = await dumpAll();
    const { doc, exitCode } = await run({ mode: 'apply', users: true });
    expect(exitCode).toBe(0);
    expect(doc.applied).toBe(doc.plan.length);
    expect(await groupsOf('users', [f15.studio, f15.erin])).toEqual(new Map([[f15.studio, 'default'], [f15.erin, 'default']]));
    // Studio's tokens keep their empty group: they follow the owner now.
    expect(new Set((await groupsOf('tokens', seed.repairedTokenIds)).values())).toEqual(new Set(['']));
    const undo = await run({ mode: 'undo', undo: doc.backup! });
    expect(undo.exitCode).toBe(0);
    expect(await dumpAll()).toEqual(before);
  });

  it('a row changed between plan and apply is reported as skipped, not overwritten; undo leaves it alone too', async () => {
    const g = q(fresh.db, 'group');
    const { doc, exitCode } = await run({
      mode: 'apply',
      confirm: async () => {
        // Someone fixes two tokens by hand while the operator reads the plan.
        await fresh.db.query(`UPDATE tokens SET ${g} = 'svip' WHERE id = ?`, [f15.aliceVip]);
        await fresh.db.query(`UPDATE tokens SET ${g} = 'default' WHERE id = ?`, [f15.bobSvip]);
        return true;
      },
    });
    expect(exitCode).toBe(1);
    expect(doc.skipped.map((s) => s.id).sort()).toEqual([f15.aliceVip, f15.bobSvip].sort());
    expect(doc.skipped.find((s) => s.id === f15.aliceVip)?.reason).toMatch(/now "svip", the plan saw "vip"/);
    expect(doc.applied).toBe(f15.tokens.size - 2);
    expect((await groupsOf('tokens', [f15.aliceVip])).get(f15.aliceVip)).toBe('svip');
    const backup = JSON.parse(fs.readFileSync(doc.backup!, 'utf8'));
    expect(backup.rows.map((r: any) => r.id)).not.toContain(f15.aliceVip);
    expect(backup.skipped).toHaveLength(2);
    // Undo: one restored token is changed meanwhile as well; it must be skipped, the rest restored.
    const other = seed.repairedTokenIds[0]!;
    const undo = await run({
      mode: 'undo',
      undo: doc.backup!,
      confirm: async () => {
        await fresh.db.query(`UPDATE tokens SET ${g} = 'vip' WHERE id = ?`, [other]);
        return true;
      },
    });
    expect(undo.exitCode).toBe(1);
    expect(undo.doc.skipped.map((s) => s.id)).toEqual([other]);
    const after = await groupsOf('tokens', [...f15.tokens.keys()]);
    expect(after.get(other)).toBe('vip');
    expect(after.get(f15.aliceVip)).toBe('svip');
    expect(after.get(f15.erinOwn)).toBe('enterprise');
    // Back to the F15 state for the next tests.
    await fresh.db.query(`UPDATE tokens SET ${g} = '' WHERE id = ?`, [other]);
    await fresh.db.query(`UPDATE tokens SET ${g} = 'vip' WHERE id = ?`, [f15.aliceVip]);
    await fresh.db.query(`UPDATE tokens SET ${g} = 'svip' WHERE id = ?`, [f15.bobSvip]);
  });

  it('not confirmed on the terminal: nothing written, no backup', async () => {
    const before = await tableCounters(fresh.db);
    const { doc, exitCode } = await run({ mode: 'apply', backupDir: path.join(tmp.dir, 'declined'), confirm: async () => false });
    expect(exitCode).toBe(1);
    expect(doc.applied).toBe(0);
    expect(doc.backup).toBeNull();
    expect(await tableCounters(fresh.db)).toEqual(before);
  });
});

describe('fix-groups --users on new-api with special usable groups [sqlite]', () => {
  it('warns when moving an owner takes away a group another of their tokens uses', async () => {
    const fresh = await freshDatabase('sqlite');
    const tmp = tempDir();
    try {
      const db = fresh.db;
      await createRelaySchema(db, 'na-0.9.16');
      await insertChannel(db, { id: 1, models: 'gpt-4o', group: 'default,premium' });
      await setOption(db, 'GroupRatio', { default: 1, vip: 1, premium: 2, gold: 1 });
      await setOption(db, 'UserUsableGroups', { default: 'default', vip: 'vip' });
      await setOption(db, 'group_ratio_setting.group_special_usable_group', { gold: { '+:premium': 'premium for gold' } });
      const gold = await insertUser(db, { username: 'goldie', group: 'gold' });
      const falls = (await insertToken(db, { userId: gold, group: '' })).id;
      const premium = (await insertToken(db, { userId: gold, group: 'premium' })).id;
      const ctx = contextFor(fresh.dsn);
      const base = { mode: 'dry-run' as const, backupDir: path.join(tmp.dir, 'b'), version: 'test', models: ['gpt-4o'] };
      const tokensOnly = await runFixGroups(ctx, { ...base, users: false });
      expect(tokensOnly.doc.plan.map((r) => [r.table, r.id, r.after])).toEqual([['tokens', falls, 'default']]);
      expect(tokensOnly.doc.warnings).toEqual([]);
      const withUsers = await runFixGroups(ctx, { ...base, users: true, to: 'default' });
      expect(withUsers.doc.plan.map((r) => [r.table, r.id, r.before, r.after])).toEqual([['users', gold, 'gold', 'default']]);
      expect(withUsers.doc.warnings.join(' ')).toMatch(new RegExp(`1 token\\(s\\) keep a group the new owner group may not use and would answer 403: #${premium} \\("premium"\\)`));
    } finally {
      await fresh.drop();
      tmp.cleanup();
    }
  });
});

describe('fix-groups and token group "auto" [sqlite]', () => {
  it('judges "auto" by the AutoGroups it tries, not as a group of its own', async () => {
    const fresh = await freshDatabase('sqlite');
    const tmp = tempDir();
    try {
      const seed = await seedIncident(fresh.db);
      await setOption(fresh.db, 'UserUsableGroups', { default: 'default', vip: 'vip', auto: 'auto' });
      const auto = (await insertToken(fresh.db, { userId: seed.userIds[2]!, group: 'auto' })).id;
      const base = { mode: 'dry-run' as const, backupDir: path.join(tmp.dir, 'b'), version: 'test', users: false };
      expect((await runFixGroups(contextFor(fresh.dsn), base)).doc.plan).toEqual([]);
      await setOption(fresh.db, 'AutoGroups', ['vip']);
      const { doc } = await runFixGroups(contextFor(fresh.dsn), base);
      expect(doc.plan.map((r) => [r.id, r.before, r.after])).toEqual([[auto, 'auto', 'default']]);
      expect(doc.plan[0]!.reason).toMatch(/token group "auto" tries "vip" and none has a channel for "suno", "runway", "pika", "kling"/);
    } finally {
      await fresh.drop();
      tmp.cleanup();
    }
  });
});
