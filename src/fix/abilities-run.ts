import fs from 'node:fs';
import type { RunContext } from '../context/types.js';
import type { Secret } from '../context/secret.js';
import type { Db } from '../db/types.js';
import { has, readSchema, type Schema } from '../data/schema.js';
import { detectProduct, type ProductInfo } from '../relay/product.js';
import { relaySettings } from '../relay/settings.js';
import { UsageError } from '../types.js';
import { applyAbilityEntries, type AbilityApplyResult, type AbilityBackupRow } from './abilities-apply.js';
import { planAbilities, type AbilitiesPlan, type AbilityEntry } from './abilities-plan.js';
import { comparedColumns, fromRawCopy, keyRules, rawCopy, valuesOf } from './abilities-rows.js';
import { backupFileName, checkSameDatabase, prepareBackupDir, readBackup, whoAmI, writeBackupSync, type Backup } from './backup.js';
import { assertWritable, dbIdentity, FixStop, openFixDb, type DbIdentity } from './db.js';
import { relayFixAbilities } from './relay-fix.js';
import { abilitiesSqlPreview } from './sql-preview.js';
import { applyExitCode, emptyDocument, type FixDocument, type FixMode, type FixOutcome, type PlanRow } from './types.js';

// fix-abilities end to end: dry run, apply (by SQL, or through the relay's own rebuild endpoint
// when an admin token is given), undo.

export interface AbilitiesRunOptions {
  mode: FixMode;
  undo?: string;
  backupDir: string;
  version: string;
  adminToken?: Secret;
  adminUser?: string;
  /** Apply by SQL even when the relay's endpoint could be used. */
  direct: boolean;
  confirm?: (question: string) => Promise<boolean>;
  progress?: (s: string) => void;
  /** Channels per planning step (tests use small values). */
  chunk?: number;
}

function productOf(ctx: RunContext, schema: Schema): ProductInfo {
  const product = detectProduct(schema, ctx.profile);
  if (!product.recognized) throw new FixStop(`${ctx.db.target.redacted}: not a relay database (missing ${product.missing.join(', ') || 'relay columns'})`, 'SCHEMA_UNRECOGNIZED');
  return product;
}

function writeNeeds() {
  return [{ table: 'abilities', kinds: ['insert' as const, 'update' as const, 'delete' as const], column: 'channel_id' }];
}

function backupOf(mode: 'apply' | 'undo', identity: DbIdentity, product: ProductInfo, version: string, plan: PlanRow[], rows: AbilityBackupRow[], skipped: FixDocument['skipped'], undoOf?: string, via?: string): Backup<AbilityBackupRow> {
  return {
    kind: 'relay-doctor-backup',
    version: 1,
    command: 'fix-abilities',
    mode,
    createdAt: new Date().toISOString(),
    who: whoAmI(),
    tool: `relay-doctor ${version}`,
    database: identity,
    product: { product: product.product, family: product.family, build: product.build },
    undoOf,
    plan,
    rows,
    skipped,
    note: via ?? 'written and fsynced before COMMIT: if the commit did not happen, undo finds no row holding the after-values and restores nothing',
  };
}

function effectNotes(ctx: RunContext, product: ProductInfo, viaRelay?: string): string[] {
  const s = relaySettings(ctx.env.values, product);
  const notes: string[] = [];
  if (viaRelay) notes.push(`the relay at ${viaRelay} rebuilt abilities and its own routing cache; other nodes rebuild their cache from channels within SYNC_FREQUENCY (${s.syncFrequency} s)`);
  else {
    notes.push(
      `the DB routing path (memory cache off, BF's fallback), /v1/models and pricing read abilities at once; nodes with the memory cache route from channels and pick up the abilities groups at their next rebuild (within SYNC_FREQUENCY, ${s.syncFrequency} s), which no longer panics on a missing group`,
    );
  }
  return notes;
}

/** The plan's entries as the backup of a relay-side rebuild records them (the relay changes exactly these rows). */
function plannedBackupRows(entries: AbilityEntry[]): AbilityBackupRow[] {
  return entries.map((e) => {
    if (e.op === 'insert') return { op: 'insert', key: e.key, before: null, after: e.want ?? {} };
    if (e.op === 'delete') return { op: 'delete', key: e.key, before: e.raw ?? null, after: null };
    return { op: 'update', key: e.key, before: e.raw ?? null, after: e.want ?? {}, fields: e.fields };
  });
}

