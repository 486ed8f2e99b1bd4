// The relays' tables as GORM AutoMigrate creates them on a fresh install (RB §2.1–§2.10).
// Columns are described the way the Go structs tag them; typeOf() applies GORM's per-engine rules,
// so a fixture built here has the same column types, defaults and index names as a real relay.

import { dialectFor } from '../db/dialect.js';
import type { Engine, Queryable } from '../db/types.js';
import { forgetColumns } from './rows.js';

export type RelayVariant = 'na-0.9.16' | 'bf' | 'na-main' | 'na-2504' | 'one-api';
export const RELAY_VARIANTS: readonly RelayVariant[] = ['na-0.9.16', 'bf', 'na-main', 'na-2504', 'one-api'];

/** Every table this module may create, in creation order. */
export const RELAY_TABLES = ['channels', 'abilities', 'tokens', 'users', 'options', 'logs', 'setups'] as const;

/** GORM's generic kinds (the Go field type); `type` overrides them verbatim. */
type Kind = 'id' | 'int' | 'uint' | 'bool' | 'float' | 'string' | 'deletedAt';

export interface ColumnSpec {
  name: string;
  kind?: Kind;
  /** An explicit `type:` tag: used as written on every engine. */
  type?: string;
  notNull?: boolean;
  /** The DEFAULT clause's value exactly as GORM writes it. */
  def?: string;
  /** Part of a non-auto-increment primary key. */
  pk?: boolean;
  /** idx_<table>_<column>; 'unique' for uniqueIndex. */
  index?: true | 'unique';
  /** Column-level UNIQUE (the `unique` tag). */
  unique?: boolean;
}

export interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  /** Named multi-column indexes, columns in index order. */
  composites?: { name: string; columns: string[] }[];
}

const c = (name: string, kind: Kind, more: Omit<ColumnSpec, 'name' | 'kind'> = {}): ColumnSpec => ({ name, kind, ...more });
const t = (name: string, type: string, more: Omit<ColumnSpec, 'name' | 'type'> = {}): ColumnSpec => ({ name, type, ...more });
const id = (): ColumnSpec => c('id', 'id');

function channels(v: RelayVariant): TableSpec {
  if (v === 'one-api') {
    return {
      name: 'channels',
      columns: [
        id(),
        c('type', 'int', { def: '0' }),
        t('key', 'text'),
        c('status', 'int', { def: '1' }),
        c('name', 'string', { index: true }),
        c('weight', 'uint', { def: '0' }),
        c('created_time', 'int'),
        c('test_time', 'int'),
        c('response_time', 'int'),
        c('base_url', 'string', { def: "''" }),
        c('other', 'string'),
        c('balance', 'float'),
        c('balance_updated_time', 'int'),
        c('models', 'string'),
        t('group', 'varchar(32)', { def: "'default'" }),
        c('used_quota', 'int', { def: '0' }),
        t('model_mapping', 'varchar(1024)', { def: "''" }),
        c('priority', 'int', { def: '0' }),
        c('config', 'string'),
        t('system_prompt', 'text'),
      ],
    };
  }
  const cols: ColumnSpec[] = [
    id(),
    c('type', 'int', { def: '0' }),
    c('key', 'string', { notNull: true }),
    c('openai_organization', 'string'),
    c('test_model', 'string'),
    c('status', 'int', { def: '1' }),
    c('name', 'string', { index: true }),
    c('weight', 'uint', { def: '0' }),
    c('created_time', 'int'),
    c('test_time', 'int'),
    c('response_time', 'int'),
    c('base_url', 'string', { def: "''" }),
    c('other', 'string'),
    c('balance', 'float'),
    c('balance_updated_time', 'int'),
    c('models', 'string'),
    t('group', 'varchar(64)', { def: "'default'" }),
    c('used_quota', 'int', { def: '0' }),
    t('model_mapping', 'text'),
    t('status_code_mapping', 'varchar(1024)', { def: "''" }),
    c('priority', 'int', { def: '0' }),
    c('auto_ban', 'int', { def: '1' }),
    c('other_info', 'string'),
    c('tag', 'string', { index: true }),
    t('setting', 'text'),
    t('param_override', 'text'),
  ];
  if (v !== 'na-2504') {
    cols.push(t('header_override', 'text'), t('remark', 'varchar(255)'), t('channel_info', 'json'), c('settings', 'string'));
  }
  if (v === 'bf') cols.push(t('channel_ratio', 'real', { def: '1' }));
  return { name: 'channels', columns: cols };
}

