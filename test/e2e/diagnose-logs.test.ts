import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';
import { runCli } from '../support/cli.js';

// diagnose --log-file: the relay's console lines join the flowchart report as evidence.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-dlogs-'));
const LOG = [
  '[SYS] 2026/11/26 - 10:30:00 | syncing channels from database',
  'panic: assignment to entry in nil map',
  '',
  'goroutine 52 [running]:',
  'github.com/QuantumNous/new-api/model.InitChannelCache()',
  '\t/build/model/channel_cache.go:61 +0x5a5',
  '[SYS] 2026/11/26 - 10:30:05 | InitChannelCache panic: assignment to entry in nil map, retrying once',
  '[DEBUG Bltcy] Using POST/PUT request timeout: 15m0s',
  '[DEBUG Bltcy] Method: POST, targetURL: https://legacy.example.com/runwayml/v1/image_to_video, bodyLen: 123',
  '[ERROR Bltcy] Request failed: method=POST, url=https://legacy.example.com/runwayml/v1/image_to_video, error=Post "https://legacy.example.com/runwayml/v1/image_to_video": net/http: timeout awaiting response headers',
  '[GIN] 2026/11/26 - 10:31:08 | 20261126103008123456789AbCdEfGh | 500 |    1m0.193s |     203.0.113.7 |    POST /runwayml/v1/image_to_video',
  'some unrelated line from a sidecar',
].join('\n');

let fresh: FreshDatabase;
let seed: SeedResult;
beforeAll(async () => {
  fresh = await freshDatabase('sqlite');
  seed = await seedIncident(fresh.db);
  fs.writeFileSync(path.join(dir, 'oneapi.log'), LOG + '\n');
  fs.writeFileSync(path.join(dir, 'oneapi.log.gz'), zlib.gzipSync(LOG + '\n'));
});
afterAll(async () => {
  await fresh?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('diagnose --log-file', () => {
  it('a 60 s header timeout in the logs becomes an upstream failure with its lines as evidence', async () => {
    const r = await runCli(['diagnose', '--dsn', fresh.dsn, '--path', '/runwayml/v1/image_to_video', '--token', `sk-${seed.tokenKey}`, '--offline', '--log-file', path.join(dir, 'oneapi.log'), '--json']);
    const doc = r.json();
    const t = doc.findings.find((f: any) => f.code === 'UPSTREAM_TIMEOUT');
    expect(t, JSON.stringify(doc.findings.map((f: any) => f.code))).toBeTruthy();
    expect(t.stage).toBe('upstream');
    expect(t.evidence.lines).toBeGreaterThan(0);
    expect(doc.logs.sources).toEqual([path.join(dir, 'oneapi.log')]);
    expect(doc.logs.lastLines.length).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(seed.tokenKey);
  });

  it('a panic line confirms the database-side panic risk (gz input)', async () => {
    await fresh.db.query(`UPDATE channels SET ${fresh.db.dialect.q('group')} = 'default,premium' WHERE id = ?`, [seed.channelId]);
    try {
      const r = await runCli(['diagnose', '--dsn', fresh.dsn, '--model', 'runway', '--group', 'default', '--env', 'MEMORY_CACHE_ENABLED=true', '--offline', '--log-file', path.join(dir, 'oneapi.log.gz'), '--json']);
      const doc = r.json();
      const p = doc.findings.filter((f: any) => f.code === 'ABILITY_GROUP_PANIC_RISK');
      expect(p).toHaveLength(1);
      expect(p[0].evidence.logs.lines).toBeGreaterThan(0);
      expect(p[0].message).toMatch(/confirmed by \d+ log line/);
    } finally {
      await fresh.db.query(`UPDATE channels SET ${fresh.db.dialect.q('group')} = 'default' WHERE id = ?`, [seed.channelId]);
    }
  });

  it('--db-logs reads the logs table; a missing log file is a clear error, not a stack', async () => {
    const r = await runCli(['diagnose', '--dsn', fresh.dsn, '--model', 'runway', '--group', 'default', '--offline', '--db-logs', '--json']);
    expect(r.json().logs.sources[0]).toMatch(/^logs table/);
    const bad = await runCli(['diagnose', '--dsn', fresh.dsn, '--model', 'runway', '--group', 'default', '--offline', '--log-file', path.join(dir, 'missing.log')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(bad.stderr).toMatch(/cannot read --log-file .*missing\.log/);
  });
});
