import type { Db, Queryable, Row } from '../db/types.js';
import { fpOfRow, type AbilityEntry } from './abilities-plan.js';
import { exactKey, fromRawCopy, keyOfRow, normKey, rawCopy, sameValue, valuesOf, type KeyRules, type Values } from './abilities-rows.js';
import { chunks, lockClause, marks, stepPause } from './db.js';
import type { AbilityKey, Skipped } from './types.js';

// Apply an abilities diff in one transaction: per chunk of channels, lock the channel rows and
// their abilities rows, check that each still holds what the plan saw, then delete, update and
// insert. A row or channel changed meanwhile is skipped and reported, never overwritten.

/** What the backup keeps per applied entry: enough to reverse it value for value. */
export interface AbilityBackupRow {
  op: 'insert' | 'delete' | 'update';
  key: AbilityKey;
  /** delete/update: the full row before (raw driver values). */
  before: Row | null;
  /** insert/update: the values written. */
  after: Values | null;
  fields?: string[];
}

export interface AbilityApplyResult {
  applied: AbilityEntry[];
  skipped: Skipped[];
  backupRows: AbilityBackupRow[];
}

const CHANNELS_PER_STEP = 100;
const ROWS_PER_INSERT = 50;

function matches(row: Row, seen: Values, cols: string[]): boolean {
  const now = valuesOf(row, cols);
  return cols.every((c) => sameValue(c, now[c], seen[c]));
}

async function channelFps(tx: Queryable, ids: number[], o: ApplyOptions): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const q = tx.dialect.q;
  // Columns a family lacks (one-api: tag, channel_ratio) were read as NULL by the plan too.
  const tag = o.hasTag ? 'tag' : 'NULL AS tag';
  const ratio = o.hasRatio ? 'channel_ratio' : 'NULL AS channel_ratio';
  const rows = await tx.query(`SELECT id, ${q('group')} AS ${q('group')}, models, status, priority, weight, ${tag}, ${ratio} FROM channels WHERE id IN (${marks(ids.length)})${lockClause(tx.engine, 'share')}`, ids);
  return new Map(rows.map((r) => [Number(r.id), fpOfRow(r)]));
}

function insertStatement(tx: Queryable, columns: string[], n: number): string {
  const q = tx.dialect.q;
  const one = `(${marks(columns.length)})`;
  return `INSERT INTO abilities (${columns.map(q).join(', ')}) VALUES ${Array.from({ length: n }, () => one).join(', ')}`;
}

function keyWhere(tx: Queryable): string {
  const q = tx.dialect.q;
  return `${q('group')} = ? AND model = ? AND channel_id = ?`;
}

