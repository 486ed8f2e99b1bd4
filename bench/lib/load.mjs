// Bulk loading of a bench relay database. Users, tokens and logs are generated inside PostgreSQL
// (INSERT … SELECT FROM generate_series): nothing crosses the wire, which beats COPY from Node.
// Per-row "randomness" is hashint8extended(i, salt): deterministic, so rebuilds are identical.

import { randomBytes } from 'node:crypto';
import { SINGLE_KEY_CHANNEL_INFO } from '../../dist/sample/rows.js';
import { makeChannels, relayOptions, USER_GROUPS } from './catalog.mjs';

// Timestamps are relative to the build time (`now`, seconds): logs cover the 30 days before it,
// so a reader of "recent" rows finds them as on a live relay.

/** A uniform draw in [0, 1) for row i; salts keep the columns independent. */
const u = (salt, i = 'i') => `((hashint8extended(${i}::bigint, ${salt}) & 2147483647)::float8 / 2147483648.0)`;

/** A 48-character [0-9A-Za-z] key, as common.GenerateKey makes (base64 of two hashes, symbols mapped). */
const keyExpr = (i = 'i') =>
  `left(translate(encode(sha256(convert_to('rd-bench-a' || ${i}, 'UTF8')) || sha256(convert_to('rd-bench-b' || ${i}, 'UTF8')), 'base64'), '+/=', 'kQz'), 48)`;

function cases(draw, pairs) {
  return `CASE ${pairs.map(([v, p]) => `WHEN ${draw} < ${p} THEN '${v}'`).join(' ')} ELSE '${pairs[pairs.length - 1][0]}' END`;
}

export async function loadUsers(c, n, now) {
  const grp = cases(u(11), USER_GROUPS);
  await c.query(`
    INSERT INTO users (id, username, password, display_name, role, status, email, github_id, oidc_id, wechat_id,
      telegram_id, access_token, quota, used_quota, request_count, "group", aff_code, aff_count, aff_quota,
      aff_history, inviter_id, deleted_at, linux_do_id, setting, remark, stripe_customer)
    SELECT i, 'user' || i, '$2a$10$' || left(encode(sha256(convert_to('pw' || i, 'UTF8')), 'hex'), 53),
      'User ' || i, CASE WHEN i = 1 THEN 100 WHEN i <= 4 THEN 10 ELSE 1 END,
      CASE WHEN i > 1 AND ${u(12)} < 0.02 THEN 2 ELSE 1 END,
      'user' || i || '@example.com', '', '', '', '', NULL,
      (${u(13)} * 50000000)::bigint, (${u(14)} * 20000000)::bigint, (${u(15)} * 5000)::bigint,
      CASE WHEN i = 1 THEN 'default' ELSE ${grp} END,
      'aff' || i, 0, 0, 0, CASE WHEN ${u(16)} < 0.1 THEN 1 + (i % 50) ELSE 0 END,
      CASE WHEN i > 1 AND ${u(17)} < 0.01 THEN to_timestamp(${now} - (${u(18)} * 86400 * 30)::int) END,
      '', '', NULL, ''
    FROM generate_series(1, ${n}) AS i`);
}

