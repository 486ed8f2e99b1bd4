import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSampleDb } from '../../src/commands/sample-db.js';
import { openDb } from '../../src/db/open.js';
import { UsageError } from '../../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/relay-doctor');
const COMMAND = 'relay-doctor diagnose --dsn sqlite://relay-sample.db --path /runwayml/v1/image_to_video --group default';

/** The built CLI, when dist/ is at least as new as the sources it is built from. */
function builtCliIsCurrent(): boolean {
  const built = path.join(ROOT, 'dist/commands/sample-db.js');
  if (!fs.existsSync(path.join(ROOT, 'dist/cli.js')) || !fs.existsSync(built)) return false;
  const sources = ['src/commands/sample-db.ts', 'src/sample/ddl.ts', 'src/sample/rows.ts', 'src/sample/seed-incident.ts'];
  const newest = Math.max(...sources.map((s) => fs.statSync(path.join(ROOT, s)).mtimeMs));
  return fs.statSync(built).mtimeMs >= newest;
}

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function secretsIn(file: string): Promise<string[]> {
  const db = await openDb({ engine: 'sqlite', file, redacted: file, source: 'test' }, { readOnly: true });
  try {
    const tokens = await db.query<{ k: string }>('SELECT `key` AS k FROM tokens');
    const channels = await db.query<{ k: string }>('SELECT `key` AS k FROM channels');
    return [...tokens, ...channels].map((r) => r.k);
  } finally {
    await db.close();
  }
}

describe('relay-doctor sample-db', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-sample-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the seed incident to ./relay-sample.db and nothing else, and names the diagnose command', async () => {
    const { file, line } = await writeSampleDb({}, dir);
    expect(file).toBe(path.join(dir, 'relay-sample.db'));
    expect(fs.readdirSync(dir)).toEqual(['relay-sample.db']);
    expect(line).toContain('relay-sample.db');
    expect(line).toContain(COMMAND);
    expect(line).not.toContain('\n');
    const secrets = await secretsIn(file);
    expect(secrets.length).toBe(63 + 4);
    for (const s of secrets) expect(line).not.toContain(s);

    const db = await openDb({ engine: 'sqlite', file, redacted: file, source: 'test' }, { readOnly: true });
    try {
      const [ch] = await db.query<{ type: number; status: number; ci: string }>('SELECT type, status, typeof(channel_info) AS ci FROM channels WHERE id = 8');
      expect(ch).toEqual({ type: 55, status: 1, ci: 'blob' });
      const [{ n }] = (await db.query<{ n: number }>("SELECT count(*) AS n FROM tokens WHERE `group` = 'default'")) as [{ n: number }];
      expect(n).toBe(63);
    } finally {
      await db.close();
    }
  });

  it('refuses to overwrite without --force, leaving the file untouched; --force replaces it', async () => {
    const file = path.join(dir, 'x.db');
    fs.writeFileSync(file, 'not a database');
    await expect(writeSampleDb({ out: 'x.db' }, dir)).rejects.toThrow(UsageError);
    await expect(writeSampleDb({ out: 'x.db' }, dir)).rejects.toThrow('x.db already exists; pass --force to replace it');
    expect(fs.readFileSync(file, 'utf8')).toBe('not a database');
    const first = await writeSampleDb({ out: 'x.db', force: true }, dir);
    const before = await secretsIn(first.file);
    await writeSampleDb({ out: 'x.db', force: true }, dir);
    const after = await secretsIn(first.file);
    expect(after).toHaveLength(before.length);
    expect(after[0]).not.toBe(before[0]); // a fresh database, fresh keys
    expect(fs.readdirSync(dir)).toEqual(['x.db']);
  });

  it('quotes an output path with spaces in the suggested command and errors on a missing folder', async () => {
    const { line } = await writeSampleDb({ out: 'my relay.db' }, dir);
    expect(line).toContain("--dsn 'sqlite://my relay.db'");
    await expect(writeSampleDb({ out: 'nowhere/x.db' }, dir)).rejects.toThrow(/folder .* does not exist/);
  });

  it.runIf(builtCliIsCurrent())('through the built CLI: one line on stdout, exit 2 with one line when the file exists', async () => {
    const ok = await run(['sample-db', '--out', 'incident.db'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(ok.stdout).toContain('relay-doctor diagnose --dsn sqlite://incident.db --path /runwayml/v1/image_to_video --group default');
    for (const s of await secretsIn(path.join(dir, 'incident.db'))) expect(ok.stdout + ok.stderr).not.toContain(s);
    const again = await run(['sample-db', '--out', 'incident.db'], dir);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim()).toBe('relay-doctor: incident.db already exists; pass --force to replace it');
    const forced = await run(['sample-db', '--out', 'incident.db', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['incident.db']);
  });
});
