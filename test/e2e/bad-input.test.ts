import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { buildDocument } from '../../src/report/document.js';
import { engineInfo, freshDatabase, type FreshDatabase } from '../support/engines.js';
import { runCli } from '../support/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-bad-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function oneLine(stderr: string) {
  const lines = stderr.trim().split('\n').filter(Boolean);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('bad input gets one clear line and the right exit code', () => {
  it('unknown option: exit 2', async () => {
    const r = await runCli(['diagnose', '--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
    oneLine(r.stderr.split('(run')[0]!);
  });

  it('a --dsn that is no database form: exit 2', async () => {
    const r = await runCli(['diagnose', '--dsn', 'what-is-this']);
    expect(r.code).toBe(2);
    oneLine(r.stderr);
  });

  it('unreachable PostgreSQL: DB_UNREACHABLE, exit 3, JSON document still printed, no password', async () => {
    const r = await runCli(['diagnose', '--dsn', 'postgres://relay:Sup3rSecretPw@127.0.0.1:1/oneapi', '--json']);
    expect(r.code).toBe(3);
    const doc = r.json();
    expect(doc.verdict.primary.code).toBe('DB_UNREACHABLE');
    expect(doc.stages[0]).toMatchObject({ id: 'environment', status: 'fail' });
    expect(doc.stages.slice(1).every((s: any) => s.status === 'skip')).toBe(true);
    expect(r.stdout + r.stderr).not.toContain('Sup3rSecretPw');
  });

  it('unreachable database in text mode: one line on stderr, exit 3', async () => {
    const r = await runCli(['diagnose', '--dsn', 'relay:pw@tcp(127.0.0.1:1)/oneapi']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot open the relay's database/);
    oneLine(r.stderr);
  });

  it('no DSN at all: SQLite at SQLITE_PATH, else ./one-api.db, as the relay defaults', async () => {
    const r = await runCli(['diagnose', '--json'], { cwd: tmp });
    expect(r.code).toBe(3);
    expect(r.json().findings[0].evidence.database).toBe(`sqlite:${path.join(tmp, 'one-api.db')}`);
    const r2 = await runCli(['diagnose', '--json'], { cwd: tmp, env: { SQLITE_PATH: 'data/relay.db?_busy_timeout=30000' } });
    expect(r2.json().findings[0].evidence.database).toBe(`sqlite:${path.join(tmp, 'data/relay.db')}`);
  });

  it('a database that is not a relay: SCHEMA_UNRECOGNIZED, exit 3', async () => {
    const file = path.join(tmp, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE invoices (id integer primary key, total real)');
    db.close();
    const r = await runCli(['diagnose', '--dsn', file, '--json']);
    expect(r.code).toBe(3);
    expect(r.json().verdict.primary.code).toBe('SCHEMA_UNRECOGNIZED');
  });

  it('a text file that is not SQLite: DB_UNREACHABLE, exit 3, no stack', async () => {
    const file = path.join(tmp, 'notes.db');
    fs.writeFileSync(file, 'this is not a database\n'.repeat(100));
    const r = await runCli(['diagnose', '--dsn', file]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
  });

  it('every option of the full tool is implemented: no notImplemented list, --lang zh renders Chinese', async () => {
    const fresh = await freshDatabase('sqlite');
    await seedIncident(fresh.db);
    const r = await runCli(['diagnose', '--offline', '--dsn', fresh.dsn, '--model', 'runway', '--group', 'default', '--lang', 'zh', '--json']);
    await fresh.drop();
    expect(r.code).toBe(0);
    const doc = r.json();
    expect(doc.notImplemented).toBeUndefined();
    expect(doc.findings.find((f: any) => f.code === 'CACHE_WINDOW_OPEN').messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('the document lists options a build accepts without acting on them (for scripts written against a newer tool)', () => {
    const doc = buildDocument({ version: '0.0.0', target: { method: 'POST' }, verdict: { status: 'healthy', ranked: [] }, stages: [], findings: [], durationMs: 1, notImplemented: ['--future-flag'] });
    expect(doc.notImplemented).toEqual(['--future-flag']);
    expect(buildDocument({ version: '0.0.0', target: { method: 'POST' }, verdict: { status: 'healthy', ranked: [] }, stages: [], findings: [], durationMs: 1, notImplemented: [] }).notImplemented).toBeUndefined();
  });

  it('--env-file is read; --env wins over it; the relay-relative SQLite path follows the .env folder', async () => {
    const dir = path.join(tmp, 'relay');
    fs.mkdirSync(dir, { recursive: true });
    const fresh = await freshDatabase('sqlite');
    await seedIncident(fresh.db);
    await fresh.db.close();
    fs.copyFileSync(fresh.target.engine === 'sqlite' ? fresh.target.file : '', path.join(dir, 'one-api.db'));
    fs.writeFileSync(path.join(dir, '.env'), 'SQL_DSN=\nMEMORY_CACHE_ENABLED=false\nREDIS_CONN_STRING=\nSYNC_FREQUENCY=90\n');
    const r = await runCli(['diagnose', '--env-file', path.join(dir, '.env'), '--env', 'SYNC_FREQUENCY=30', '--model', 'runway', '--group', 'default', '--offline', '--json'], { cwd: tmp });
    await fresh.drop();
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc.relay.database).toBe(`sqlite:${path.join(dir, 'one-api.db')}`);
    expect(doc.relay.syncFrequency).toBe(30);
  });
});

const pg = engineInfo('postgres');
describe.skipIf(!pg.available)('secrets stay out of every output (PostgreSQL DSN with a password)', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase('postgres');
  });
  afterAll(async () => fresh?.drop());

  it('channel key, token key and DSN password never print', async () => {
    const seed = await seedIncident(fresh.db);
    const channelKey = 'sk-upstreamSECRETkey-0123456789abcdef';
    await fresh.db.query(`UPDATE channels SET ${fresh.db.dialect.q('key')} = ? WHERE id = ?`, [channelKey, seed.channelId]);
    const u = new URL(fresh.dsn);
    u.password = 'DsnPassw0rdNeverShown';
    for (const args of [
      ['diagnose', '--offline', '--dsn', u.toString(), '--path', '/runwayml/v1/image_to_video', '--token', `sk-${seed.tokenKey}`, '--json', '--verbose'],
      ['diagnose', '--offline', '--dsn', u.toString(), '--path', '/runwayml/v1/image_to_video', '--token', `sk-${seed.tokenKey}-8`, '--verbose'],
      ['diagnose', '--offline', '--dsn', u.toString(), '--verbose'],
    ]) {
      const r = await runCli(args);
      const out = r.stdout + r.stderr;
      expect(out).not.toContain(seed.tokenKey);
      expect(out).not.toContain(channelKey);
      expect(out).not.toContain('upstreamSECRETkey');
      expect(out).not.toContain('DsnPassw0rdNeverShown');
    }
  });
});
