import { Secret } from '../context/secret.js';
import type { Db, Row } from '../db/types.js';
import type { AbilityRow, ChannelRow, OptionMap, TokenRow, UserRow } from '../relay/model.js';
import { bool, int, isSet, num, str } from './normalize.js';
import { has, type Schema } from './schema.js';

// Bounded reads of the relay's tables. Nothing here loads a large table whole: channels and
// options are small; abilities are read per model; tokens and users per row or as aggregates.

/** Columns a table lacks in this version are read as NULL under the same name. */
function selectList(db: Db, schema: Schema, table: string, cols: string[], alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return cols.map((c) => (has(schema, table, c) ? `${p}${db.dialect.q(c)}` : `NULL AS ${db.dialect.q(c)}`)).join(', ');
}

export async function loadOptions(db: Db, schema: Schema): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!has(schema, 'options')) return out;
  const rows = await db.query(`SELECT ${db.dialect.q('key')} AS k, ${db.dialect.q('value')} AS v FROM options`);
  for (const r of rows) out.set(String(r.k), str(r.v) ?? '');
  return out;
}

const CHANNEL_COLS = [
  'id', 'type', 'key', 'status', 'name', 'weight', 'base_url', 'models', 'group', 'priority', 'tag', 'auto_ban',
  'model_mapping', 'status_code_mapping', 'setting', 'settings', 'param_override', 'header_override', 'other_info',
  'channel_info', 'channel_ratio', 'test_model', 'other',
];

export function toChannel(r: Row): ChannelRow {
  const storage = r.ci_storage === undefined ? undefined : (['blob', 'text', 'null'].includes(String(r.ci_storage)) ? (String(r.ci_storage) as 'blob' | 'text' | 'null') : 'other');
  return {
    id: int(r.id),
    type: int(r.type),
    name: str(r.name),
    status: int(r.status),
    key: new Secret(str(r.key) ?? ''),
    baseUrl: str(r.base_url),
    models: str(r.models),
    group: str(r.group),
    priority: num(r.priority),
    weight: num(r.weight),
    tag: str(r.tag),
    autoBan: num(r.auto_ban),
    modelMapping: str(r.model_mapping),
    statusCodeMapping: str(r.status_code_mapping),
    setting: str(r.setting),
    settings: str(r.settings),
    paramOverride: str(r.param_override),
    headerOverride: str(r.header_override),
    otherInfo: str(r.other_info),
    channelInfo: str(r.channel_info),
    channelInfoStorage: storage,
    channelRatio: num(r.channel_ratio),
    testModel: str(r.test_model),
    other: str(r.other),
  };
}

export async function loadChannels(db: Db, schema: Schema, where?: { ids: number[] }): Promise<ChannelRow[]> {
  if (!has(schema, 'channels')) return [];
  let sql = `SELECT ${selectList(db, schema, 'channels', CHANNEL_COLS)}`;
  if (db.engine === 'sqlite' && has(schema, 'channels', 'channel_info')) sql += `, typeof(channel_info) AS ci_storage`;
  sql += ' FROM channels';
  const params: unknown[] = [];
  if (where) {
    if (where.ids.length === 0) return [];
    sql += ` WHERE id IN (${where.ids.map(() => '?').join(',')})`;
    params.push(...where.ids);
  }
  sql += ' ORDER BY id';
  return (await db.query(sql, params)).map(toChannel);
}

function toAbility(r: Row): AbilityRow {
  return {
    group: str(r.group) ?? '',
    model: str(r.model) ?? '',
    channelId: int(r.channel_id),
    enabled: bool(r.enabled),
    priority: num(r.priority),
    weight: num(r.weight),
    tag: str(r.tag),
  };
}

export interface AbilityFacts {
  /** DISTINCT abilities.group: the groups the cache rebuild pre-creates (RB §4.3.1). */
  groups: Set<string>;
  /** Rows for the models of interest. */
  rows: AbilityRow[];
  /** Rows whose channel does not exist (first 50) and their total. */
  dangling: AbilityRow[];
  danglingCount: number;
  nullPriorityCount: number;
  total: number;
}

export async function loadAbilities(db: Db, schema: Schema, models: string[]): Promise<AbilityFacts> {
  const empty: AbilityFacts = { groups: new Set(), rows: [], dangling: [], danglingCount: 0, nullPriorityCount: 0, total: 0 };
  if (!has(schema, 'abilities')) return empty;
  const q = db.dialect.q;
  const names = ['group', 'model', 'channel_id', 'enabled', 'priority', 'weight', 'tag'];
  const cols = selectList(db, schema, 'abilities', names);
  const [groups, rows, dangling, counts] = await Promise.all([
    db.query(`SELECT DISTINCT ${q('group')} AS g FROM abilities`),
    models.length
      ? db.query(`SELECT ${cols} FROM abilities WHERE model IN (${models.map(() => '?').join(',')})`, models)
      : Promise.resolve([]),
    db.query(
      `SELECT ${selectList(db, schema, 'abilities', names, 'a')} FROM abilities a LEFT JOIN channels c ON c.id = a.channel_id WHERE c.id IS NULL LIMIT 50`,
    ),
    db.query(
      `SELECT count(*) AS total, ` +
        `(SELECT count(*) FROM abilities a LEFT JOIN channels c ON c.id = a.channel_id WHERE c.id IS NULL) AS dangling, ` +
        `(SELECT count(*) FROM abilities WHERE priority IS NULL) AS nullprio FROM abilities`,
    ),
  ]);
  const c = counts[0] ?? {};
  return {
    groups: new Set(groups.map((r) => str(r.g) ?? '')),
    rows: rows.map(toAbility),
    dangling: dangling.map(toAbility),
    danglingCount: int(c.dangling),
    nullPriorityCount: int(c.nullprio),
    total: int(c.total),
  };
}

