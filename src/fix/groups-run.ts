import type { RunContext } from '../context/types.js';
import type { Db } from '../db/types.js';
import { readSchema, has } from '../data/schema.js';
import { loadSnapshot, SchemaError } from '../diagnose/snapshot.js';
import { detectProduct } from '../relay/product.js';
import { relaySettings } from '../relay/settings.js';
import { applyColumnChanges, type ColumnApplyResult, type ColumnChange } from './apply-columns.js';
import { backupFileName, checkSameDatabase, prepareBackupDir, readBackup, whoAmI, writeBackupSync, type Backup } from './backup.js';
import { assertWritable, dbIdentity, FixStop, openFixDb, type DbIdentity } from './db.js';
import { takeEffect } from './effect.js';
import { chooseModels, planGroups, type GroupsOptions } from './groups-plan.js';
import { sqlPreview } from './sql-preview.js';
import { applyExitCode, emptyDocument, type FixDocument, type FixMode, type FixOutcome, type PlanRow } from './types.js';

// fix-groups end to end: dry run (read-only), apply (one transaction, backup before commit,
// cache invalidation after), undo (the same rule, in reverse).

export interface GroupsRunOptions extends GroupsOptions {
  mode: FixMode;
  undo?: string;
  backupDir: string;
  version: string;
  /** Asked before writing on a terminal; absent means consent was given (--yes). */
  confirm?: (question: string) => Promise<boolean>;
  progress?: (s: string) => void;
}

function stopDoc(doc: FixDocument, err: FixStop): FixOutcome {
  doc.error = { code: err.code, message: err.message };
  return { doc, exitCode: 3 };
}

function backupOf(o: {
  mode: 'apply' | 'undo';
  identity: DbIdentity;
  product: { product: string; family: string; build: string };
  version: string;
  plan: PlanRow[];
  result: ColumnApplyResult;
  undoOf?: string;
}): Backup<ColumnChange> {
  return {
    kind: 'relay-doctor-backup',
    version: 1,
    command: 'fix-groups',
    mode: o.mode,
    createdAt: new Date().toISOString(),
    who: whoAmI(),
    tool: `relay-doctor ${o.version}`,
    database: o.identity,
    product: o.product,
    undoOf: o.undoOf,
    plan: o.plan,
    rows: o.result.applied,
    skipped: o.result.skipped,
    note: 'written and fsynced before COMMIT: if the commit did not happen, undo finds no row holding the after-values and restores nothing',
  };
}

async function applyAndRecord(
  ctx: RunContext,
  db: Db,
  doc: FixDocument,
  changes: ColumnChange[],
  o: GroupsRunOptions,
  family: 'new-api' | 'one-api',
  product: { product: string; family: string; build: string },
  syncFrequency: number,
): Promise<FixOutcome> {
  if (!changes.length) {
    doc.notes.push('nothing to change: no backup written');
    return { doc, exitCode: 0 };
  }
  if (o.confirm && !(await o.confirm(`${doc.mode === 'undo' ? 'Restore' : 'Apply'} ${changes.length} change(s) to ${ctx.db.target.redacted}?`))) {
    doc.notes.push('not confirmed: nothing was changed');
    return { doc, exitCode: 1 };
  }
  const dir = prepareBackupDir(o.backupDir);
  const identity = await dbIdentity(db);
  const file = backupFileName(dir, 'fix-groups', doc.mode === 'undo' ? 'undo' : 'apply', new Date());
  let written = false;
  let result: ColumnApplyResult;
  try {
    result = await applyColumnChanges(
      db,
      changes,
      (res) => {
        if (!res.applied.length) return;
        writeBackupSync(file, backupOf({ mode: doc.mode === 'undo' ? 'undo' : 'apply', identity, product, version: o.version, plan: doc.plan, result: res, undoOf: doc.undoOf }));
        written = true;
        o.progress?.(`apply: backup written to ${file}`);
      },
      o.progress,
    );
  } catch (err) {
    // The transaction rolled back; a backup written for it describes nothing that happened.
    if (written) (await import('node:fs')).rmSync(file, { force: true });
    throw err;
  }
  o.progress?.('apply: committed');
  doc.applied = result.applied.length;
  doc.skipped = result.skipped;
  doc.backup = written ? file : null;
  const effect = await takeEffect(ctx, db, family, syncFrequency, result.applied);
  doc.cacheInvalidated = effect.deleted;
  doc.notes.push(...effect.notes);
  doc.warnings.push(...effect.warnings);
  return { doc, exitCode: applyExitCode(doc) };
}