export async function loadTokens(c, n, users, now) {
  // Skewed ownership: a few users (front ends, resellers) own most tokens, as on real relays.
  const owner = `LEAST(${users}, 1 + floor(${users} * power(${u(21)}, 2.2))::int)`;
  const status = `CASE WHEN ${u(22)} < 0.93 THEN 1 WHEN ${u(22)} < 0.96 THEN 2 WHEN ${u(22)} < 0.98 THEN 3 ELSE 4 END`;
  const group = cases(u(23), [['', 0.68], ['default', 0.9], ['vip', 0.96], ['svip', 0.98], ['free', 1]]);
  const name = `CASE WHEN ${u(24)} < 0.05 THEN (ARRAY['111','222','333','default','web','app','test','ci'])[1 + (i % 8)] ELSE 'token-' || i END`;
  await c.query(`
    INSERT INTO tokens (id, user_id, "key", status, name, created_time, accessed_time, expired_time, remain_quota,
      unlimited_quota, model_limits_enabled, model_limits, allow_ips, used_quota, "group", external_user_id, deleted_at)
    SELECT i, ${owner}, ${keyExpr()}, s.status, ${name},
      ${now} - (${u(25)} * 86400 * 365)::int, ${now} - (${u(26)} * 86400 * 30)::int,
      CASE WHEN s.status = 3 THEN ${now} - 86400 WHEN ${u(27)} < 0.1 THEN ${now} + 86400 * 90 ELSE -1 END,
      CASE WHEN s.status = 4 THEN 0 ELSE (${u(28)} * 10000000)::bigint END,
      ${u(29)} < 0.4, ${u(30)} < 0.05, CASE WHEN ${u(30)} < 0.05 THEN 'gpt-4o,gpt-4o-mini,claude-sonnet-4-20250514' ELSE '' END,
      CASE WHEN ${u(31)} < 0.02 THEN '10.0.0.0/8' ELSE '' END, (${u(32)} * 3000000)::bigint, ${group},
      CASE WHEN ${u(33)} < 0.1 THEN 'ext-' || (i % 5000) ELSE '' END,
      CASE WHEN ${u(34)} < 0.03 THEN to_timestamp(${now} - (${u(35)} * 86400 * 60)::int) END
    FROM generate_series(1, ${n}) AS i, LATERAL (SELECT ${status} AS status) s`);
}

/** Channels are few: built in Node (the catalog) and sent as multi-row INSERTs. */
export async function loadChannels(c, count) {
  const channels = makeChannels(count);
  const info = JSON.stringify(SINGLE_KEY_CHANNEL_INFO);
  const cols = ['id', 'type', 'key', 'status', 'name', 'weight', 'created_time', 'test_time', 'response_time', 'base_url', 'other', 'balance',
    'balance_updated_time', 'models', 'group', 'used_quota', 'priority', 'auto_ban', 'other_info', 'tag', 'channel_info', 'settings', 'channel_ratio'];
  for (let start = 0; start < channels.length; start += 1000) {
    const batch = channels.slice(start, start + 1000);
    const params = [];
    const rows = batch.map((ch) => {
      const vals = [ch.id, ch.type, `sk-${randomBytes(24).toString('hex')}`, ch.status, ch.name, ch.weight, ch.created_time, 0, 0, ch.base_url, '',
        0, 0, ch.models, ch.group, 0, ch.priority, 1, ch.other_info ?? '', ch.tag, info, '', 1];
      return `(${vals.map((v) => `$${params.push(v)}`).join(',')})`;
    });
    await c.query(`INSERT INTO channels (${cols.map((x) => `"${x}"`).join(',')}) VALUES ${rows.join(',')}`, params);
  }
  return channels;
}

/** Abilities exactly as the relay derives them (RB §4.1): split on ',' without trim, pairs deduplicated. */
export async function loadAbilities(c) {
  await c.query(`
    INSERT INTO abilities ("group", model, channel_id, enabled, priority, weight, tag, channel_ratio)
    SELECT g, m, c.id, c.status = 1, c.priority, COALESCE(c.weight, 0), c.tag, COALESCE(c.channel_ratio, 1)
    FROM channels c, unnest(string_to_array(c."group", ',')) AS g, unnest(string_to_array(c.models, ',')) AS m
    ON CONFLICT DO NOTHING`);
}

export async function loadOptions(c, now) {
  for (const [k, v] of Object.entries(relayOptions())) await c.query(`INSERT INTO options ("key", "value") VALUES ($1, $2)`, [k, v]);
  await c.query(`INSERT INTO setups (id, version, initialized_at) VALUES (1, '', ${now - 86400 * 400})`);
}

/**
 * Consume (type 2) and error (type 5) rows over the last 30 days, each for a real token, its
 * owner and an enabled (channel, model) pair, with the `other` JSON the relay writes (RB §14.2).
 */
