import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCliExists, ROOT, runCli } from '../support/cli.js';
import { engineInfo, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { bfCorpus, RID } from './corpus.js';
import { insertLogs, logsDdl, type SeedRow } from './ddl.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'logs-cmd-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SECRETS = ['sk-live1234567890abcdefLEAK9', 'hunter2', 'ptokSECRET123', 'Sup3rSecretPw'];
const noSecrets = (s: string) => SECRETS.forEach((x) => expect(s).not.toContain(x));
const oneLine = (stderr: string) => {
  expect(stderr.trim().split('\n').filter(Boolean).length).toBe(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

const bfFile = path.join(tmp, 'bf.txt');
const healthyFile = path.join(tmp, 'healthy.txt');
beforeAll(() => {
  fs.writeFileSync(bfFile, bfCorpus().lines.join('\n') + '\n');
  fs.writeFileSync(
    healthyFile,
    ['[SYS] 2025/11/17 - 14:00:00 | memory cache enabled', '[GIN] 2025/11/17 - 14:00:01 | 20251117140001123abcdefgh | 200 |   1.2ms |  10.0.0.1 |     GET /api/status'].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(tmp, 'bf.log.gz'), zlib.gzipSync(fs.readFileSync(bfFile)));
});

describe.skipIf(!builtCliExists())('relay-doctor logs', () => {
  it('--json prints the contract document; a fail cluster exits 1', async () => {
    const r = await runCli(['logs', bfFile, '--json', '--tz', 'utc']);
    expect(r.code).toBe(1);
    const doc = r.json();
    expect(doc.schemaVersion).toBe(1);
    expect(doc.tool).toEqual({ name: 'relay-doctor', version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version });
    expect(doc.lines).toBe(bfCorpus().lines.length);
    expect(doc.unknownLines).toBe(2);
    for (const c of doc.clusters) {
      for (const k of ['code', 'stage', 'count', 'firstSeen', 'lastSeen', 'channels', 'models', 'groups', 'requestIds', 'example']) expect(c).toHaveProperty(k);
    }
    expect(doc.clusters.find((c: any) => c.code === 'UPSTREAM_TLS_FAILED')).toMatchObject({ stage: 'upstream', count: 1, channels: [8], requestIds: [RID.klingTls] });
    noSecrets(r.stdout + r.stderr);
  });

  it('text: a table of clusters and the per-minute chart; verbose examples stay redacted', async () => {
    const r = await runCli(['logs', bfFile, '--tz', 'utc', '--verbose']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/UPSTREAM_TIMEOUT/);
    expect(r.stdout).toMatch(/Failure lines per minute/);
    expect(r.stdout).toMatch(/14:05 █+/);
    expect(r.stdout).toMatch(/request ids: /);
    noSecrets(r.stdout + r.stderr);
  });

  it('a healthy log exits 0', async () => {
    const r = await runCli(['logs', healthyFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No known failure signature in 2 lines/);
  });

  it('stdin (-) and .gz give the same clusters as the plain file', async () => {
    const plain = (await runCli(['logs', bfFile, '--json', '--tz', 'utc'])).json();
    const stdin = await runCli(['logs', '-', '--json', '--tz', 'utc'], { input: fs.readFileSync(bfFile, 'utf8') });
    const gz = await runCli(['logs', path.join(tmp, 'bf.log.gz'), '--json', '--tz', 'utc']);
    const strip = (d: any) => d.clusters.map((c: any) => [c.code, c.signature, c.count, c.firstSeen, c.requestIds]);
    expect(strip(stdin.json())).toEqual(strip(plain));
    expect(strip(gz.json())).toEqual(strip(plain));
  });

  it('--since/--until filter by the line time', async () => {
    const r = await runCli(['logs', bfFile, '--json', '--tz', 'utc', '--since', '2025-11-17T14:05:00Z', '--until', '2025-11-17T14:06:00Z']);
    const doc = r.json();
    expect(new Set(doc.clusters.map((c: any) => c.code))).toEqual(new Set(['ABILITY_GROUP_PANIC_RISK', 'RELAY_CRASH_LOOP', 'OPTION_JSON_INVALID', 'CHANNEL_JSON_INVALID']));
    expect(doc.skippedLines).toBeGreaterThan(50);
  });

  it('--tz changes how zone-less times are read', async () => {
    const doc = (await runCli(['logs', bfFile, '--json', '--tz', '+08:00'])).json();
    expect(doc.clusters.find((c: any) => c.code === 'OPTION_JSON_INVALID').firstSeen).toBe('2025-11-17T06:05:10.000Z');
  });

  it('--request-id prints the story and the findings of that request only', async () => {
    const r = await runCli(['logs', bfFile, '--tz', 'utc', '--request-id', RID.soraCap]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Request ${RID.soraCap}: 6 lines`);
    expect(r.stdout).toMatch(/timeout awaiting response headers/);
    const j = (await runCli(['logs', bfFile, '--tz', 'utc', '--json', '--request-id', RID.soraCap])).json();
    expect(j.clusters.map((c: any) => c.code)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(Object.keys(j.stories)).toEqual([RID.soraCap]);
    const none = await runCli(['logs', bfFile, '--request-id', '2099010100000000nothere']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/No line of request/);
  });

  it.each([
    [['logs', '/no/such/file.log'], /cannot read log file/],
    [['logs', 'x', '--since', 'yesterday'], /--since/],
    [['logs', 'x', '--tz', 'Mars/Olympus'], /--tz/],
    [['logs', 'a', 'b', '--follow'], /--follow reads exactly one file/],
    [['logs', 'x', '--request-id', 'abc'], /at least 6 characters/],
    [['logs', '--db', '--types', 'five'], /--types/],
  ])('usage error %j: exit 2, one line', async (args, msg) => {
    const real = args.map((a) => (a === 'x' || a === 'a' || a === 'b' ? healthyFile : a));
    const r = await runCli(real);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    oneLine(r.stderr);
  });

  it('--db unreachable: exit 3, a DB_UNREACHABLE document, no password', async () => {
    const r = await runCli(['logs', '--db', '--dsn', 'postgres://relay:Sup3rSecretPw@127.0.0.1:1/oneapi', '--json']);
    expect(r.code).toBe(3);
    expect(r.json().findings[0]).toMatchObject({ code: 'DB_UNREACHABLE', stage: 'environment', status: 'fail' });
    oneLine(r.stderr);
    noSecrets(r.stdout + r.stderr);
  });

  describe('--db on SQLite', () => {
    const T0 = 1_763_388_000;
    const rows: SeedRow[] = [
      { created_at: T0 + 10, type: 5, content: 'bad response status code 502', channel_id: 4, model_name: 'gpt-4o', group: 'vip', other: '{"error_code":"bad_response_status_code","status_code":502}' },
      { created_at: T0 + 20, type: 2, content: 'Bltcy透传（runway/runway），价格: $0.0000, 配额: 1000, 来源: base', channel_id: 8, model_name: 'runway' },
      { created_at: T0 - 86_400, type: 5, content: 'old', other: '{"status_code":500}' },
    ];
    let dbFile: string;
    let bare: string;
    beforeAll(async () => {
      const Database = (await import('better-sqlite3')).default;
      dbFile = path.join(tmp, 'relay.db');
      const db = new Database(dbFile);
      for (const sql of logsDdl('sqlite', 'bf')) db.exec(sql);
      db.close();
      const { openDb } = await import('../../src/db/open.js');
      const w = await openDb({ engine: 'sqlite', file: dbFile, redacted: dbFile, source: 'test' }, { readOnly: false });
      await insertLogs(w, rows, 'bf');
      await w.close();
      bare = path.join(tmp, 'bare.db');
      const b = new Database(bare);
      b.exec('CREATE TABLE things (id integer)');
      b.close();
    });

    it('reads the window of the logs table', async () => {
      const r = await runCli(['logs', '--db', '--dsn', `sqlite://${dbFile}`, '--since', '2025-11-17T13:00:00Z', '--until', '2025-11-17T15:00:00Z', '--json']);
      expect(r.code).toBe(1);
      const doc = r.json();
      expect(doc.rows).toBe(2);
      expect(doc.source.db).toContain('relay.db');
      expect(doc.clusters.map((c: any) => c.code).sort()).toEqual(['MODEL_PRICE_MISSING', 'UPSTREAM_5XX']);
    });

    it('a database without a logs table: exit 3', async () => {
      const r = await runCli(['logs', '--db', '--dsn', `sqlite://${bare}`, '--json']);
      expect(r.code).toBe(3);
      expect(r.json().findings[0].code).toBe('SCHEMA_UNRECOGNIZED');
      expect(r.stderr).toMatch(/no logs table/);
    });
  });

  describe.skipIf(!engineInfo('postgres').available)('--db follows LOG_SQL_DSN', () => {
    let fresh: FreshDatabase;
    beforeAll(async () => {
      fresh = await freshDatabase('postgres');
      for (const sql of logsDdl('postgres', 'na-main')) await fresh.db.query(sql);
      await insertLogs(fresh.db, [{ created_at: 1_763_388_100, type: 5, content: 'status_code=401, Incorrect API key provided', channel_id: 6, request_id: '20251117140140000000001deadbeefAbCdEfGh', other: '{"status_code":401}' }], 'na-main');
    });
    afterAll(async () => fresh?.drop());

    it('the logs database is LOG_SQL_DSN, not the main DSN', async () => {
      const r = await runCli(['logs', '--db', '--dsn', `sqlite://${path.join(tmp, 'main-does-not-matter.db')}`, '--env', `LOG_SQL_DSN=${fresh.dsn}`, '--since', '2025-11-17T13:00:00Z', '--until', '2025-11-17T15:00:00Z', '--json']);
      expect(r.stderr).toBe('');
      const doc = r.json();
      expect(doc.clusters).toHaveLength(1);
      expect(doc.clusters[0]).toMatchObject({ code: 'UPSTREAM_AUTH_REJECTED', channels: [6], requestIds: ['20251117140140000000001deadbeefAbCdEfGh'] });
    });

    it('--request-id finds NA-main error rows by their request_id', async () => {
      const r = await runCli(['logs', '--db', '--dsn', fresh.dsn, '--since', '2025-11-17T13:00:00Z', '--until', '2025-11-17T15:00:00Z', '--json', '--request-id', '20251117140140000']);
      const doc = r.json();
      expect(Object.keys(doc.stories)).toEqual(['20251117140140000000001deadbeefAbCdEfGh']);
      expect(doc.stories['20251117140140000000001deadbeefAbCdEfGh'][0].text).toMatch(/^logs #1 type=5 channel=6/);
      expect(doc.clusters.map((c: any) => c.code)).toEqual(['UPSTREAM_AUTH_REJECTED']);
    });
  });

  it('-f follows a growing file, prints failures as they arrive, and summarises on SIGINT', async () => {
    const file = path.join(tmp, 'growing.txt');
    fs.writeFileSync(file, '[SYS] 2025/11/17 - 14:00:00 | memory cache enabled\n');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/relay-doctor'), 'logs', '-f', file, '--tz', 'utc'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const waitFor = async (re: RegExp, what: () => string) => {
      for (let i = 0; i < 300 && !re.test(what()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(what()).toMatch(re);
    };
    await waitFor(/Following/, () => err);
    fs.appendFileSync(file, '[SYS] 2025/11/17 - 14:00:05 | failed to update option map: invalid character\n');
    await waitFor(/OPTION_JSON_INVALID/, () => out);
    fs.appendFileSync(file, '[ERROR Bltcy] Request failed: method=POST, url=https://l.example/v1/videos, error=Post "https://l.example/v1/videos": unexpected EOF\n[GIN] 2025/11/17 - 14:01:06 | 20251117140006999EofEofEo | 500 |  1m6.0s |  203.0.113.7 |    POST /v1/videos\n');
    await waitFor(/UPSTREAM_CONNECTION_DROPPED/, () => out);
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(1);
    expect(out).toMatch(/relay-doctor logs: 4 lines/);
    expect(out).toMatch(/2 fail clusters/);
  }, 90_000);
});
