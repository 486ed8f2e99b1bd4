// The new-api `logs` table as GORM creates it (RB §2.8), per engine, in the BF / NA-0.9.x layout
// or the NA-main layout (request ids, flipped idx_created_at_id, idx_user_id_id).
import type { Engine, Queryable } from '../../src/db/types.js';

export type LogsLayout = 'bf' | 'na-main';

export function logsDdl(engine: Engine, layout: LogsLayout, opts: { withIndexes?: boolean } = {}): string[] {
  const q = (id: string) => (engine === 'postgres' ? `"${id}"` : `\`${id}\``);
  const T = {
    id: { postgres: 'bigserial PRIMARY KEY', mysql: 'bigint AUTO_INCREMENT', sqlite: 'integer PRIMARY KEY AUTOINCREMENT' }[engine],
    int: { postgres: 'bigint', mysql: 'bigint', sqlite: 'integer' }[engine],
    text: { postgres: 'text', mysql: 'longtext', sqlite: 'text' }[engine],
    keyed: { postgres: 'text', mysql: 'varchar(191)', sqlite: 'text' }[engine],
    bool: { postgres: 'boolean', mysql: 'boolean', sqlite: 'numeric' }[engine],
  };
  const cols = [
    `${q('id')} ${T.id}`,
    `${q('user_id')} ${T.int}`,
    `${q('created_at')} ${T.int}`,
    `${q('type')} ${T.int}`,
    `${q('content')} ${T.text}`,
    `${q('username')} ${T.keyed} DEFAULT ''`,
    `${q('token_name')} ${T.keyed} DEFAULT ''`,
    `${q('model_name')} ${T.keyed} DEFAULT ''`,
    `${q('quota')} ${T.int} DEFAULT 0`,
    `${q('prompt_tokens')} ${T.int} DEFAULT 0`,
    `${q('completion_tokens')} ${T.int} DEFAULT 0`,
    `${q('use_time')} ${T.int} DEFAULT 0`,
    `${q('is_stream')} ${T.bool}`,
    `${q('channel_id')} ${T.int}`,
    `${q('channel_name')} ${T.text}`,
    `${q('token_id')} ${T.int} DEFAULT 0`,
    `${q('group')} ${T.keyed}`,
    `${q('ip')} ${T.keyed} DEFAULT ''`,
  ];
  if (layout === 'na-main') cols.push(`${q('request_id')} varchar(64) DEFAULT ''`, `${q('upstream_request_id')} varchar(128) DEFAULT ''`);
  cols.push(`${q('other')} ${T.text}`);
  if (engine === 'mysql') cols.push(`PRIMARY KEY (${q('id')})`);
  const out = [`CREATE TABLE ${q('logs')} (${cols.join(', ')})`];
  if (opts.withIndexes === false) return out;
  const single = ['user_id', 'username', 'token_name', 'model_name', 'channel_id', 'token_id', 'group', 'ip'];
  if (layout === 'na-main') single.push('request_id', 'upstream_request_id');
  for (const c of single) out.push(`CREATE INDEX ${q(`idx_logs_${c}`)} ON ${q('logs')} (${q(c)})`);
  const comp: [string, string[]][] = [
    ['idx_created_at_type', ['created_at', 'type']],
    ['index_username_model_name', ['model_name', 'username']],
    ['idx_created_at_id', layout === 'na-main' ? ['created_at', 'id'] : ['id', 'created_at']],
  ];
  if (layout === 'na-main') comp.push(['idx_user_id_id', ['user_id', 'id']]);
  for (const [name, c] of comp) out.push(`CREATE INDEX ${q(name)} ON ${q('logs')} (${c.map(q).join(', ')})`);
  return out;
}

export interface SeedRow {
  created_at: number;
  type: number;
  content: string;
  model_name?: string;
  group?: string;
  channel_id?: number;
  other?: string;
  request_id?: string;
}

export async function insertLogs(db: Queryable, rows: SeedRow[], layout: LogsLayout): Promise<void> {
  const q = db.dialect.q;
  const cols = ['user_id', 'created_at', 'type', 'content', 'username', 'token_name', 'model_name', 'quota', 'is_stream', 'channel_id', 'group', 'other'];
  if (layout === 'na-main') cols.push('request_id');
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const params: unknown[] = [];
    const values = chunk.map((r) => {
      params.push(1, r.created_at, r.type, r.content, 'alice', 'tok-1', r.model_name ?? '', 0, false, r.channel_id ?? null, r.group ?? 'default', r.other ?? null);
      if (layout === 'na-main') params.push(r.request_id ?? '');
      return `(${cols.map(() => '?').join(', ')})`;
    });
    await db.query(`INSERT INTO ${q('logs')} (${cols.map(q).join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}