export async function loadLogs(c, n, tokens, now) {
  await c.query(`CREATE TEMP TABLE bench_pick AS
    SELECT row_number() OVER (ORDER BY a.channel_id, a.model) AS n, a.channel_id, a.model, ch.name AS channel_name, ch.type AS channel_type
    FROM (SELECT DISTINCT channel_id, model FROM abilities WHERE enabled) a JOIN channels ch ON ch.id = a.channel_id`);
  const [{ picks }] = (await c.query('SELECT count(*)::int AS picks FROM bench_pick')).rows;
  await c.query('CREATE UNIQUE INDEX ON bench_pick (n)');
  await c.query('ANALYZE bench_pick');
  const passthrough = `p.channel_type = 55`;
  await c.query(`
    INSERT INTO logs (id, user_id, created_at, "type", content, username, token_name, model_name, quota, prompt_tokens,
      completion_tokens, use_time, is_stream, channel_id, channel_name, token_id, "group", ip, other)
    SELECT g.i, t.user_id, ${now} - (${u(41, 'g.i')} * 86400 * 30)::int, g.typ,
      CASE WHEN g.typ = 5 THEN 'bad response status code 500'
           WHEN ${passthrough} THEN 'Bltcy透传（' || p.model || '/' || p.model || '），价格: $0.0000, 配额: 1000, 来源: base'
           ELSE '模型倍率 1.25，分组倍率 1.00，补全倍率 4.00' END,
      'user' || t.user_id, t.name, p.model,
      CASE WHEN g.typ = 5 THEN 0 ELSE (${u(42, 'g.i')} * 40000)::int END,
      (${u(43, 'g.i')} * 4000)::int, (${u(44, 'g.i')} * 1500)::int, (${u(45, 'g.i')} * 60)::int, ${u(46, 'g.i')} < 0.6,
      p.channel_id, p.channel_name, t.id, COALESCE(NULLIF(t."group", ''), 'default'), '',
      CASE WHEN g.typ = 5 THEN json_build_object('request_path', '/v1/chat/completions', 'error_type', 'upstream_error',
             'error_code', 'bad_response_status_code', 'status_code', 500, 'channel_id', p.channel_id,
             'channel_name', p.channel_name, 'channel_type', p.channel_type,
             'admin_info', json_build_object('use_channel', json_build_array(p.channel_id::text)))::text
           WHEN ${passthrough} THEN json_build_object('model_price', 0, 'completion_ratio', 1, 'model_ratio', 1, 'group_ratio', 1, 'channel_ratio', 1)::text
           ELSE json_build_object('model_ratio', 1.25, 'group_ratio', 1, 'completion_ratio', 4, 'cache_tokens', 0, 'cache_ratio', 1,
             'model_price', -1, 'user_group_ratio', -1, 'frt', (${u(47, 'g.i')} * 3000)::int, 'is_model_mapped', false,
             'admin_info', json_build_object('use_channel', json_build_array(p.channel_id::text)),
             'request_path', '/v1/chat/completions')::text END
    FROM (SELECT i, CASE WHEN ${u(40)} < 0.9 THEN 2 ELSE 5 END AS typ,
                 1 + floor(${u(48)} * ${tokens})::bigint AS tid, 1 + floor(${u(49)} * ${picks})::bigint AS pn
          FROM generate_series(1, ${n}) AS i) g
    JOIN tokens t ON t.id = g.tid
    JOIN bench_pick p ON p.n = g.pn`);
  await c.query('DROP TABLE bench_pick');
}

/** Secondary indexes are dropped before the load and rebuilt after: far faster than maintaining them row by row. */
export async function dropSecondaryIndexes(c, tables) {
  const { rows } = await c.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
     JOIN pg_class ic ON ic.relname = i.indexname
     JOIN pg_index x ON x.indexrelid = ic.oid
     WHERE i.schemaname = current_schema() AND i.tablename = ANY($1) AND NOT x.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ic.oid)`,
    [tables],
  );
  for (const r of rows) await c.query(`DROP INDEX "${r.indexname}"`);
  return rows.map((r) => r.indexdef);
}

export async function fixSequences(c, tables) {
  for (const t of tables) {
    await c.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT MAX(id) FROM "${t}"), 1))`, [t]);
  }
}
