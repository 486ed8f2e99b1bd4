// Row builders for fixtures: they write what the relay's own code would write, per engine.
// They introspect the table first, so one call works on every relay version: a column the
// schema lacks is left out, unless the caller set it explicitly (then it is an error).

import { randomInt } from 'node:crypto';
import type { Queryable } from '../db/types.js';

const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A random [0-9a-zA-Z] string, like the relay's common.GenerateKey (48 characters). */
export function randomKey(length = 48): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The channel_info the ORM writes for a single-key channel (RB §2.3). */
export const SINGLE_KEY_CHANNEL_INFO = {
  is_multi_key: false,
  multi_key_size: 0,
  multi_key_status_list: null,
  multi_key_polling_index: 0,
  multi_key_mode: '',
};

const columnCache = new WeakMap<Queryable, Map<string, Set<string>>>();

/** Column names of a table (empty set when the table does not exist). Cached per connection object. */
export async function tableColumns(db: Queryable, table: string): Promise<Set<string>> {
  let byTable = columnCache.get(db);
  if (!byTable) columnCache.set(db, (byTable = new Map()));
  const hit = byTable.get(table);
  if (hit) return hit;
  const sql =
    db.engine === 'postgres'
      ? 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?'
      : db.engine === 'mysql'
        ? 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?'
        : 'SELECT name FROM pragma_table_info(?)';
  const rows = await db.query<{ name: string }>(sql, [table]);
  const cols = new Set(rows.map((r) => String(r.name)));
  if (cols.size) byTable.set(table, cols);
  return cols;
}

/** Forget cached columns (after a schema change on the same connection object). */
export function forgetColumns(db: Queryable): void {
  columnCache.delete(db);
}

/** A soft-delete timestamp in the form each engine's driver stores (SQLite: GORM's text form). */
function deletedAtValue(db: Queryable, at: Date | true | undefined | null): unknown {
  if (at === undefined || at === null) return undefined;
  const d = at === true ? new Date() : at;
  return db.engine === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', '+00:00') : d;
}

/**
 * Insert one row. `row` holds column → value; undefined values are left to the column default.
 * A column the table lacks throws, unless it is listed in `lenient` (a builder's default, not the
 * caller's wish): then it is dropped. Returns the new id (tables with an id column), else 0.
 */