function abilities(v: RelayVariant): TableSpec {
  if (v === 'one-api') {
    return {
      name: 'abilities',
      columns: [
        t('group', 'varchar(32)', { pk: true }),
        c('model', 'string', { pk: true }),
        c('channel_id', 'int', { pk: true, index: true }),
        c('enabled', 'bool'),
        c('priority', 'int', { def: '0', index: true }),
      ],
    };
  }
  const cols: ColumnSpec[] = [
    t('group', 'varchar(64)', { pk: true }),
    t('model', 'varchar(255)', { pk: true }),
    c('channel_id', 'int', { pk: true, index: true }),
    c('enabled', 'bool'),
    c('priority', 'int', { def: '0', index: true }),
    c('weight', 'uint', { def: '0', index: true }),
    c('tag', 'string', { index: true }),
  ];
  if (v === 'bf') cols.push(t('workflow_price', 'integer', { def: 'NULL' }), t('channel_ratio', 'real', { def: '1' }));
  return { name: 'abilities', columns: cols };
}

function tokens(v: RelayVariant): TableSpec {
  if (v === 'one-api') {
    return {
      name: 'tokens',
      columns: [
        id(),
        c('user_id', 'int'),
        t('key', 'char(48)', { index: 'unique' }),
        c('status', 'int', { def: '1' }),
        c('name', 'string', { index: true }),
        c('created_time', 'int'),
        c('accessed_time', 'int'),
        c('expired_time', 'int', { def: '-1' }),
        c('remain_quota', 'int', { def: '0' }),
        c('unlimited_quota', 'bool', { def: 'false' }),
        c('used_quota', 'int', { def: '0' }),
        t('models', 'text'),
        c('subnet', 'string', { def: "''" }),
      ],
    };
  }
  const main = v === 'na-main';
  const cols: ColumnSpec[] = [
    id(),
    c('user_id', 'int', { index: true }),
    t('key', main ? 'varchar(128)' : 'char(48)', { index: 'unique' }),
    c('status', 'int', { def: '1' }),
    c('name', 'string', { index: true }),
    c('created_time', 'int'),
    c('accessed_time', 'int'),
    c('expired_time', 'int', { def: '-1' }),
    c('remain_quota', 'int', { def: '0' }),
    c('unlimited_quota', 'bool'),
    c('model_limits_enabled', 'bool'),
    main ? t('model_limits', 'text') : t('model_limits', 'varchar(1024)', { def: "''" }),
    c('allow_ips', 'string', { def: "''" }),
    c('used_quota', 'int', { def: '0' }),
    c('group', 'string', { def: "''" }),
  ];
  if (v === 'bf') cols.push(t('external_user_id', 'varchar(64)', { index: true }));
  if (main) cols.push(c('cross_group_retry', 'bool'), t('auto_groups', 'text'));
  cols.push(c('deleted_at', 'deletedAt', { index: true }));
  return { name: 'tokens', columns: cols };
}

