import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/db/types.js';
import { analyzeRows } from '../../src/logs/analyze.js';
import { buildLogsPageQuery, detectLogsTable, LogsTableError, readLogsTable } from '../../src/logs/table.js';
import type { LogRow } from '../../src/logs/types.js';
import { describeEngines, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { insertLogs, logsDdl, type LogsLayout, type SeedRow } from './ddl.js';

const T0 = 1_763_388_000; // 2025-11-17T14:00:00Z
const UNTIL = T0 + 3600;

function seed(): SeedRow[] {
  const rows: SeedRow[] = [{ created_at: T0 - 7200, type: 5, content: 'too early', channel_id: 1, other: '{"status_code":502,"error_code":"bad_response_status_code"}' }];
  for (let i = 0; i < 12; i++) {
    // ties on created_at, types interleaved: the keyset cursor must neither skip nor repeat
    if (i % 2 === 0) {
      rows.push({
        created_at: T0 + 100,
        type: 5,
        content: 'bad response status code 502',
        model_name: 'gpt-4o',
        group: 'vip',
        channel_id: 4,
        request_id: `2025111714014000000000${i}abcdef01Req${i}`,
        other: JSON.stringify({ request_path: '/v1/chat/completions', error_type: 'upstream_error', error_code: 'bad_response_status_code', status_code: 502, channel_id: 4, channel_name: 'oa-4', channel_type: 1, admin_info: { use_channel: ['4'] } }),
      });
    } else {
      rows.push({ created_at: T0 + 100, type: 2, content: 'Bltcy透传（runway/runway），价格: $0.0000, 配额: 1000, 来源: base', model_name: 'runway', group: 'default', channel_id: 8, other: '{"model_price":0,"group_ratio":1,"channel_ratio":1}' });
    }
  }
  rows.push({ created_at: T0 + 200, type: 3, content: 'admin changed something' });
  rows.push({
    created_at: T0 + 300,
    type: 5,
    content: 'Post "https://api.example.com/v1/chat/completions": dial tcp: lookup api.example.com: no such host',
    model_name: 'gpt-4o',
    channel_id: 3,
    other: JSON.stringify({ error_code: 'do_request_failed', status_code: 500, request_path: '/v1/chat/completions', admin_info: { use_channel: [3, 5] } }),
  });
  rows.push({ created_at: T0 + 400, type: 5, content: 'bad response status code 500', other: '{oops' });
  rows.push({ created_at: T0 + 500, type: 5, content: 'something odd', other: '{"error_code":"brand_new_code"}' });
  rows.push({ created_at: T0 + 600, type: 2, content: '模型倍率 1.00，分组倍率 1.00', model_name: 'gpt-4o', channel_id: 3, other: '{"model_ratio":1}' });
  rows.push({ created_at: UNTIL, type: 5, content: 'at the end bound: excluded', other: '{}' });
  rows.push({ created_at: T0 + 7200, type: 5, content: 'too late', other: '{}' });
  return rows;
}

const inWindow = (r: SeedRow) => r.created_at >= T0 && r.created_at < UNTIL && (r.type === 5 || r.type === 2);

describeEngines('logs table', (engine: Engine) => {
  for (const layout of ['bf', 'na-main'] as LogsLayout[]) {
    describe(layout, () => {
      let fresh: FreshDatabase;
      const rows = seed();
      beforeAll(async () => {
        fresh = await freshDatabase(engine);
        for (const sql of logsDdl(engine, layout)) await fresh.db.query(sql);
        await insertLogs(fresh.db, rows, layout);
      });
      afterAll(async () => fresh?.drop());

      it('detects columns and the created_at index from the catalogue', async () => {
        const info = await detectLogsTable(fresh.db);
        expect(info.columns.has('group')).toBe(true);
        expect(info.columns.has('request_id')).toBe(layout === 'na-main');
        expect(info.timeIndex).toEqual({ name: 'idx_created_at_type', columns: ['created_at', 'type'] });
        const byId = info.indexes.find((i) => i.name === 'idx_created_at_id')!;
        expect(byId.columns).toEqual(layout === 'na-main' ? ['created_at', 'id'] : ['id', 'created_at']);
      });

      it('reads exactly the window, page by page across ties, in index order', async () => {
        const info = await detectLogsTable(fresh.db);
        const got: LogRow[] = [];
        for await (const r of readLogsTable(fresh.db, info, { since: T0, until: UNTIL, types: [5, 2], pageSize: 3 })) got.push(r);
        const want = rows.filter(inWindow);
        expect(got).toHaveLength(want.length);
        expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
        const keys = got.map((r) => [r.createdAt, r.type, r.id]);
        const sorted = [...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!);
        expect(keys).toEqual(sorted);
        expect(got.every((r) => r.createdAt >= T0 && r.createdAt < UNTIL && (r.type === 5 || r.type === 2))).toBe(true);
        // limit stops early
        const few: LogRow[] = [];
        for await (const r of readLogsTable(fresh.db, info, { since: T0, until: UNTIL, pageSize: 4, limit: 5 })) few.push(r);
        expect(few.map((r) => r.id)).toEqual(got.slice(0, 5).map((r) => r.id));
      });

      it('unpacks channel, model, group, status and error code from the row and its other JSON', async () => {
        const info = await detectLogsTable(fresh.db);
        const got: LogRow[] = [];
        for await (const r of readLogsTable(fresh.db, info, { since: T0, until: UNTIL, types: [5] })) got.push(r);
        const bad = got.find((r) => r.errorCode === 'bad_response_status_code')!;
        expect(bad).toMatchObject({ statusCode: 502, channelId: 4, model: 'gpt-4o', group: 'vip', requestPath: '/v1/chat/completions', errorType: 'upstream_error', channelName: 'oa-4', useChannels: [4] });
        if (layout === 'na-main') expect(bad.requestId).toMatch(/^2025111714014/);
        else expect(bad.requestId).toBeUndefined();
        const dns = got.find((r) => r.errorCode === 'do_request_failed')!;
        expect(dns).toMatchObject({ channelId: 3, statusCode: 500, useChannels: [3, 5] });
        expect(got.find((r) => r.content === 'bad response status code 500')!.otherInvalid).toBe(true);
      });

      it('analyses rows into clusters', async () => {
        const info = await detectLogsTable(fresh.db);
        const a = await analyzeRows(readLogsTable(fresh.db, info, { since: T0, until: UNTIL, pageSize: 5 }));
        const by = (code: string) => a.clusters.filter((c) => c.code === code).reduce((n, c) => n + c.count, 0);
        expect(a.rows).toBe(rows.filter(inWindow).length);
        expect(by('UPSTREAM_5XX')).toBe(7);
        expect(by('MODEL_PRICE_MISSING')).toBe(6);
        expect(by('UPSTREAM_DNS_FAILED')).toBe(1);
        expect(a.unknownLines).toBe(1);
        const five = a.clusters.find((c) => c.code === 'UPSTREAM_5XX')!;
        expect(five.channels).toEqual([4]);
        expect(five.groups).toEqual(['vip', 'default']); // the row with unreadable other JSON still counts
        expect(five.firstSeen).toBe(new Date((T0 + 100) * 1000).toISOString());
        expect(five.requestIds.length).toBe(layout === 'na-main' ? 5 : 0);
        expect(a.clusters.find((c) => c.code === 'MODEL_PRICE_MISSING')!).toMatchObject({ status: 'warn', models: ['runway'], channels: [8] });
      });
    });
  }

  describe('refusals', () => {
    let fresh: FreshDatabase;
    beforeAll(async () => {
      fresh = await freshDatabase(engine);
    });
    afterAll(async () => fresh?.drop());

    it('no logs table, and a logs table without a created_at index', async () => {
      await expect(detectLogsTable(fresh.db)).rejects.toThrow(LogsTableError);
      for (const sql of logsDdl(engine, 'bf', { withIndexes: false })) await fresh.db.query(sql);
      await insertLogs(fresh.db, seed(), 'bf');
      const info = await detectLogsTable(fresh.db);
      expect(info.timeIndex).toBeUndefined();
      const it1 = readLogsTable(fresh.db, info, { since: T0, until: UNTIL });
      await expect(it1.next()).rejects.toThrow(/no index starting with created_at/);
      let n = 0;
      for await (const _ of readLogsTable(fresh.db, info, { since: T0, until: UNTIL, allowScan: true })) n++;
      expect(n).toBe(seed().filter(inWindow).length);
    });
  });
});

describeEngines('logs table query plan', (engine: Engine) => {
  if (engine === 'sqlite') {
    it('SQLite searches idx_created_at_type', async () => {
      const fresh = await freshDatabase('sqlite');
      try {
        for (const sql of logsDdl('sqlite', 'bf')) await fresh.db.query(sql);
        const info = await detectLogsTable(fresh.db);
        const { sql, params } = buildLogsPageQuery(fresh.db, info, { since: T0, until: UNTIL }, { createdAt: T0 + 10, type: 2, id: 40 });
        const plan = await fresh.db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
        const text = plan.map((p) => p.detail).join('\n');
        expect(text).toMatch(/SEARCH logs USING INDEX idx_created_at_type \(created_at>\? AND created_at<\?\)/);
        expect(text).not.toMatch(/USE TEMP B-TREE/);
      } finally {
        await fresh.drop();
      }
    });
    return;
  }
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    for (const sql of logsDdl(engine, 'bf')) await fresh.db.query(sql);
    // 40 000 rows over 30 days: a one-hour window is a small range of the index.
    const n = 40_000;
    const q = fresh.db.dialect.q;
    const cols = `${q('user_id')}, ${q('created_at')}, ${q('type')}, ${q('content')}, ${q('channel_id')}, ${q('group')}, ${q('other')}`;
    if (engine === 'postgres') {
      await fresh.db.query(`INSERT INTO logs (${cols}) SELECT 1, ${T0} - 2592000 + g * 64, CASE WHEN g % 3 = 0 THEN 5 ELSE 2 END, 'x', g % 10, 'default', '{}' FROM generate_series(1, ${n}) AS g`);
      await fresh.db.query('ANALYZE logs');
    } else {
      const rows: SeedRow[] = [];
      for (let g = 1; g <= n; g++) rows.push({ created_at: T0 - 2_592_000 + g * 64, type: g % 3 === 0 ? 5 : 2, content: 'x', channel_id: g % 10, other: '{}' });
      await insertLogs(fresh.db, rows, 'bf');
      await fresh.db.query('ANALYZE TABLE logs');
    }
  });
  afterAll(async () => fresh?.drop());

  it('the first page and a keyset page ride the created_at index', async () => {
    const info = await detectLogsTable(fresh.db);
    const since = T0 - 86_400;
    const pages = [
      buildLogsPageQuery(fresh.db, info, { since, until: since + 3600, pageSize: 2000 }),
      buildLogsPageQuery(fresh.db, info, { since, until: since + 3600, pageSize: 2000 }, { createdAt: since + 600, type: 2, id: 123 }),
    ];
    for (const { sql, params } of pages) {
      if (engine === 'postgres') {
        const [row] = await fresh.db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const plan = JSON.stringify(row!['QUERY PLAN']);
        expect(plan).toMatch(/"Index Name":"idx_created_at_(type|id)"/);
        expect(plan).not.toMatch(/"Node Type":"Seq Scan"/);
        expect(plan).toMatch(/"Index Cond":"\(\(created_at >= /);
      } else {
        const rows = await fresh.db.query<Record<string, unknown>>(`EXPLAIN ${sql}`, params);
        const r = rows.find((x) => x.table === 'logs')!;
        expect(r.key).toBe('idx_created_at_type');
        expect(r.type).toBe('range');
        expect(String(r.Extra ?? '')).not.toMatch(/filesort/);
      }
    }
  });
});
