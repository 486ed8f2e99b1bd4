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

/** fix-abilities: one statement per planned row change, values inlined for reading. */
export function abilitiesSqlPreview(
  db: Pick<Db, 'dialect'>,
  entries: { op: 'insert' | 'delete' | 'update'; key: { group: string; model: string; channelId: number }; want?: Record<string, unknown>; fields?: string[] }[],
  limit = 200,
): string[] {
  const q = db.dialect.q;
  const val = (v: unknown) => (typeof v === 'boolean' ? db.dialect.bool(v) : v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : db.dialect.lit(String(v)));
  const where = (k: { group: string; model: string; channelId: number }) => `${q('group')} = ${db.dialect.lit(k.group)} AND model = ${db.dialect.lit(k.model)} AND channel_id = ${k.channelId}`;
  const out: string[] = [];
  for (const e of entries.slice(0, limit)) {
    if (e.op === 'delete') out.push(`DELETE FROM abilities WHERE ${where(e.key)};`);
    else if (e.op === 'update') out.push(`UPDATE abilities SET ${(e.fields ?? []).map((f) => `${q(f)} = ${val(e.want?.[f])}`).join(', ')} WHERE ${where(e.key)};`);
    else {
      const row: Record<string, unknown> = { group: e.key.group, model: e.key.model, channel_id: e.key.channelId, ...(e.want ?? {}) };
      out.push(`INSERT INTO abilities (${Object.keys(row).map(q).join(', ')}) VALUES (${Object.values(row).map(val).join(', ')});`);
    }
  }
  if (entries.length > limit) out.push(`-- … ${entries.length - limit} more row change(s)`);
  return out;
}