function users(v: RelayVariant): TableSpec {
  if (v === 'one-api') {
    return {
      name: 'users',
      columns: [
        id(),
        c('username', 'string', { unique: true, index: true }),
        c('password', 'string', { notNull: true }),
        c('display_name', 'string', { index: true }),
        c('role', 'int', { def: '1' }),
        c('status', 'int', { def: '1' }),
        c('email', 'string', { index: true }),
        c('github_id', 'string', { index: true }),
        c('wechat_id', 'string', { index: true }),
        c('lark_id', 'string', { index: true }),
        c('oidc_id', 'string', { index: true }),
        t('access_token', 'char(32)', { index: 'unique' }),
        c('quota', 'int', { def: '0' }),
        c('used_quota', 'int', { def: '0' }),
        c('request_count', 'int', { def: '0' }),
        t('group', 'varchar(32)', { def: "'default'" }),
        t('aff_code', 'varchar(32)', { index: 'unique' }),
        c('inviter_id', 'int', { index: true }),
      ],
    };
  }
  const main = v === 'na-main';
  const cols: ColumnSpec[] = [
    id(),
    c('username', 'string', { unique: true, index: true }),
    c('password', 'string', { notNull: true }),
    c('display_name', 'string', { index: true }),
    c('role', 'int', { def: '1' }),
    c('status', 'int', { def: '1' }),
    c('email', 'string', { index: true }),
    c('github_id', 'string', { index: true }),
  ];
  if (main) cols.push(c('discord_id', 'string', { index: true }));
  cols.push(
    c('oidc_id', 'string', { index: true }),
    c('wechat_id', 'string', { index: true }),
    c('telegram_id', 'string', { index: true }),
    t('access_token', 'char(32)', { index: 'unique' }),
    c('quota', 'int', { def: '0' }),
    c('used_quota', 'int', { def: '0' }),
    c('request_count', 'int', { def: '0' }),
    t('group', 'varchar(64)', { def: "'default'" }),
    t('aff_code', 'varchar(32)', { index: 'unique' }),
    c('aff_count', 'int', { def: '0' }),
    c('aff_quota', 'int', { def: '0' }),
    c('aff_history', 'int', { def: '0' }),
    c('inviter_id', 'int', { index: true }),
    c('deleted_at', 'deletedAt', { index: true }),
    c('linux_do_id', 'string', { index: true }),
    t('setting', 'text'),
    t('remark', 'varchar(255)'),
    t('stripe_customer', 'varchar(64)', { index: true }),
  );
  if (main) {
    cols.push(c('created_at', 'int'), c('last_login_at', 'int', { def: '0' }), t('auth_version', 'bigint', { notNull: true, def: '1' }));
  }
  return { name: 'users', columns: cols };
}

function options(): TableSpec {
  return { name: 'options', columns: [c('key', 'string', { pk: true }), c('value', 'string')] };
}

function logs(v: RelayVariant): TableSpec {
  const byType = { name: 'idx_created_at_type', columns: ['created_at', 'type'] };
  const byUserModel = { name: 'index_username_model_name', columns: ['model_name', 'username'] };
  if (v === 'one-api') {
    return {
      name: 'logs',
      columns: [
        id(),
        c('user_id', 'int', { index: true }),
        c('created_at', 'int'),
        c('type', 'int'),
        c('content', 'string'),
        c('username', 'string', { def: "''" }),
        c('token_name', 'string', { def: "''", index: true }),
        c('model_name', 'string', { def: "''", index: true }),
        c('quota', 'int', { def: '0' }),
        c('prompt_tokens', 'int', { def: '0' }),
        c('completion_tokens', 'int', { def: '0' }),
        c('channel_id', 'int', { index: true }),
        c('request_id', 'string', { def: "''" }),
        c('elapsed_time', 'int', { def: '0' }),
        c('is_stream', 'bool', { def: 'false' }),
        c('system_prompt_reset', 'bool', { def: 'false' }),
      ],
      composites: [byType, byUserModel],
    };
  }
  const main = v === 'na-main';
  const cols: ColumnSpec[] = [
    id(),
    c('user_id', 'int', { index: true }),
    c('created_at', 'int'),
    c('type', 'int'),
    c('content', 'string'),
    c('username', 'string', { def: "''", index: true }),
    c('token_name', 'string', { def: "''", index: true }),
    c('model_name', 'string', { def: "''", index: true }),
    c('quota', 'int', { def: '0' }),
    c('prompt_tokens', 'int', { def: '0' }),
    c('completion_tokens', 'int', { def: '0' }),
    c('use_time', 'int', { def: '0' }),
    c('is_stream', 'bool'),
    c('channel_id', 'int', { index: true }),
    c('channel_name', 'string'),
    c('token_id', 'int', { def: '0', index: true }),
    c('group', 'string', { index: true }),
  ];
  if (v !== 'na-2504') cols.push(c('ip', 'string', { def: "''", index: true }));
  if (main) {
    cols.push(
      t('request_id', 'varchar(64)', { def: "''", index: true }),
      t('upstream_request_id', 'varchar(128)', { def: "''", index: true }),
    );
  }
  cols.push(c('other', 'string'));
  // The (id, created_at) order of NA-0.9.x and BF was flipped in NA-main.
  const composites = [
    byType,
    byUserModel,
    { name: 'idx_created_at_id', columns: main ? ['created_at', 'id'] : ['id', 'created_at'] },
  ];
  if (main) composites.push({ name: 'idx_user_id_id', columns: ['user_id', 'id'] });
  return { name: 'logs', columns: cols, composites };
}

