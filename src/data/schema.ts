import type { Db } from '../db/types.js';

/** Table → column names (lower case), as the database reports them. */
export interface Schema {
  tables: Map<string, Set<string>>;
  /** Column → declared type, for the few places where the type matters (e.g. tokens.key). */
  types: Map<string, string>;
}

export function has(schema: Schema, table: string, column?: string): boolean {
  const cols = schema.tables.get(table);
  if (!cols) return false;
  return column === undefined || cols.has(column);
}

export async function readSchema(db: Db): Promise<Schema> {
  const tables = new Map<string, Set<string>>();
  const types = new Map<string, string>();
  const add = (t: string, c: string, type: string) => {
    const tl = t.toLowerCase();
    if (!tables.has(tl)) tables.set(tl, new Set());
    tables.get(tl)!.add(c.toLowerCase());
    types.set(`${tl}.${c.toLowerCase()}`, type.toLowerCase());
  };
  if (db.engine === 'sqlite') {
    const names = await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    for (const { name } of names) {
      const cols = await db.query<{ name: string; type: string }>(`SELECT name, type FROM pragma_table_info(?)`, [name]);
      for (const c of cols) add(name, c.name, c.type);
      if (cols.length === 0) tables.set(name.toLowerCase(), new Set());
    }
  } else {
    const where = db.engine === 'postgres' ? 'table_schema = current_schema()' : 'table_schema = DATABASE()';
    const rows = await db.query<Record<string, string>>(
      `SELECT table_name AS t, column_name AS c, data_type AS d FROM information_schema.columns WHERE ${where}`,
    );
    for (const r of rows) add(r.t ?? r.T ?? r.TABLE_NAME!, r.c ?? r.C ?? r.COLUMN_NAME!, r.d ?? r.D ?? r.DATA_TYPE ?? '');
  }
  return { tables, types };
}