const TOKEN_COLS = [
  'id', 'user_id', 'key', 'status', 'name', 'expired_time', 'remain_quota', 'unlimited_quota', 'model_limits_enabled',
  'model_limits', 'allow_ips', 'group', 'deleted_at', 'models', 'subnet',
];

export function toToken(r: Row): TokenRow {
  return {
    id: int(r.id),
    userId: num(r.user_id),
    key: new Secret(str(r.key) ?? ''),
    status: int(r.status),
    name: str(r.name),
    expiredTime: int(r.expired_time, -1),
    remainQuota: int(r.remain_quota),
    unlimitedQuota: bool(r.unlimited_quota),
    modelLimitsEnabled: bool(r.model_limits_enabled),
    modelLimits: str(r.model_limits),
    allowIps: str(r.allow_ips),
    group: str(r.group),
    deleted: isSet(r.deleted_at),
    models: str(r.models),
    subnet: str(r.subnet),
  };
}

export type TokenLookup = { key: string } | { id: number } | { name: string };

/** Soft-deleted rows are included on purpose: the report names them rather than saying "not found". */
export async function findTokens(db: Db, schema: Schema, by: TokenLookup, limit = 5): Promise<TokenRow[]> {
  if (!has(schema, 'tokens')) return [];
  const q = db.dialect.q;
  const [col, val] = 'key' in by ? [q('key'), by.key] : 'id' in by ? ['id', by.id] : ['name', by.name];
  const rows = await db.query(`SELECT ${selectList(db, schema, 'tokens', TOKEN_COLS)} FROM tokens WHERE ${col} = ? ORDER BY id LIMIT ${limit}`, [val]);
  return rows.map(toToken);
}

const USER_COLS = ['id', 'username', 'role', 'status', 'group', 'deleted_at', 'auth_version', 'setting'];

export async function findUser(db: Db, schema: Schema, id: number): Promise<UserRow | undefined> {
  if (!has(schema, 'users')) return undefined;
  const rows = await db.query(`SELECT ${selectList(db, schema, 'users', USER_COLS)} FROM users WHERE id = ?`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: int(r.id),
    username: str(r.username),
    role: int(r.role, 1),
    status: int(r.status, 1),
    group: str(r.group),
    deleted: isSet(r.deleted_at),
    authVersion: num(r.auth_version),
    setting: str(r.setting),
  };
}

export interface GroupUse {
  tokenGroup: string | null;
  userGroup: string | null;
  tokens: number;
}

/** Active tokens by (token group, owner group): the groups requests actually use. */
export async function loadGroupUse(db: Db, schema: Schema): Promise<GroupUse[]> {
  if (!has(schema, 'tokens') || !has(schema, 'users')) return [];
  const q = db.dialect.q;
  const tokenGroup = has(schema, 'tokens', 'group') ? `t.${q('group')}` : 'NULL';
  const notDeleted = has(schema, 'tokens', 'deleted_at') ? 't.deleted_at IS NULL AND ' : '';
  const userLive = has(schema, 'users', 'deleted_at') ? ' AND u.deleted_at IS NULL' : '';
  const rows = await db.query(
    `SELECT ${tokenGroup} AS tg, u.${q('group')} AS ug, count(*) AS n FROM tokens t LEFT JOIN users u ON u.id = t.user_id${userLive} ` +
      `WHERE ${notDeleted}t.status = 1 GROUP BY ${tokenGroup === 'NULL' ? '' : `${tokenGroup}, `}u.${q('group')}`,
  );
  return rows.map((r) => ({ tokenGroup: str(r.tg), userGroup: str(r.ug), tokens: int(r.n) }));
}

/** Stored keys the relay's parser can never produce (they contain '-' or start with sk-). One read of tokens. */
export async function loadMalformedKeys(db: Db, schema: Schema): Promise<{ ids: number[]; count: number }> {
  if (!has(schema, 'tokens')) return { ids: [], count: 0 };
  const q = db.dialect.q;
  const live = has(schema, 'tokens', 'deleted_at') ? ' AND deleted_at IS NULL' : '';
  const rows = await db.query(
    `SELECT id, count(*) OVER () AS n FROM tokens WHERE (${q('key')} LIKE ? OR ${q('key')} LIKE ?)${live} ORDER BY id LIMIT 20`,
    ['%-%', 'sk-%'],
  );
  return { ids: rows.map((r) => int(r.id)), count: int(rows[0]?.n) };
}

export type { OptionMap };
