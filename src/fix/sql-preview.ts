import type { Db } from '../db/types.js';
import type { ColumnChange } from './apply-columns.js';

// The statements apply runs, with values inlined for reading (apply itself binds them).

const SHOWN_IDS = 20;

export function sqlPreview(db: Pick<Db, 'dialect'>, changes: ColumnChange[]): string[] {
  const q = db.dialect.q;
  const lit = db.dialect.lit;
  const groups = new Map<string, ColumnChange[]>();
  for (const c of changes) {
    const k = JSON.stringify([c.table, c.column, c.before, c.after]);
    const list = groups.get(k);
    if (list) list.push(c);
    else groups.set(k, [c]);
  }
  const out: string[] = [];
  for (const list of groups.values()) {
    const { table, column, before, after } = list[0]!;
    const ids = list.map((c) => c.id);
    const shown = ids.slice(0, SHOWN_IDS).join(', ') + (ids.length > SHOWN_IDS ? `, … (${ids.length} ids)` : '');
    const guard = before === null ? `${q(column)} IS NULL` : `${q(column)} = ${lit(before)}`;
    out.push(`UPDATE ${q(table)} SET ${q(column)} = ${lit(after)} WHERE ${guard} AND id IN (${shown});`);
  }
  return out;
}
