import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/types.js';
import { runFixGroups } from '../../src/fix/groups-run.js';
import type { PlanRow } from '../../src/fix/types.js';
import { insertToken } from '../../src/sample/rows.js';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { builtCliExists, ROOT } from '../support/cli.js';
import { engineInfo, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { contextFor, dumpTable, makeF15, q, tempDir } from './helpers.js';

// SIGKILL at random moments of `fix-groups --apply`: the database is always all-before or
// all-after, never in between. The CLI pauses between its update chunks (test hook) so that many
// kills land inside the open transaction; its --verbose markers tell where each kill landed.

const EXTRA_TOKENS = 1200; // three update chunks of 500
const STEP_DELAY_MS = 120;

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  marks: Record<string, number>;
}

function spawnApply(dsn: string, cwd: string, killAfterMs?: number): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', RELAY_DOCTOR_APPLY_STEP_DELAY_MS: String(STEP_DELAY_MS) };
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/relay-doctor'), 'fix-groups', '--dsn', dsn, '--apply', '--yes', '--json', '--verbose'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const marks: Record<string, number> = {};
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      stderr += d;
      for (const m of ['transaction open', 'committing', 'committed']) if (marks[m] === undefined && stderr.includes(`apply: ${m}`)) marks[m] = performance.now() - started;
    });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, signal, stderr, marks });
    });
  });
}

function engines(): { engine: Engine; runs: number }[] {
  const pg = engineInfo('postgres').mode === 'server';
  return pg ? [{ engine: 'sqlite', runs: 12 }, { engine: 'postgres', runs: 10 }] : [{ engine: 'sqlite', runs: 22 }];
}

for (const { engine, runs } of engines()) {
  describe.skipIf(!builtCliExists())(`fix-groups --apply killed with SIGKILL [${engine}]`, () => {
    let fresh: FreshDatabase;
    const cwd = tempDir('rd-fix-kill-');
    let before: string[];
    let after: string[];
    let plan: PlanRow[];

    const state = async () => [...(await dumpTable(fresh.db, 'tokens')), ...(await dumpTable(fresh.db, 'users'))];

    async function reset(): Promise<void> {
      const g = q(fresh.db, 'group');
      const byBefore = new Map<string, number[]>();
      for (const r of plan) byBefore.set(String(r.before), [...(byBefore.get(String(r.before)) ?? []), r.id as number]);
      for (const [value, ids] of byBefore) await fresh.db.query(`UPDATE tokens SET ${g} = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [value, ...ids]);
    }

    beforeAll(async () => {
      fresh = await freshDatabase(engine);
      const seed = await seedIncident(fresh.db);
      const f15 = await makeF15(fresh.db, seed);
      await fresh.db.transaction(async (tx) => {
        for (let i = 0; i < EXTRA_TOKENS; i++) await insertToken(tx, { userId: f15.studio, name: `bulk-${i}`, group: '' });
      });
      before = await state();
    }, 180_000);
    afterAll(async () => {
      await fresh?.drop();
      cwd.cleanup();
    });

    it(`is all-before or all-after at every kill (${runs} runs)`, async () => {
      // A full run first: the after-state and where the transaction starts and ends in time.
      const full = await spawnApply(fresh.dsn, cwd.dir);
      expect(full.code, full.stderr).toBe(0);
      after = await state();
      expect(after).not.toEqual(before);
      const open = full.marks['transaction open']!;
      const done = full.marks.committed!;
      expect(done - open).toBeGreaterThan(STEP_DELAY_MS * 2);
      // Nothing is left to fix after it; the plan it ran is in its backup.
      const doc = (await runFixGroups(contextFor(fresh.dsn, { cwd: cwd.dir }), { mode: 'dry-run', backupDir: path.join(cwd.dir, 'b'), version: 'test', users: false })).doc;
      expect(doc.plan).toEqual([]);
      const dir = path.join(cwd.dir, 'relay-doctor-backups');
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      plan = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')).plan;
      expect(plan.length).toBe(12 + 4 + EXTRA_TOKENS);
      await reset();
      expect(await state()).toEqual(before);

      const outcomes: string[] = [];
      let midTransaction = 0;
      for (let i = 0; i < runs; i++) {
        // Mostly inside the transaction, sometimes before it opens, at the commit or after it.
        const at = Math.max(0, open - 100 + Math.random() * (done - open + 400));
        const r = await spawnApply(fresh.dsn, cwd.dir, at);
        const s = await state();
        const which = JSON.stringify(s) === JSON.stringify(before) ? 'before' : JSON.stringify(s) === JSON.stringify(after) ? 'after' : 'MIXED';
        const where = r.signal !== 'SIGKILL' ? 'finished' : r.marks.committing !== undefined ? 'at commit' : r.marks['transaction open'] !== undefined ? 'in transaction' : 'before the transaction';
        outcomes.push(`${Math.round(at)}ms ${where} → ${which}`);
        expect(which, outcomes.join('\n')).not.toBe('MIXED');
        if (where === 'in transaction' || where === 'before the transaction') expect(which, outcomes.join('\n')).toBe('before');
        if (where === 'finished') expect(`${which} (exit ${r.code}: ${r.stderr.trim().split('\n').pop()})`, outcomes.join('\n')).toBe('after (exit 0: relay-doctor: apply: committed)');
        if (where === 'in transaction') midTransaction++;
        if (which === 'after') await reset();
        expect(await state()).toEqual(before);
      }
      expect(midTransaction, outcomes.join('\n')).toBeGreaterThan(0);
    }, 240_000);
  });
}
