import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/types.js';
import { columnType, createRelaySchema, dropRelaySchema, RELAY_VARIANTS, relayTables, type RelayVariant } from '../../src/sample/ddl.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { describeTable, listTables, type TableInfo } from '../support/introspect.js';

/** What the catalogue reports for a type GORM declared (MariaDB stores json as longtext, MySQL real as double). */
function reported(declared: string, engine: Engine): string[] {
  const d = declared.toLowerCase().replace(/ (auto_increment|null|primary key autoincrement)$/g, '');
  if (engine === 'postgres') return [d === 'bigserial' ? 'bigint' : d];
  if (engine === 'mysql') {
    if (d === 'json') return ['longtext', 'json'];
    if (d === 'real') return ['double'];
    if (d === 'integer') return ['int'];
    return [d.replace(/ auto_increment$/, '').replace(/ null$/, '')];
  }
  return [d.replace(/ primary key autoincrement$/, '')];
}

// One engine-specific fact per GORM rule of RB §2.1 (pg, mysql, sqlite).
const RB_TYPES: [table: string, column: string, pg: string, mysql: string, sqlite: string][] = [
  ['channels', 'id', 'bigint', 'bigint', 'integer'],
  ['channels', 'type', 'bigint', 'bigint', 'integer'],
  ['channels', 'key', 'text', 'longtext', 'text'],
  ['channels', 'name', 'text', 'varchar(191)', 'text'],
  ['channels', 'weight', 'bigint', 'bigint unsigned', 'integer'],
  ['channels', 'base_url', 'text', 'varchar(191)', 'text'],
  ['channels', 'balance', 'decimal', 'double', 'real'],
  ['channels', 'group', 'varchar(64)', 'varchar(64)', 'varchar(64)'],
  ['channels', 'status_code_mapping', 'varchar(1024)', 'varchar(1024)', 'varchar(1024)'],
  ['channels', 'tag', 'text', 'varchar(191)', 'text'],
  ['abilities', 'enabled', 'boolean', 'boolean', 'numeric'],
  ['abilities', 'model', 'varchar(255)', 'varchar(255)', 'varchar(255)'],
  ['tokens', 'key', 'char(48)', 'char(48)', 'char(48)'],
  ['tokens', 'group', 'text', 'varchar(191)', 'text'],
  ['tokens', 'unlimited_quota', 'boolean', 'boolean', 'numeric'],
  ['tokens', 'deleted_at', 'timestamptz', 'datetime(3)', 'datetime'],
  ['users', 'password', 'text', 'longtext', 'text'],
  ['users', 'quota', 'bigint', 'bigint', 'integer'],
  ['users', 'access_token', 'char(32)', 'char(32)', 'char(32)'],
  ['options', 'key', 'text', 'varchar(191)', 'text'],
  ['options', 'value', 'text', 'longtext', 'text'],
  ['logs', 'content', 'text', 'longtext', 'text'],
  ['logs', 'username', 'text', 'varchar(191)', 'text'],
  ['logs', 'is_stream', 'boolean', 'boolean', 'numeric'],
];

describe('GORM type rules (pure)', () => {
  it('sizes MySQL strings only when keyed, defaulted or indexed', () => {
    const spec = relayTables('bf').find((t) => t.name === 'channels')!;
    const col = (n: string) => spec.columns.find((c) => c.name === n)!;
    expect(columnType(col('other'), 'mysql')).toBe('longtext');
    expect(columnType(col('name'), 'mysql')).toBe('varchar(191)');
    expect(columnType(col('base_url'), 'mysql')).toBe('varchar(191)');
    expect(columnType(col('id'), 'sqlite')).toBe('integer PRIMARY KEY AUTOINCREMENT');
  });
});