export async function insertRow(
  db: Queryable,
  table: string,
  row: Record<string, unknown>,
  lenient: Iterable<string> = [],
): Promise<number> {
  const cols = await tableColumns(db, table);
  if (!cols.size) throw new Error(`table ${table} does not exist`);
  const soft = new Set(lenient);
  const entries: [string, unknown][] = [];
  for (const [name, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (!cols.has(name)) {
      if (soft.has(name)) continue;
      throw new Error(`${table}.${name} does not exist in this relay version's schema`);
    }
    entries.push([name, value]);
  }
  const hasId = cols.has('id');
  let id = hasId ? (row.id as number | undefined) : undefined;
  // MySQL has no RETURNING (MariaDB does, MySQL 8 does not): pick the next id ourselves.
  if (hasId && id === undefined && db.engine === 'mysql') {
    const [r] = await db.query<{ n: number }>(`SELECT COALESCE(MAX(id), 0) + 1 AS n FROM ${db.dialect.q(table)}`);
    id = Number(r?.n ?? 1);
    entries.unshift(['id', id]);
  }
  const q = db.dialect.q;
  const names = entries.map(([n]) => q(n)).join(', ');
  const marks = entries.map(() => '?').join(', ');
  let sql = entries.length
    ? `INSERT INTO ${q(table)} (${names}) VALUES (${marks})`
    : db.engine === 'mysql'
      ? `INSERT INTO ${q(table)} () VALUES ()`
      : `INSERT INTO ${q(table)} DEFAULT VALUES`;
  const returning = hasId && id === undefined;
  if (returning) sql += ' RETURNING id';
  const out = await db.query<{ id: number }>(sql, entries.map(([, v]) => v));
  if (returning) id = Number(out[0]?.id);
  // An explicit id does not move a PostgreSQL sequence; the relay's next insert would collide.
  if (hasId && !returning && db.engine === 'postgres') {
    await db.query(`SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT MAX(id) FROM ${q(table)}))`, [q(table)]);
  }
  return id ?? 0;
}

/**
 * Merge caller values over builder defaults: column → [caller value, default]. Columns the
 * caller left undefined are lenient (dropped where the relay version lacks them).
 */
function withDefaults(spec: Record<string, [unknown, unknown?]>, extra: Record<string, unknown> = {}) {
  const row: Record<string, unknown> = {};
  const lenient: string[] = [];
  for (const [col, [given, fallback]] of Object.entries(spec)) {
    if (given !== undefined) row[col] = given;
    else {
      row[col] = fallback;
      lenient.push(col);
    }
  }
  return { row: { ...row, ...extra }, lenient };
}

// ---------------------------------------------------------------- users

export interface UserRow {
  id?: number;
  username?: string;
  /** Stored as given; default is a bcrypt-shaped hash that matches no password. */
  password?: string;
  displayName?: string;
  role?: number;
  status?: number;
  email?: string;
  group?: string;
  quota?: number;
  usedQuota?: number;
  requestCount?: number;
  affCode?: string;
  accessToken?: string | null;
  inviterId?: number;
  setting?: string;
  remark?: string;
  /** Soft delete (new-api): true = now. */
  deletedAt?: Date | true | null;
  authVersion?: number;
  createdAt?: number;
  lastLoginAt?: number;
  /** Raw extra columns. */
  extra?: Record<string, unknown>;
}

let serial = 0;
const unique = (prefix: string) => `${prefix}${(++serial).toString(36)}${randomKey(3)}`;

export async function insertUser(db: Queryable, u: UserRow = {}): Promise<number> {
  const oneApi = !(await tableColumns(db, 'users')).has('deleted_at');
  const username = u.username ?? unique('user');
  const { row, lenient } = withDefaults(
    {
      id: [u.id],
      username: [username],
      password: [u.password, `$2a$10$${randomKey(53)}`],
      display_name: [u.displayName, username],
      role: [u.role, 1],
      status: [u.status, 1],
      email: [u.email, ''],
      group: [u.group, 'default'],
      quota: [u.quota, 5_000_000],
      used_quota: [u.usedQuota, 0],
      request_count: [u.requestCount, 0],
      // Both are unique indexes: the relays fill aff_code always, one-api also access_token.
      aff_code: [u.affCode, randomKey(4) + unique('')],
      access_token: [u.accessToken, oneApi ? randomKey(32) : undefined],
      inviter_id: [u.inviterId, 0],
      setting: [u.setting, ''],
      remark: [u.remark],
      deleted_at: [deletedAtValue(db, u.deletedAt)],
      auth_version: [u.authVersion],
      created_at: [u.createdAt, nowSeconds()],
      last_login_at: [u.lastLoginAt],
    },
    u.extra,
  );
  return insertRow(db, 'users', row, lenient);
}

// ---------------------------------------------------------------- tokens

export interface TokenRow {
  id?: number;
  userId: number;
  name?: string;
  /** Stored key as given (without sk- normally); default: a fresh random 48-character key. */
  key?: string;
  status?: number;
  /** new-api family only ('' = use the user's group). */
  group?: string;
  createdTime?: number;
  accessedTime?: number;
  expiredTime?: number;
  remainQuota?: number;
  unlimitedQuota?: boolean;
  modelLimitsEnabled?: boolean;
  modelLimits?: string;
  allowIps?: string | null;
  usedQuota?: number;
  deletedAt?: Date | true | null;
  /** BF only. */
  externalUserId?: string;
  /** NA-main only. */
  crossGroupRetry?: boolean;
  autoGroups?: string;
  /** one-api only. */
  models?: string | null;
  subnet?: string;
  extra?: Record<string, unknown>;
}

/** Insert a token; returns its id and the raw stored key (no sk-). Keep the key out of output. */
export async function insertToken(db: Queryable, tk: TokenRow): Promise<{ id: number; key: string }> {
  const key = tk.key ?? randomKey(48);
  const now = nowSeconds();
  const { row, lenient } = withDefaults(
    {
      id: [tk.id],
      user_id: [tk.userId],
      key: [key],
      status: [tk.status, 1],
      name: [tk.name, unique('token-')],
      created_time: [tk.createdTime, now],
      accessed_time: [tk.accessedTime, now],
      expired_time: [tk.expiredTime, -1],
      remain_quota: [tk.remainQuota, 500_000],
      unlimited_quota: [tk.unlimitedQuota, false],
      model_limits_enabled: [tk.modelLimitsEnabled, false],
      model_limits: [tk.modelLimits, ''],
      allow_ips: [tk.allowIps, ''],
      used_quota: [tk.usedQuota, 0],
      group: [tk.group, ''],
      deleted_at: [deletedAtValue(db, tk.deletedAt)],
      external_user_id: [tk.externalUserId, ''],
      cross_group_retry: [tk.crossGroupRetry, false],
      auto_groups: [tk.autoGroups],
      models: [tk.models],
      subnet: [tk.subnet, ''],
    },
    tk.extra,
  );
  const id = await insertRow(db, 'tokens', row, lenient);
  return { id, key };
}

// ---------------------------------------------------------------- channels and abilities

export interface ChannelRow {
  id?: number;
  type?: number;
  /** Upstream key(s); default a random sk- key. */
  key?: string;
  name?: string;
  status?: number;
  models?: string;
  group?: string;
  priority?: number | null;
  weight?: number | null;
  tag?: string | null;
  /** null stores NULL (no fallback to the type's default host, RB §3.8). */
  baseUrl?: string | null;
  modelMapping?: string | null;
  statusCodeMapping?: string | null;
  setting?: string | null;
  paramOverride?: string | null;
  headerOverride?: string | null;
  otherInfo?: string | Record<string, unknown>;
  /** Object or raw JSON text; null stores NULL. Default: the single-key state. */
  channelInfo?: Record<string, unknown> | string | null;
  /** BF only. */
  channelRatio?: number | null;
  autoBan?: number | null;
  testModel?: string | null;
  openaiOrganization?: string | null;
  other?: string;
  remark?: string | null;
  settings?: string;
  createdTime?: number;
  testTime?: number;
  responseTime?: number;
  balance?: number;
  usedQuota?: number;
  /** one-api only. */
  config?: string;
  systemPrompt?: string | null;
  extra?: Record<string, unknown>;
}

export interface ChannelWriteOptions {
  /** Also write abilities rows as the relay's AddAbilities does (default true). */
  abilities?: boolean;
  /**
   * SQLite only: how channel_info is stored. The relay writes bytes (a BLOB); 'text' reproduces
   * hand-written SQL, which the relay cannot scan back (failure F47).
   */
  channelInfoAs?: 'blob' | 'text';
}

export async function insertChannel(db: Queryable, ch: ChannelRow = {}, opts: ChannelWriteOptions = {}): Promise<number> {
  const models = ch.models ?? 'gpt-4o-mini';
  const group = ch.group ?? 'default';
  const status = ch.status ?? 1;
  const priority = ch.priority !== undefined ? ch.priority : 0;
  const weight = ch.weight !== undefined ? ch.weight : 0;
  const channelRatio = ch.channelRatio !== undefined ? ch.channelRatio : 1;
  const info = ch.channelInfo === undefined ? SINGLE_KEY_CHANNEL_INFO : ch.channelInfo;
  const infoText = info === null ? null : typeof info === 'string' ? info : JSON.stringify(info);
  const asBlob = db.engine === 'sqlite' && (opts.channelInfoAs ?? 'blob') === 'blob';
  const infoValue = infoText !== null && asBlob ? Buffer.from(infoText, 'utf8') : infoText;
  const json = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
  const { row, lenient } = withDefaults(
    {
      id: [ch.id],
      type: [ch.type, 1],
      key: [ch.key, `sk-${randomKey(48)}`],
      openai_organization: [ch.openaiOrganization],
      test_model: [ch.testModel],
      status: [ch.status, 1],
      name: [ch.name, unique('channel-')],
      weight: [ch.weight, 0],
      created_time: [ch.createdTime, nowSeconds()],
      test_time: [ch.testTime, 0],
      response_time: [ch.responseTime, 0],
      base_url: [ch.baseUrl, ''],
      other: [ch.other, ''],
      balance: [ch.balance, 0],
      balance_updated_time: [undefined, 0],
      models: [ch.models, models],
      group: [ch.group, group],
      used_quota: [ch.usedQuota, 0],
      model_mapping: [ch.modelMapping],
      status_code_mapping: [ch.statusCodeMapping],
      priority: [ch.priority, 0],
      auto_ban: [ch.autoBan, 1],
      other_info: [json(ch.otherInfo), ''],
      tag: [ch.tag],
      setting: [ch.setting],
      param_override: [ch.paramOverride],
      header_override: [ch.headerOverride],
      remark: [ch.remark],
      channel_info: ch.channelInfo === undefined ? [undefined, infoValue] : [infoValue === null ? null : infoValue],
      settings: [ch.settings, ''],
      channel_ratio: [ch.channelRatio, 1],
      config: [ch.config, ''],
      system_prompt: [ch.systemPrompt],
    },
    ch.extra,
  );
  const id = await insertRow(db, 'channels', row, lenient);
  if (opts.abilities ?? true) {
    await writeAbilities(db, { id, models, group, status, priority, weight, tag: ch.tag ?? null, channelRatio });
  }
  return id;
}

export interface AbilitySource {
  id: number;
  models: string;
  group: string;
  status: number;
  priority?: number | null;
  weight?: number | null;
  tag?: string | null;
  channelRatio?: number | null;
}

export interface AbilityRow {
  group: string;
  model: string;
  channel_id: number;
  enabled: boolean;
  priority: number | null;
  weight: number;
  tag: string | null;
  channel_ratio: number;
}

/**
 * The abilities rows the relay derives from a channel (RB §4.1): models × groups split on ','
 * without trimming, duplicate pairs skipped, enabled = status 1, copies of priority, weight
 * (NULL read as 0), tag and, in BF, channel_ratio (NULL read as 1).
 */
export function abilityRows(ch: AbilitySource): AbilityRow[] {
  const seen = new Set<string>();
  const rows: AbilityRow[] = [];
  for (const model of ch.models.split(',')) {
    for (const group of ch.group.split(',')) {
      const k = `${group}\u0000${model}`;
      if (seen.has(k)) continue;
      seen.add(k);
      rows.push({
        group,
        model,
        channel_id: ch.id,
        enabled: ch.status === 1,
        priority: ch.priority === undefined ? 0 : ch.priority,
        weight: ch.weight ?? 0,
        tag: ch.tag ?? null,
        channel_ratio: ch.channelRatio ?? 1,
      });
    }
  }
  return rows;
}

/** Insert a channel's abilities; an existing (group, model, channel_id) row is kept, like ON CONFLICT DO NOTHING. */
export async function writeAbilities(db: Queryable, ch: AbilitySource): Promise<number> {
  const cols = await tableColumns(db, 'abilities');
  const q = db.dialect.q;
  const rows = abilityRows(ch);
  for (const r of rows) {
    const entries = Object.entries(r).filter(([k]) => cols.has(k));
    const names = entries.map(([k]) => q(k)).join(', ');
    const marks = entries.map(() => '?').join(', ');
    const values = entries.map(([, v]) => v);
    const sql =
      db.engine === 'postgres'
        ? `INSERT INTO ${q('abilities')} (${names}) VALUES (${marks}) ON CONFLICT DO NOTHING`
        : db.engine === 'mysql'
          ? `INSERT IGNORE INTO ${q('abilities')} (${names}) VALUES (${marks})`
          : `INSERT OR IGNORE INTO ${q('abilities')} (${names}) VALUES (${marks})`;
    await db.query(sql, values);
  }
  return rows.length;
}

// ---------------------------------------------------------------- options and logs

/** Set an option (insert or replace). Objects are stored as JSON text, as the admin API does. */
export async function setOption(db: Queryable, key: string, value: string | number | boolean | object): Promise<void> {
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const q = db.dialect.q;
  const sql =
    db.engine === 'mysql'
      ? `INSERT INTO ${q('options')} (${q('key')}, ${q('value')}) VALUES (?, ?) ON DUPLICATE KEY UPDATE ${q('value')} = VALUES(${q('value')})`
      : `INSERT INTO ${q('options')} (${q('key')}, ${q('value')}) VALUES (?, ?) ON CONFLICT (${q('key')}) DO UPDATE SET ${q('value')} = excluded.${q('value')}`;
  await db.query(sql, [key, text]);
}

export interface LogRow {
  id?: number;
  userId: number;
  createdAt?: number;
  /** 2 consume, 5 error (new-api), … (RB §14.1). */
  type?: number;
  content?: string;
  username?: string;
  tokenName?: string;
  modelName?: string;
  quota?: number;
  promptTokens?: number;
  completionTokens?: number;
  useTime?: number;
  isStream?: boolean;
  channelId?: number;
  tokenId?: number;
  group?: string;
  ip?: string;
  other?: string | Record<string, unknown>;
  /** NA-main and one-api. */
  requestId?: string;
  upstreamRequestId?: string;
  /** one-api only (ms). */
  elapsedTime?: number;
  extra?: Record<string, unknown>;
}

export async function insertLog(db: Queryable, l: LogRow): Promise<number> {
  const { row, lenient } = withDefaults(
    {
      id: [l.id],
      user_id: [l.userId],
      created_at: [l.createdAt, nowSeconds()],
      type: [l.type, 2],
      content: [l.content, ''],
      username: [l.username, ''],
      token_name: [l.tokenName, ''],
      model_name: [l.modelName, ''],
      quota: [l.quota, 0],
      prompt_tokens: [l.promptTokens, 0],
      completion_tokens: [l.completionTokens, 0],
      use_time: [l.useTime, 0],
      is_stream: [l.isStream, false],
      channel_id: [l.channelId, 0],
      token_id: [l.tokenId, 0],
      group: [l.group, ''],
      ip: [l.ip, ''],
      other: [typeof l.other === 'object' ? JSON.stringify(l.other) : l.other, ''],
      request_id: [l.requestId, ''],
      upstream_request_id: [l.upstreamRequestId, ''],
      elapsed_time: [l.elapsedTime, 0],
    },
    l.extra,
  );
  return insertRow(db, 'logs', row, lenient);
}