async function runUndo(ctx: RunContext, o: GroupsRunOptions, doc: FixDocument): Promise<FixOutcome> {
  const file = o.undo!;
  const backup = readBackup<ColumnChange>(file, 'fix-groups');
  doc.undoOf = file;
  const db = await openFixDb(ctx, true);
  try {
    const schema = await readSchema(db);
    const here = await dbIdentity(db);
    const warn = checkSameDatabase(backup, here, file);
    if (warn) doc.warnings.push(warn);
    const tables = [...new Set(backup.rows.map((r) => r.table))];
    await assertWritable(db, tables.map((table) => ({ table, kinds: ['update'], column: 'group' })));
    const product = detectProduct(schema, ctx.profile);
    const settings = relaySettings(ctx.env.values, product);
    const changes: ColumnChange[] = backup.rows.map((r) => ({ table: r.table, id: r.id, column: 'group', before: r.after, after: r.before as string }));
    doc.plan = changes.map((c) => ({ table: c.table, id: c.id, column: c.column, before: c.before, after: c.after, reason: `undo of ${file} (${backup.createdAt}, by ${backup.who})` }));
    doc.sql = sqlPreview(db, changes);
    return await applyAndRecord(ctx, db, doc, changes, o, product.family, { product: product.product, family: product.family, build: product.build }, settings.syncFrequency);
  } finally {
    await db.close().catch(() => undefined);
  }
}

export async function runFixGroups(ctx: RunContext, o: GroupsRunOptions): Promise<FixOutcome> {
  const doc = emptyDocument('fix-groups', o.mode, o.version, ctx.db.target.redacted);
  try {
    if (o.mode === 'undo') return await runUndo(ctx, o, doc);
    const writable = o.mode === 'apply';
    const db = await openFixDb(ctx, writable);
    try {
      if (writable) {
        const schema = await readSchema(db);
        const needs = [];
        if (has(schema, 'tokens', 'group')) needs.push({ table: 'tokens', kinds: ['update' as const], column: 'group' });
        if (o.users || !has(schema, 'tokens', 'group')) needs.push({ table: 'users', kinds: ['update' as const], column: 'group' });
        await assertWritable(db, needs);
        prepareBackupDir(o.backupDir);
      }
      o.progress?.('reading options, channels and abilities');
      let chosen: { models: string[]; from: 'flag' | 'profile' } = { models: [], from: 'flag' };
      let snap;
      try {
        snap = await loadSnapshot(ctx, { db, connectMs: 0, pingMs: 0 }, ({ product, channels }) => {
          chosen = chooseModels(product.product, channels, o.models);
          return { models: chosen.models, sweep: true };
        });
      } catch (err) {
        if (err instanceof SchemaError) throw new FixStop(`${ctx.db.target.redacted}: ${err.message}`, 'SCHEMA_UNRECOGNIZED');
        throw err;
      }
      o.progress?.('planning');
      const plan = await planGroups(db, snap, chosen, o);
      doc.models = { list: plan.models, from: plan.modelsFrom };
      if (plan.target) doc.target = plan.target;
      doc.plan = plan.rows;
      doc.unfixable = plan.unfixable;
      doc.sql = plan.sql;
      doc.warnings.push(...plan.warnings);
      doc.notes.push(...plan.notes);
      doc.counts = {
        scannedTokens: plan.scanned,
        tokens: plan.changes.filter((c) => c.table === 'tokens').length,
        users: plan.changes.filter((c) => c.table === 'users').length,
        unfixable: plan.unfixable.length,
      };
      if (!snap.settings.memoryCacheOn) {
        doc.notes.push('routing evaluated as a relay with the memory cache off routes (from the abilities table); pass --env-file with the relay\'s settings if it runs with Redis or MEMORY_CACHE_ENABLED');
      }
      if (o.mode === 'dry-run') {
        if (plan.rows.length) doc.notes.push('dry run: nothing was written');
        return { doc, exitCode: 0 };
      }
      const p = snap.product;
      return await applyAndRecord(ctx, db, doc, plan.changes, o, p.family, { product: p.product, family: p.family, build: p.build }, snap.settings.syncFrequency);
    } finally {
      await db.close().catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof FixStop) return stopDoc(doc, err);
    throw err;
  }
}