describeEngines('relay DDL', (engine) => {
  let fresh: FreshDatabase;
  const schemas = new Map<RelayVariant, Map<string, TableInfo>>();

  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    for (const v of RELAY_VARIANTS) {
      await createRelaySchema(fresh.db, v);
      const tables = new Map<string, TableInfo>();
      for (const name of await listTables(fresh.db)) tables.set(name, await describeTable(fresh.db, name));
      schemas.set(v, tables);
      await dropRelaySchema(fresh.db);
    }
  }, 180_000);
  afterAll(async () => fresh?.drop());

  const table = (v: RelayVariant, name: string) => {
    const t = schemas.get(v)?.get(name);
    if (!t) throw new Error(`${v}: table ${name} missing`);
    return t;
  };
  const col = (v: RelayVariant, t: string, c: string) => table(v, t).columns.get(c);

  it('drops every table again', async () => {
    expect(await listTables(fresh.db)).toEqual([]);
  });

  it.each(RELAY_VARIANTS)('%s: every declared column exists with the engine type GORM gives it', (v) => {
    for (const spec of relayTables(v)) {
      const real = table(v, spec.name);
      expect([...real.columns.keys()]).toEqual(spec.columns.map((c) => c.name));
      for (const c of spec.columns) {
        expect(reported(columnType(c, engine), engine), `${spec.name}.${c.name}`).toContain(real.columns.get(c.name)!.type);
      }
    }
  });

  it.each(['na-0.9.16', 'bf', 'na-main', 'na-2504'] as const)('%s: types, nullability and defaults of RB §2.3–§2.8', (v) => {
    const pick = (pg: string, my: string, lite: string) => (engine === 'postgres' ? pg : engine === 'mysql' ? my : lite);
    for (const [t, c, pg, my, lite] of RB_TYPES) {
      const expected = t === 'tokens' && c === 'key' && v === 'na-main' ? 'varchar(128)' : pick(pg, my, lite);
      expect(col(v, t, c)?.type, `${t}.${c}`).toBe(expected);
    }
    expect(col(v, 'channels', 'key')?.nullable).toBe(false);
    expect(col(v, 'channels', 'group')?.default).toBe('default');
    expect(col(v, 'channels', 'status')?.default).toBe('1');
    expect(col(v, 'channels', 'base_url')?.default).toBe('');
    expect(col(v, 'channels', 'auto_ban')?.default).toBe('1');
    expect(col(v, 'tokens', 'group')?.default).toBe('');
    expect(col(v, 'tokens', 'expired_time')?.default).toBe('-1');
    expect(col(v, 'tokens', 'deleted_at')?.nullable).toBe(true);
    expect(col(v, 'users', 'group')).toMatchObject({ type: 'varchar(64)', default: 'default' });
    expect(col(v, 'users', 'password')?.nullable).toBe(false);
    expect(col(v, 'logs', 'token_name')?.default).toBe('');
  });

  it.each(RELAY_VARIANTS)('%s: keys and indexes', (v) => {
    expect(table(v, 'abilities').primaryKey).toEqual(['group', 'model', 'channel_id']);
    expect(table(v, 'channels').primaryKey).toEqual(['id']);
    expect(table(v, 'options').primaryKey).toEqual(['key']);
    expect(table(v, 'tokens').indexes.get('idx_tokens_key')).toEqual({ name: 'idx_tokens_key', unique: true, columns: ['key'] });
    expect(table(v, 'users').indexes.get('idx_users_username')).toMatchObject({ unique: false, columns: ['username'] });
    expect(table(v, 'users').uniqueConstraints).toContainEqual(['username']);
    expect(table(v, 'users').indexes.get('idx_users_access_token')).toMatchObject({ unique: true, columns: ['access_token'] });
    expect(table(v, 'users').indexes.get('idx_users_aff_code')).toMatchObject({ unique: true });
    expect(table(v, 'channels').indexes.get('idx_channels_name')?.columns).toEqual(['name']);
    expect(table(v, 'abilities').indexes.get('idx_abilities_channel_id')?.columns).toEqual(['channel_id']);
    expect(table(v, 'abilities').indexes.get('idx_abilities_priority')?.columns).toEqual(['priority']);
    const logs = table(v, 'logs').indexes;
    expect(logs.get('idx_created_at_type')?.columns).toEqual(['created_at', 'type']);
    expect(logs.get('index_username_model_name')?.columns).toEqual(['model_name', 'username']);
    if (v === 'one-api') {
      expect(logs.has('idx_created_at_id')).toBe(false);
      expect(table(v, 'tokens').indexes.has('idx_tokens_user_id')).toBe(false);
    } else {
      expect(logs.get('idx_created_at_id')?.columns).toEqual(v === 'na-main' ? ['created_at', 'id'] : ['id', 'created_at']);
      expect(table(v, 'tokens').indexes.get('idx_tokens_deleted_at')?.columns).toEqual(['deleted_at']);
      expect(table(v, 'abilities').indexes.get('idx_abilities_tag')?.columns).toEqual(['tag']);
      expect(logs.get('idx_logs_group')?.columns).toEqual(['group']);
    }
    expect(logs.has('idx_user_id_id')).toBe(v === 'na-main');
  });

  it('schema fingerprints of RB §1.2 tell the variants apart', () => {
    const has = (v: RelayVariant, t: string, c: string) => table(v, t).columns.has(c);
    for (const v of RELAY_VARIANTS) {
      const bf = v === 'bf';
      const main = v === 'na-main';
      expect(has(v, 'channels', 'channel_ratio'), v).toBe(bf);
      expect(has(v, 'abilities', 'channel_ratio'), v).toBe(bf);
      expect(has(v, 'abilities', 'workflow_price'), v).toBe(bf);
      expect(has(v, 'tokens', 'external_user_id'), v).toBe(bf);
      for (const c of ['discord_id', 'created_at', 'last_login_at', 'auth_version']) expect(has(v, 'users', c), `${v} users.${c}`).toBe(main);
      expect(has(v, 'tokens', 'cross_group_retry'), v).toBe(main);
      expect(has(v, 'tokens', 'auto_groups'), v).toBe(main);
      expect(has(v, 'logs', 'request_id'), v).toBe(main || v === 'one-api');
      expect(has(v, 'logs', 'upstream_request_id'), v).toBe(main);
      const newish = v !== 'na-2504' && v !== 'one-api';
      for (const c of ['header_override', 'remark', 'channel_info', 'settings']) expect(has(v, 'channels', c), `${v} channels.${c}`).toBe(newish);
      const family = v !== 'one-api';
      expect(has(v, 'abilities', 'weight'), v).toBe(family);
      expect(has(v, 'tokens', 'group'), v).toBe(family);
      expect(has(v, 'tokens', 'deleted_at'), v).toBe(family);
      expect(has(v, 'users', 'deleted_at'), v).toBe(family);
      expect(has(v, 'tokens', 'models'), v).toBe(!family);
      expect(has(v, 'channels', 'config'), v).toBe(!family);
      expect(has(v, 'logs', 'elapsed_time'), v).toBe(!family);
      expect(has(v, 'logs', 'ip'), v).toBe(newish);
      expect(schemas.get(v)!.has('setups'), v).toBe(family);
    }
    expect(col('na-main', 'tokens', 'model_limits')).toMatchObject({ type: 'text', default: null });
    expect(col('bf', 'tokens', 'model_limits')).toMatchObject({ type: 'varchar(1024)', default: '' });
    expect(col('na-main', 'users', 'auth_version')).toMatchObject({ type: 'bigint', nullable: false, default: '1' });
    expect(col('bf', 'channels', 'channel_ratio')).toMatchObject({ type: engine === 'mysql' ? 'double' : 'real', default: '1' });
    expect(col('bf', 'abilities', 'workflow_price')?.default).toBeNull();
    expect(col('bf', 'tokens', 'external_user_id')?.type).toBe('varchar(64)');
  });

  it('one-api per RB §2.9', () => {
    const v = 'one-api';
    expect(col(v, 'channels', 'group')).toMatchObject({ type: 'varchar(32)', default: 'default' });
    expect(col(v, 'abilities', 'group')?.type).toBe('varchar(32)');
    expect(col(v, 'users', 'group')?.type).toBe('varchar(32)');
    expect(col(v, 'channels', 'key')).toMatchObject({ type: 'text', nullable: true });
    expect(col(v, 'channels', 'model_mapping')).toMatchObject({ type: 'varchar(1024)', default: '' });
    expect(col(v, 'abilities', 'model')?.type).toBe(engine === 'mysql' ? 'varchar(191)' : 'text');
    expect(col(v, 'tokens', 'subnet')?.default).toBe('');
    expect(col(v, 'tokens', 'unlimited_quota')?.default).toMatch(/^(false|0)$/);
    expect(col(v, 'logs', 'elapsed_time')?.default).toBe('0');
    expect(table(v, 'logs').indexes.has('idx_logs_username')).toBe(false);
  });
});