async function step(tx: Queryable, entries: AbilityEntry[], o: ApplyOptions, out: AbilityApplyResult): Promise<void> {
  const channelIds = [...new Set(entries.map((e) => e.key.channelId))];
  const fps = o.checkChannels ? await channelFps(tx, channelIds, o) : new Map<number, string>();
  const locked = await tx.query(`SELECT * FROM abilities WHERE channel_id IN (${marks(channelIds.length)})${lockClause(tx.engine, 'update')}`, channelIds);
  const byExact = new Map(locked.map((r) => [exactKey(keyOfRow(r)), r]));
  const deleting = new Set<string>();
  const ok: AbilityEntry[] = [];
  const skip = (e: AbilityEntry, reason: string) => out.skipped.push({ table: 'abilities', id: e.key, reason });
  for (const e of entries) {
    if (o.checkChannels && e.channelFp !== undefined) {
      const now = fps.get(e.key.channelId) ?? null;
      if (now !== e.channelFp) {
        skip(e, `channel #${e.key.channelId} ${now === null ? 'was deleted' : e.channelFp === null ? 'was created' : 'changed'} since the plan: run fix-abilities again`);
        continue;
      }
    }
    const row = byExact.get(exactKey(e.key));
    if (e.op === 'insert') {
      ok.push(e);
      continue;
    }
    if (!row) {
      skip(e, 'the row no longer exists');
      continue;
    }
    const cols = Object.keys(e.seen ?? {});
    if (!matches(row, e.seen ?? {}, cols)) {
      skip(e, `the row changed since the plan (now ${JSON.stringify(valuesOf(row, cols))}): left as is`);
      continue;
    }
    if (e.op === 'delete') deleting.add(normKey(o.rules, e.key));
    ok.push(e);
  }
  // An insert is safe only when no row the table considers equal survives the deletes.
  const present = new Set(locked.map((r) => normKey(o.rules, keyOfRow(r))).filter((k) => !deleting.has(k)));
  const todo = ok.filter((e) => {
    if (e.op !== 'insert' || !present.has(normKey(o.rules, e.key))) return true;
    skip(e, 'a row with this key appeared since the plan: left as is');
    return false;
  });
  const q = tx.dialect.q;
  for (const part of chunks(todo.filter((e) => e.op === 'delete'), ROWS_PER_INSERT)) {
    const where = part.map(() => `(${keyWhere(tx)})`).join(' OR ');
    await tx.query(`DELETE FROM abilities WHERE ${where}`, part.flatMap((e) => [e.key.group, e.key.model, e.key.channelId]));
    for (const e of part) {
      const row = byExact.get(exactKey(e.key))!;
      out.backupRows.push({ op: 'delete', key: e.key, before: rawCopy(row), after: null });
    }
  }
  for (const e of todo.filter((x) => x.op === 'update')) {
    const fields = e.fields ?? Object.keys(e.want ?? {});
    const values = fields.map((f) => (e.want ?? {})[f]);
    await tx.query(`UPDATE abilities SET ${fields.map((f) => `${q(f)} = ?`).join(', ')} WHERE ${keyWhere(tx)}`, [...values, e.key.group, e.key.model, e.key.channelId]);
    out.backupRows.push({ op: 'update', key: e.key, before: rawCopy(byExact.get(exactKey(e.key))!), after: e.want ?? {}, fields });
  }
  // Inserts grouped by column list (restored rows carry every column; new ones the relay's).
  const inserts = todo.filter((x) => x.op === 'insert');
  const byCols = new Map<string, { cols: string[]; rows: { e: AbilityEntry; values: unknown[] }[] }>();
  for (const e of inserts) {
    const row: Row = e.insertRaw ? fromRawCopy(e.insertRaw) : { group: e.key.group, model: e.key.model, channel_id: e.key.channelId, ...(e.want ?? {}) };
    const cols = Object.keys(row);
    const k = cols.join(',');
    const g = byCols.get(k) ?? { cols, rows: [] };
    g.rows.push({ e, values: cols.map((c) => row[c]) });
    byCols.set(k, g);
  }
  for (const { cols, rows } of byCols.values()) {
    for (const part of chunks(rows, ROWS_PER_INSERT)) {
      await tx.query(insertStatement(tx, cols, part.length), part.flatMap((p) => p.values));
      for (const p of part) {
        const after = p.e.insertRaw ? valuesOf(fromRawCopy(p.e.insertRaw), o.cols) : (p.e.want ?? {});
        out.backupRows.push({ op: 'insert', key: p.e.key, before: null, after });
      }
    }
  }
  out.applied.push(...todo);
  o.progress?.(`apply: abilities ${out.applied.length} row change(s) so far`);
  await stepPause();
}

export interface ApplyOptions {
  rules: KeyRules;
  /** The compared columns (what the relay's rebuild writes besides the key). */
  cols: string[];
  /** Re-check the channels the plan derived rows from (off for undo: it restores rows as they were). */
  checkChannels: boolean;
  hasRatio: boolean;
  hasTag: boolean;
  progress?: (s: string) => void;
}

export async function applyAbilityEntries(
  db: Db,
  entries: AbilityEntry[],
  o: ApplyOptions,
  beforeCommit: (r: AbilityApplyResult) => void | Promise<void>,
): Promise<AbilityApplyResult> {
  return db.transaction(async (tx) => {
    const out: AbilityApplyResult = { applied: [], skipped: [], backupRows: [] };
    o.progress?.('apply: transaction open');
    const byChannel = new Map<number, AbilityEntry[]>();
    for (const e of entries) {
      const list = byChannel.get(e.key.channelId);
      if (list) list.push(e);
      else byChannel.set(e.key.channelId, [e]);
    }
    for (const ids of chunks([...byChannel.keys()].sort((a, b) => a - b), CHANNELS_PER_STEP)) {
      await step(tx, ids.flatMap((id) => byChannel.get(id)!), o, out);
    }
    await beforeCommit(out);
    o.progress?.('apply: committing');
    return out;
  });
}
