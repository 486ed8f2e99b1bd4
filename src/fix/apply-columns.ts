import type { Db, Queryable } from '../db/types.js';
import { str } from '../data/normalize.js';
import { chunks, lockClause, marks, stepPause } from './db.js';
import type { Skipped } from './types.js';

// Apply single-column changes (tokens.group, users.group) in one transaction. Each row is locked,
// compared with the value the plan saw, and updated only when it still holds it; a row changed
// meanwhile is reported as skipped, never overwritten.

export interface ColumnChange {
  table: 'tokens' | 'users';
  id: number;
  column: 'group';
  before: string | null;
  after: string;
}

export interface ColumnApplyResult {
  applied: ColumnChange[];
  skipped: Skipped[];
}

const CHUNK = 500;

/** The UPDATE apply runs for one (before, after) pair; shown in the dry run with values inlined. */
export function updateSql(db: Pick<Db, 'dialect'>, table: string, column: string, before: string | null, n: number): string {
  const q = db.dialect.q;
  const guard = before === null ? `${q(column)} IS NULL` : `${q(column)} = ?`;
  return `UPDATE ${q(table)} SET ${q(column)} = ? WHERE ${guard} AND id IN (${marks(n)})`;
}

async function applyChunk(tx: Queryable, table: string, column: string, rows: ColumnChange[], out: ColumnApplyResult, progress?: (s: string) => void): Promise<void> {
  const q = tx.dialect.q;
  const ids = rows.map((r) => r.id);
  const current = await tx.query(`SELECT id, ${q(column)} AS v FROM ${q(table)} WHERE id IN (${marks(ids.length)})${lockClause(tx.engine, 'update')}`, ids);
  const now = new Map(current.map((r) => [Number(r.id), str(r.v)]));
  const ok: ColumnChange[] = [];
  for (const r of rows) {
    if (!now.has(r.id)) {
      out.skipped.push({ table, id: r.id, reason: `${table} #${r.id} no longer exists` });
      continue;
    }
    const v = now.get(r.id)!;
    // Exact comparison in JS: MySQL's default collations would call 'Default' and 'default ' equal.
    if (v !== r.before) {
      out.skipped.push({ table, id: r.id, reason: `${table}.${column} is now ${JSON.stringify(v)}, the plan saw ${JSON.stringify(r.before)}: changed meanwhile, left as is` });
      continue;
    }
    ok.push(r);
  }
  const pairs = new Map<string, ColumnChange[]>();
  for (const r of ok) {
    const k = JSON.stringify([r.before, r.after]);
    const list = pairs.get(k);
    if (list) list.push(r);
    else pairs.set(k, [r]);
  }
  for (const list of pairs.values()) {
    const { before, after } = list[0]!;
    const params: unknown[] = [after, ...(before === null ? [] : [before]), ...list.map((r) => r.id)];
    await tx.query(updateSql(tx, table, column, before, list.length), params);
    out.applied.push(...list);
  }
  progress?.(`apply: ${table} ${out.applied.length} row(s) updated so far`);
  await stepPause();
}

/**
 * Run the changes in one transaction; `beforeCommit` (the backup writer) runs after the updates
 * and before COMMIT, and a throw there rolls everything back.
 */
export async function applyColumnChanges(
  db: Db,
  changes: ColumnChange[],
  beforeCommit: (result: ColumnApplyResult) => void | Promise<void>,
  progress?: (s: string) => void,
): Promise<ColumnApplyResult> {
  return db.transaction(async (tx) => {
    const out: ColumnApplyResult = { applied: [], skipped: [] };
    progress?.('apply: transaction open');
    for (const table of ['users', 'tokens'] as const) {
      const mine = changes.filter((c) => c.table === table);
      for (const chunk of chunks(mine, CHUNK)) await applyChunk(tx, table, 'group', chunk, out, progress);
    }
    await beforeCommit(out);
    progress?.('apply: committing');
    return out;
  });
}