async function applySql(ctx: RunContext, db: Db, doc: FixDocument, product: ProductInfo, schema: Schema, plan: Pick<AbilitiesPlan, 'entries' | 'rules' | 'cols'>, o: AbilitiesRunOptions, checkChannels: boolean): Promise<void> {
  const dir = prepareBackupDir(o.backupDir);
  const identity = await dbIdentity(db);
  const mode = doc.mode === 'undo' ? 'undo' : 'apply';
  const file = backupFileName(dir, 'fix-abilities', mode, new Date());
  let written = false;
  let result: AbilityApplyResult;
  try {
    result = await applyAbilityEntries(
      db,
      plan.entries,
      { rules: plan.rules, cols: plan.cols, checkChannels, hasRatio: has(schema, 'channels', 'channel_ratio'), hasTag: has(schema, 'channels', 'tag'), progress: o.progress },
      (r) => {
        if (!r.applied.length) return;
        writeBackupSync(file, backupOf(mode, identity, product, o.version, doc.plan, r.backupRows, r.skipped, doc.undoOf));
        written = true;
        o.progress?.(`apply: backup written to ${file}`);
      },
    );
  } catch (err) {
    if (written) fs.rmSync(file, { force: true });
    throw err;
  }
  o.progress?.('apply: committed');
  doc.applied = result.applied.reduce((n, e) => n + e.rows.length, 0);
  doc.skipped = result.skipped;
  doc.backup = written ? file : null;
  doc.notes.push(...effectNotes(ctx, product));
}

async function applyViaRelay(ctx: RunContext, db: Db, doc: FixDocument, product: ProductInfo, schema: Schema, plan: AbilitiesPlan, o: AbilitiesRunOptions): Promise<number> {
  const url = ctx.relayUrls[0]!;
  doc.relay = { url, used: true };
  const dir = prepareBackupDir(o.backupDir);
  const file = backupFileName(dir, 'fix-abilities', 'apply', new Date());
  // The relay empties the table itself: keep every row it will change on disk first.
  writeBackupSync(file, backupOf('apply', await dbIdentity(db), product, o.version, doc.plan, plannedBackupRows(plan.entries), [], undefined, `taken before POST ${url}/api/channel/fix; undo restores the rows that still hold the values the rebuild wrote`));
  o.progress?.(`apply: backup written to ${file}; calling ${url}/api/channel/fix`);
  const answer = await relayFixAbilities(url, o.adminToken!, o.adminUser);
  doc.relay.answer = { status: answer.status, success: answer.success, fails: answer.fails, message: answer.message };
  if (!answer.ok) {
    fs.rmSync(file, { force: true });
    doc.error = { code: 'RELAY_FIX_FAILED', message: answer.message ?? 'the relay refused the rebuild' };
    return 1;
  }
  doc.backup = file;
  // Read back what the relay wrote: whatever still differs is reported, not assumed fixed.
  const after = await planAbilities(db, schema, product, o.chunk);
  const left = new Map(after.entries.map((e) => [JSON.stringify(e.key), e]));
  for (const e of plan.entries) {
    const still = left.get(JSON.stringify(e.key));
    if (still) doc.skipped.push({ table: 'abilities', id: e.key, reason: `still differs after the relay's rebuild: ${still.rows.map((r) => r.reason).join('; ')}` });
    else doc.applied += e.rows.length;
  }
  if (answer.fails) doc.warnings.push(`the relay reports ${answer.fails} channel(s) whose rows it could not write`);
  if (after.entries.length > doc.skipped.length) doc.warnings.push(`after the relay's rebuild ${after.entries.length} row(s) differ from what relay-doctor expects: run fix-abilities again to see them`);
  doc.notes.push(...effectNotes(ctx, product, url));
  return applyExitCode(doc);
}

function undoEntries(rows: AbilityBackupRow[], cols: string[], reason: string): AbilityEntry[] {
  return rows.map((r): AbilityEntry => {
    if (r.op === 'insert') {
      const seen = r.after ?? {};
      return { op: 'delete', key: r.key, seen, rows: [{ table: 'abilities', id: r.key, column: '*', before: seen, after: null, reason }] };
    }
    if (r.op === 'delete') {
      const before = r.before ?? {};
      return { op: 'insert', key: r.key, insertRaw: before, rows: [{ table: 'abilities', id: r.key, column: '*', before: null, after: valuesOf(fromRawCopy(before), cols), reason }] };
    }
    const fields = r.fields ?? Object.keys(r.after ?? {});
    const raw = fromRawCopy(r.before ?? {});
    const want: Record<string, unknown> = {};
    const seen: Record<string, unknown> = {};
    for (const f of fields) {
      want[f] = raw[f];
      seen[f] = (r.after ?? {})[f];
    }
    const shown = valuesOf(raw, fields);
    return { op: 'update', key: r.key, seen, want, fields, raw: rawCopy(raw), rows: fields.map((f) => ({ table: 'abilities', id: r.key, column: f, before: seen[f], after: shown[f], reason })) };
  });
}