function setups(): TableSpec {
  return {
    name: 'setups',
    columns: [id(), t('version', 'varchar(50)', { notNull: true }), t('initialized_at', 'bigint', { notNull: true })],
  };
}

/** The table specs of one relay version. one-api has no setups table. */
export function relayTables(variant: RelayVariant): TableSpec[] {
  const out = [channels(variant), abilities(variant), tokens(variant), users(variant), options(), logs(variant)];
  if (variant !== 'one-api') out.push(setups());
  return out;
}

/** GORM's column type for this engine (RB §2.1). */
export function columnType(col: ColumnSpec, engine: Engine): string {
  if (col.type) return col.type;
  const [pg, my, lite] = ((): [string, string, string] => {
    switch (col.kind) {
      case 'id':
        return ['bigserial', 'bigint AUTO_INCREMENT', 'integer PRIMARY KEY AUTOINCREMENT'];
      case 'int':
        return ['bigint', 'bigint', 'integer'];
      case 'uint':
        return ['bigint', 'bigint unsigned', 'integer'];
      case 'bool':
        return ['boolean', 'boolean', 'numeric'];
      case 'float':
        return ['decimal', 'double', 'real'];
      case 'deletedAt':
        return ['timestamptz', 'datetime(3) NULL', 'datetime'];
      case 'string':
      default: {
        // MySQL cannot index longtext, so GORM sizes keyed, defaulted or indexed strings.
        const sized = col.pk || col.def !== undefined || col.index || col.unique;
        return ['text', sized ? 'varchar(191)' : 'longtext', 'text'];
      }
    }
  })();
  return engine === 'postgres' ? pg : engine === 'mysql' ? my : lite;
}

/** The statements GORM issues for these tables on this engine, CREATE TABLE then its indexes. */
export function relaySchemaSql(engine: Engine, variant: RelayVariant, q = dialectFor(engine).q): string[] {
  const out: string[] = [];
  for (const table of relayTables(variant)) {
    const defs = table.columns.map((col) => {
      let s = `${q(col.name)} ${columnType(col, engine)}`;
      if (col.notNull) s += ' NOT NULL';
      if (col.unique) s += ' UNIQUE';
      if (col.def !== undefined) s += ` DEFAULT ${col.def}`;
      return s;
    });
    const pk = table.columns.filter((col) => col.pk || col.kind === 'id').map((col) => col.name);
    // SQLite declares the auto-increment key inline; every other key is a table constraint.
    const inlinePk = engine === 'sqlite' && table.columns.some((col) => col.kind === 'id');
    if (pk.length && !inlinePk) defs.push(`PRIMARY KEY (${pk.map(q).join(',')})`);
    out.push(`CREATE TABLE ${q(table.name)} (${defs.join(',')})`);
    for (const col of table.columns) {
      if (!col.index) continue;
      const unique = col.index === 'unique' ? 'UNIQUE ' : '';
      out.push(`CREATE ${unique}INDEX ${q(`idx_${table.name}_${col.name}`)} ON ${q(table.name)} (${q(col.name)})`);
    }
    for (const comp of table.composites ?? []) {
      out.push(`CREATE INDEX ${q(comp.name)} ON ${q(table.name)} (${comp.columns.map(q).join(',')})`);
    }
  }
  return out;
}

/** Create the relay's tables as a fresh install of `variant` would. The database must not have them yet. */
export async function createRelaySchema(db: Queryable, variant: RelayVariant): Promise<void> {
  if (!RELAY_VARIANTS.includes(variant)) throw new Error(`unknown relay variant "${variant}"`);
  forgetColumns(db); // the row builders cache column lists per connection
  for (const sql of relaySchemaSql(db.engine, variant, db.dialect.q)) await db.query(sql);
}

/** Drop every table createRelaySchema may have made (any variant). */
export async function dropRelaySchema(db: Queryable): Promise<void> {
  forgetColumns(db);
  for (const name of RELAY_TABLES) await db.query(`DROP TABLE IF EXISTS ${db.dialect.q(name)}`);
}
