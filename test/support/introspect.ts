// Read a table's real shape back from the engine's catalogue, in one normalised form:
// types lower-case without display widths (MariaDB's bigint(20) → bigint), defaults unquoted.

import type { Queryable } from '../../src/db/types.js';

export interface ColumnInfo {
  name: string;
  /** Normalised declared type, e.g. bigint, bigint unsigned, varchar(191), char(48), boolean, json. */
  type: string;
  nullable: boolean;
  /** Default as text without quotes or casts ('' for an empty string), null when none. */
  default: string | null;
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  columns: string[];
}

export interface TableInfo {
  columns: Map<string, ColumnInfo>;
  /** Primary key columns in key order. */
  primaryKey: string[];
  /** Named indexes (primary key excluded). */
  indexes: Map<string, IndexInfo>;
  /** Columns with a column-level UNIQUE constraint (PostgreSQL, SQLite) or unique key (MySQL). */
  uniqueConstraints: string[][];
}

const PG_TYPES: Record<string, string> = {
  int8: 'bigint',
  int4: 'integer',
  bool: 'boolean',
  numeric: 'decimal',
  float4: 'real',
  float8: 'double precision',
  timestamptz: 'timestamptz',
  text: 'text',
  json: 'json',
};

function unquoteDefault(d: unknown): string | null {
  if (d === null || d === undefined) return null;
  let s = String(d).trim();
  if (/^NULL$/i.test(s)) return null;
  s = s.replace(/::[\w ]+(\(\d+\))?$/, ''); // PostgreSQL casts: 'default'::character varying
  const m = /^'(.*)'$/s.exec(s);
  return m ? m[1]!.replace(/''/g, "'") : s;
}

async function pgTable(db: Queryable, table: string): Promise<TableInfo> {
  const cols = await db.query<Record<string, unknown>>(
    `SELECT column_name AS name, udt_name AS udt, character_maximum_length AS len, is_nullable AS nullable, column_default AS def
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  const columns = new Map<string, ColumnInfo>();
  for (const c of cols) {
    const udt = String(c.udt);
    const type = udt === 'varchar' ? `varchar(${c.len})` : udt === 'bpchar' ? `char(${c.len})` : (PG_TYPES[udt] ?? udt);
    const def = String(c.def ?? '').startsWith('nextval(') ? null : unquoteDefault(c.def);
    columns.set(String(c.name), { name: String(c.name), type, nullable: c.nullable === 'YES', default: def });
  }
  const idx = await db.query<{ name: string; def: string }>(
    'SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?',
    [table],
  );
  const cons = await db.query<{ name: string; kind: string; col: string; pos: number }>(
    `SELECT tc.constraint_name AS name, tc.constraint_type AS kind, k.column_name AS col, k.ordinal_position AS pos
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
      WHERE tc.table_schema = current_schema() AND tc.table_name = ? AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
      ORDER BY tc.constraint_name, k.ordinal_position`,
    [table],
  );
  const byCons = new Map<string, { kind: string; cols: string[] }>();
  for (const r of cons) {
    const e = byCons.get(r.name) ?? { kind: r.kind, cols: [] };
    e.cols.push(r.col);
    byCons.set(r.name, e);
  }
  const primaryKey = [...byCons.values()].find((e) => e.kind === 'PRIMARY KEY')?.cols ?? [];
  const uniqueConstraints = [...byCons.values()].filter((e) => e.kind === 'UNIQUE').map((e) => e.cols);
  const constraintNames = new Set(byCons.keys());
  const indexes = new Map<string, IndexInfo>();
  for (const r of idx) {
    if (constraintNames.has(r.name)) continue; // backing index of a PK / UNIQUE constraint
    const m = /\((.*)\)\s*$/.exec(r.def);
    const columnsOf = (m?.[1] ?? '').split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    indexes.set(r.name, { name: r.name, unique: /CREATE UNIQUE INDEX/i.test(r.def), columns: columnsOf });
  }
  return { columns, primaryKey, indexes, uniqueConstraints };
}

async function mysqlTable(db: Queryable, table: string): Promise<TableInfo> {
  const cols = await db.query<Record<string, unknown>>(
    `SELECT column_name AS name, column_type AS type, is_nullable AS nullable, column_default AS def, data_type AS dt
       FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  const columns = new Map<string, ColumnInfo>();
  for (const c of cols) {
    let type = String(c.type).toLowerCase();
    if (type === 'tinyint(1)') type = 'boolean';
    type = type.replace(/^(bigint|int|tinyint|smallint)\(\d+\)/, '$1');
    columns.set(String(c.name), { name: String(c.name), type, nullable: c.nullable === 'YES', default: unquoteDefault(c.def) });
  }
  const stats = await db.query<{ name: string; nonUnique: number; col: string; seq: number }>(
    `SELECT index_name AS name, non_unique AS nonUnique, column_name AS col, seq_in_index AS seq
       FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? ORDER BY index_name, seq_in_index`,
    [table],
  );
  const indexes = new Map<string, IndexInfo>();
  let primaryKey: string[] = [];
  for (const r of stats) {
    if (r.name === 'PRIMARY') {
      primaryKey.push(r.col);
      continue;
    }
    const e = indexes.get(r.name) ?? { name: r.name, unique: Number(r.nonUnique) === 0, columns: [] };
    e.columns.push(r.col);
    indexes.set(r.name, e);
  }
  // A column-level UNIQUE becomes a unique key named after the column.
  const uniqueConstraints: string[][] = [];
  for (const [name, e] of [...indexes]) {
    if (e.unique && e.columns.length === 1 && name === e.columns[0]) {
      uniqueConstraints.push(e.columns);
      indexes.delete(name);
    }
  }
  primaryKey = [...primaryKey];
  return { columns, primaryKey, indexes, uniqueConstraints };
}

async function sqliteTable(db: Queryable, table: string): Promise<TableInfo> {
  const cols = await db.query<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>(
    'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)',
    [table],
  );
  const columns = new Map<string, ColumnInfo>();
  for (const c of cols) {
    columns.set(c.name, { name: c.name, type: c.type.toLowerCase(), nullable: !c.notnull && !c.pk, default: unquoteDefault(c.dflt_value) });
  }
  const primaryKey = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const list = await db.query<{ name: string; unique: number; origin: string }>('SELECT name, "unique", origin FROM pragma_index_list(?)', [table]);
  const indexes = new Map<string, IndexInfo>();
  const uniqueConstraints: string[][] = [];
  for (const i of list) {
    const info = await db.query<{ seqno: number; name: string }>('SELECT seqno, name FROM pragma_index_info(?) ORDER BY seqno', [i.name]);
    const columnsOf = info.map((r) => r.name);
    if (i.origin === 'pk') continue;
    if (i.origin === 'u') uniqueConstraints.push(columnsOf);
    else indexes.set(i.name, { name: i.name, unique: i.unique === 1, columns: columnsOf });
  }
  return { columns, primaryKey, indexes, uniqueConstraints };
}

/** The table's columns, primary key and indexes as the engine reports them (empty when absent). */
export async function describeTable(db: Queryable, table: string): Promise<TableInfo> {
  if (db.engine === 'postgres') return pgTable(db, table);
  if (db.engine === 'mysql') return mysqlTable(db, table);
  return sqliteTable(db, table);
}

/** Names of the base tables in the current database/schema. */
export async function listTables(db: Queryable): Promise<string[]> {
  const sql =
    db.engine === 'postgres'
      ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
      : db.engine === 'mysql'
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
        : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
  return (await db.query<{ name: string }>(sql)).map((r) => String(r.name)).sort();
}