async function runUndo(ctx: RunContext, o: AbilitiesRunOptions, doc: FixDocument): Promise<FixOutcome> {
  const file = o.undo!;
  const backup = readBackup<AbilityBackupRow>(file, 'fix-abilities');
  doc.undoOf = file;
  const db = await openFixDb(ctx, true);
  try {
    const schema = await readSchema(db);
    const product = productOf(ctx, schema);
    const warn = checkSameDatabase(backup, await dbIdentity(db), file);
    if (warn) doc.warnings.push(warn);
    await assertWritable(db, writeNeeds());
    const cols = comparedColumns(product.family, schema.tables.get('abilities') ?? new Set());
    const entries = undoEntries(backup.rows, cols, `undo of ${file} (${backup.createdAt}, by ${backup.who})`);
    doc.plan = entries.flatMap((e) => e.rows);
    if (!entries.length) {
      doc.notes.push('the backup records no change: nothing to restore');
      return { doc, exitCode: 0 };
    }
    if (o.confirm && !(await o.confirm(`Restore ${doc.plan.length} abilities change(s) on ${ctx.db.target.redacted}?`))) {
      doc.notes.push('not confirmed: nothing was changed');
      return { doc, exitCode: 1 };
    }
    await applySql(ctx, db, doc, product, schema, { entries, rules: await keyRules(db), cols }, o, false);
    return { doc, exitCode: applyExitCode(doc) };
  } finally {
    await db.close().catch(() => undefined);
  }
}

export async function runFixAbilities(ctx: RunContext, o: AbilitiesRunOptions): Promise<FixOutcome> {
  const doc = emptyDocument('fix-abilities', o.mode, o.version, ctx.db.target.redacted);
  try {
    if (o.mode === 'undo') return await runUndo(ctx, o, doc);
    const relayReady = ctx.relayUrls.length > 0 && o.adminToken !== undefined && !o.direct;
    const viaRelay = o.mode === 'apply' && relayReady;
    const db = await openFixDb(ctx, o.mode === 'apply' && !viaRelay);
    try {
      const schema = await readSchema(db);
      const product = productOf(ctx, schema);
      if (viaRelay && product.family === 'one-api') throw new UsageError('one-api has no POST /api/channel/fix: drop --admin-token (or pass --direct) to apply the diff by SQL');
      if (o.mode === 'apply' && !viaRelay) {
        await assertWritable(db, writeNeeds());
        prepareBackupDir(o.backupDir);
      }
      o.progress?.('planning: channels and abilities, chunk by chunk');
      const plan = await planAbilities(db, schema, product, o.chunk);
      doc.plan = plan.rows;
      doc.panicGroups = plan.panicGroups;
      doc.counts = { ...plan.counts };
      doc.sql = abilitiesSqlPreview(db, plan.entries);
      doc.warnings.push(...plan.warnings);
      doc.notes.push(...plan.notes);
      if (!plan.rows.length) doc.notes.push("the abilities table already equals what the relay's rebuild writes");
      if (o.mode === 'dry-run') {
        if (plan.rows.length) {
          doc.notes.push(
            relayReady
              ? `with --apply relay-doctor calls POST ${ctx.relayUrls[0]}/api/channel/fix (the relay's own rebuild, which also refreshes that node's cache); --direct applies the same diff by SQL`
              : product.family === 'new-api'
                ? "apply with --apply (one transaction, backup first); or let the relay rebuild itself, refreshing that node's cache: --relay-url <node> --admin-token <users.access_token> [--admin-user <id>] --apply"
                : 'apply with --apply (one transaction, backup first)',
          );
          doc.notes.push('dry run: nothing was written');
        }
        return { doc, exitCode: 0 };
      }
      if (!plan.rows.length) return { doc, exitCode: 0 };
      const how = viaRelay ? `through POST ${ctx.relayUrls[0]}/api/channel/fix` : `on ${ctx.db.target.redacted}`;
      if (o.confirm && !(await o.confirm(`Apply ${plan.rows.length} abilities change(s) ${how}?`))) {
        doc.notes.push('not confirmed: nothing was changed');
        return { doc, exitCode: 1 };
      }
      if (viaRelay) return { doc, exitCode: await applyViaRelay(ctx, db, doc, product, schema, plan, o) };
      await applySql(ctx, db, doc, product, schema, plan, o, true);
      return { doc, exitCode: applyExitCode(doc) };
    } finally {
      await db.close().catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof FixStop) {
      doc.error = { code: err.code, message: err.message };
      return { doc, exitCode: 3 };
    }
    throw err;
  }
}
