import type { Db, Queryable } from '../db/types.js';
import type { LogRow } from './types.js';

export interface IndexInfo {
  name: string;
  columns: string[];
}

export interface LogsTableInfo {
  table: string;
  columns: Set<string>;
  indexes: IndexInfo[];
  /** The index the time-range query rides on: its first column is created_at. */
  timeIndex?: IndexInfo;
}

/** The logs table is missing, lacks required columns, or has no index to read it by time. */
export class LogsTableError extends Error {}

const REQUIRED = ['id', 'created_at', 'type', 'content'];
const WANTED = ['id', 'created_at', 'type', 'content', 'model_name', 'group', 'channel_id', 'channel_name', 'token_name', 'user_id', 'use_time', 'request_id', 'other'];

type Q = Pick<Db, 'engine' | 'dialect' | 'query'>;

async function columnsOf(db: Q, table: string): Promise<string[]> {
  if (db.engine === 'sqlite') return (await db.query<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])).map((r) => r.name.toLowerCase());
  const where = db.engine === 'postgres' ? 'table_schema = current_schema()' : 'table_schema = DATABASE()';
  const rows = await db.query<{ col: string }>(`SELECT column_name AS col FROM information_schema.columns WHERE ${where} AND table_name = ?`, [table]);
  return rows.map((r) => String(r.col).toLowerCase());
}

async function indexesOf(db: Q, table: string): Promise<IndexInfo[]> {
  const byName = new Map<string, string[]>();
  const add = (name: string, col: string) => {
    const list = byName.get(name) ?? [];
    list.push(col.toLowerCase());
    byName.set(name, list);
  };
  if (db.engine === 'sqlite') {
    for (const { name } of await db.query<{ name: string }>('SELECT name FROM pragma_index_list(?)', [table])) {
      const cols = await db.query<{ name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [name]);
      for (const c of cols) add(name, c.name);
    }
  } else if (db.engine === 'postgres') {
    const rows = await db.query<{ name: string; col: string }>(
      `SELECT i.relname AS name, a.attname AS col
         FROM pg_index x
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace ns ON ns.oid = t.relnamespace
         JOIN pg_class i ON i.oid = x.indexrelid
         CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE t.relname = ? AND ns.nspname = current_schema()
        ORDER BY i.relname, k.ord`,
      [table],
    );
    for (const r of rows) add(r.name, r.col);
  } else {
    const rows = await db.query<{ name: string; col: string }>(
      'SELECT index_name AS name, column_name AS col FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? ORDER BY index_name, seq_in_index',
      [table],
    );
    for (const r of rows) add(String(r.name), String(r.col));
  }
  return [...byName].map(([name, columns]) => ({ name, columns }));
}

/** Read the logs table's columns and indexes from the catalogue (information_schema, pg_index, PRAGMA). */
export async function detectLogsTable(db: Q, table = 'logs'): Promise<LogsTableInfo> {
  const cols = await columnsOf(db, table);
  if (cols.length === 0) throw new LogsTableError(`no ${table} table in this database (is LOG_SQL_DSN set on the relay?)`);
  const missing = REQUIRED.filter((c) => !cols.includes(c));
  if (missing.length) throw new LogsTableError(`the ${table} table lacks ${missing.join(', ')}: not a new-api/one-api logs table`);
  const indexes = await indexesOf(db, table);
  const lead = indexes.filter((i) => i.columns[0] === 'created_at');
  const timeIndex =
    lead.find((i) => i.columns[1] === 'type') ?? lead.find((i) => i.columns[1] === 'id') ?? lead.sort((a, b) => a.columns.length - b.columns.length)[0];
  return { table, columns: new Set(cols), indexes, timeIndex };
}

export interface LogsQueryOptions {
  /** Unix seconds, inclusive. */
  since: number;
  /** Unix seconds, exclusive. */
  until: number;
  /** logs.type values; default [5, 2] (errors, consumes). */
  types?: number[];
  /** Rows per page (default 2000). */
  pageSize?: number;
  /** Stop after this many rows (default unlimited). */
  limit?: number;
  /** Read even without a created_at index (a range scan becomes a table scan). Default false. */
  allowScan?: boolean;
}

export interface LogsCursor {
  createdAt: number;
  type: number;
  id: number;
}

const int = (v: number, name: string) => {
  if (!Number.isInteger(v)) throw new LogsTableError(`${name} must be an integer`);
  return v;
};

/**
 * One keyset page, ordered to match the time index: (created_at, type, id) when the index is
 * (created_at, type), else (created_at, id). The leading `created_at >= ?` bound keeps every
 * page an index range scan; the OR only filters rows of the boundary second.
 */
export function buildLogsPageQuery(db: Pick<Db, 'dialect'>, info: LogsTableInfo, o: LogsQueryOptions, cursor?: LogsCursor): { sql: string; params: unknown[] } {
  const q = db.dialect.q;
  const cols = WANTED.filter((c) => info.columns.has(c)).map(q).join(', ');
  const types = (o.types ?? [5, 2]).map((t) => int(t, 'type'));
  const byType = info.timeIndex?.columns[1] === 'type';
  const ca = q('created_at');
  const ty = q('type');
  const id = q('id');
  const where = [`${ca} >= ?`, `${ca} < ?`];
  const params: unknown[] = [cursor ? cursor.createdAt : int(o.since, 'since'), int(o.until, 'until')];
  if (types.length) where.push(`${ty} IN (${types.join(', ')})`);
  if (cursor) {
    if (byType) {
      where.push(`(${ca} > ? OR ${ty} > ? OR (${ty} = ? AND ${id} > ?))`);
      params.push(cursor.createdAt, cursor.type, cursor.type, cursor.id);
    } else {
      where.push(`(${ca} > ? OR ${id} > ?)`);
      params.push(cursor.createdAt, cursor.id);
    }
  }
  const order = byType ? `${ca}, ${ty}, ${id}` : `${ca}, ${id}`;
  const size = int(o.pageSize ?? 2000, 'pageSize');
  return { sql: `SELECT ${cols} FROM ${q(info.table)} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${size}`, params };
}

const n = (v: unknown): number | undefined => {
  if (v === null || v === undefined || v === '') return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
};
const s = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/** A raw row → LogRow, with channel, status code, error code and path taken from `other`. */
export function toLogRow(r: Record<string, unknown>): LogRow {
  const row: LogRow = { id: n(r.id) ?? 0, createdAt: n(r.created_at) ?? 0, type: n(r.type) ?? 0, content: s(r.content) ?? '' };
  const set = <K extends keyof LogRow>(k: K, v: LogRow[K] | undefined) => {
    if (v !== undefined && v !== '') row[k] = v;
  };
  set('model', s(r.model_name));
  if (r.group !== undefined && r.group !== null) row.group = s(r.group);
  set('channelId', n(r.channel_id) || undefined);
  set('channelName', s(r.channel_name));
  set('tokenName', s(r.token_name));
  set('userId', n(r.user_id));
  set('useTime', n(r.use_time));
  set('requestId', s(r.request_id));
  const raw = s(r.other);
  if (raw && raw.trim() !== '') {
    try {
      const o = JSON.parse(raw) as Record<string, unknown>;
      if (o && typeof o === 'object') {
        set('statusCode', n(o.status_code));
        set('errorCode', s(o.error_code));
        set('errorType', s(o.error_type));
        set('requestPath', s(o.request_path));
        if (row.channelId === undefined) set('channelId', n(o.channel_id) || undefined);
        if (row.channelName === undefined) set('channelName', s(o.channel_name));
        const admin = o.admin_info as Record<string, unknown> | undefined;
        const use = admin && Array.isArray(admin.use_channel) ? admin.use_channel.map(n).filter((x): x is number => x !== undefined) : undefined;
        if (use && use.length) row.useChannels = use;
      }
    } catch {
      row.otherInvalid = true;
    }
  }
  return row;
}

/**
 * Read error and consume rows of a time window through the created_at index, page by page
 * (keyset pagination, LIMIT per page): never a full scan.
 */
export async function* readLogsTable(db: Queryable, info: LogsTableInfo, o: LogsQueryOptions): AsyncGenerator<LogRow> {
  if (!info.timeIndex && !o.allowScan) {
    throw new LogsTableError(`the ${info.table} table has no index starting with created_at: reading it by time would scan the whole table`);
  }
  const pageSize = o.pageSize ?? 2000;
  let cursor: LogsCursor | undefined;
  let read = 0;
  for (;;) {
    const size = o.limit !== undefined ? Math.min(pageSize, o.limit - read) : pageSize;
    if (size <= 0) return;
    const { sql, params } = buildLogsPageQuery(db, info, { ...o, pageSize: size }, cursor);
    const rows = await db.query(sql, params);
    for (const r of rows) {
      const row = toLogRow(r);
      read++;
      yield row;
    }
    if (rows.length < size) return;
    const lastRow = toLogRow(rows[rows.length - 1]!);
    cursor = { createdAt: lastRow.createdAt, type: lastRow.type, id: lastRow.id };
  }
}
