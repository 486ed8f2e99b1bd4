import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIncident, type SeedResult } from '../../src/sample/seed-incident.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { freshDatabase, type FreshDatabase } from '../support/engines.js';
import { makeF15, tableCounters, tempDir } from './helpers.js';

// The commands as a user meets them: consent, bad input, unreachable databases, text output.

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe.skipIf(!builtCliExists())('fix-groups / fix-abilities on the command line', () => {
  let fresh: FreshDatabase;
  let other: FreshDatabase;
  let seed: SeedResult;
  const cwd = tempDir('rd-fix-cli-');

  beforeAll(async () => {
    fresh = await freshDatabase('sqlite');
    seed = await seedIncident(fresh.db);
    await makeF15(fresh.db, seed);
    other = await freshDatabase('sqlite');
    await makeF15(other.db, await seedIncident(other.db));
  }, 60_000);
  afterAll(async () => {
    await fresh?.drop();
    await other?.drop();
    cwd.cleanup();
  });

  it('--apply without a terminal and without --yes: exit 2 before the database is opened', async () => {
    for (const cmd of ['fix-groups', 'fix-abilities']) {
      const r = await runCli([cmd, '--dsn', 'postgres://nobody:pw@127.0.0.1:1/none', '--apply']);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toMatch(/--apply changes the database: pass --yes/);
    }
    const u = await runCli(['fix-groups', '--dsn', fresh.dsn, '--undo', 'x.json']);
    expect(u.code).toBe(2);
    expect(oneLine(u.stderr)).toMatch(/--undo changes the database: pass --yes/);
  });

  it('usage errors: exclusive flags, a bad id, a missing backup, --admin-token without --relay-url', async () => {
    const cases: [string[], RegExp][] = [
      [['fix-groups', '--dsn', fresh.dsn, '--apply', '--undo', 'b.json', '--yes'], /exclusive/],
      [['fix-groups', '--dsn', fresh.dsn, '--token-id', 'abc'], /--token-id expects a non-negative integer/],
      [['fix-groups', '--dsn', fresh.dsn, '--undo', 'missing.json', '--yes'], /cannot read backup missing\.json: ENOENT/],
      [['fix-groups', '--dsn', fresh.dsn, '--to', 'vip'], /--to vip: group "vip" itself has no channel/],
      [['fix-abilities', '--dsn', fresh.dsn, '--admin-token', 'tok'], /--admin-token needs --relay-url/],
      [['fix-abilities', '--dsn', fresh.dsn, '--admin-user', 'root', '--relay-url', 'http://127.0.0.1:9'], /--admin-user expects a user id/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args, { cwd: cwd.dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr)).toMatch(msg);
    }
  });

  it('undo refuses a backup of the other command or of another database', async () => {
    const a = await runCli(['fix-groups', '--dsn', other.dsn, '--apply', '--yes', '--json'], { cwd: cwd.dir });
    expect(a.code, a.stderr).toBe(0);
    const backup = a.json().backup as string;
    const wrongDb = await runCli(['fix-groups', '--dsn', fresh.dsn, '--undo', backup, '--yes'], { cwd: cwd.dir });
    expect(wrongDb.code).toBe(2);
    expect(oneLine(wrongDb.stderr)).toMatch(/was taken on sqlite database ".*" \(sqlite:.*\), not on this one/);
    const wrongCmd = await runCli(['fix-abilities', '--dsn', other.dsn, '--undo', backup, '--yes'], { cwd: cwd.dir });
    expect(wrongCmd.code).toBe(2);
    expect(oneLine(wrongCmd.stderr)).toMatch(/is a fix-groups backup; undo it with relay-doctor fix-groups --undo/);
  });

  it('unreachable database: exit 3, one line, the JSON document names the error, no password', async () => {
    for (const cmd of ['fix-groups', 'fix-abilities']) {
      const r = await runCli([cmd, '--dsn', 'postgres://relay:Sup3rSecretPw@127.0.0.1:1/oneapi', '--json']);
      expect(r.code).toBe(3);
      expect(r.json()).toMatchObject({ schemaVersion: 1, command: cmd, mode: 'dry-run', plan: [], applied: 0, skipped: [], backup: null, cacheInvalidated: [], error: { code: 'DB_UNREACHABLE' } });
      expect(oneLine(r.stderr)).toMatch(/cannot open the relay's database/);
      expect(r.stdout + r.stderr).not.toContain('Sup3rSecretPw');
    }
  });

  it('text dry run: why, the SQL, the next command; no key in the output; nothing written', async () => {
    const before = await tableCounters(fresh.db);
    const r = await runCli(['fix-groups', '--dsn', fresh.dsn], { cwd: cwd.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dry run on sqlite:/);
    expect(r.stdout).toMatch(/target group: "default"/);
    expect(r.stdout).toMatch(/tokens: group "" → "default" \[12\]/);
    expect(r.stdout).toMatch(/why: empty token group falls back to the owner's group "vip", which has no channel for "suno", "runway", "pika", "kling" \(F15\)/);
    expect(r.stdout).toMatch(/UPDATE `tokens` SET `group` = 'default' WHERE `group` = '' AND id IN \(/);
    expect(r.stdout).toMatch(/next: relay-doctor fix-groups --to default --apply/);
    expect(r.stdout).not.toContain(seed.tokenKey);
    const ab = await runCli(['fix-abilities', '--dsn', fresh.dsn], { cwd: cwd.dir });
    expect(ab.code).toBe(0);
    expect(ab.stdout).toMatch(/abilities already equals|nothing to change/);
    expect(await tableCounters(fresh.db)).toEqual(before);
  });

  it('--backup-dir that cannot be created: exit 3 before the transaction, nothing written', async () => {
    const before = await tableCounters(fresh.db);
    const blocker = path.join(cwd.dir, 'a-file');
    fs.writeFileSync(blocker, '');
    const r = await runCli(['fix-groups', '--dsn', fresh.dsn, '--apply', '--yes', '--backup-dir', path.join(blocker, 'sub')], { cwd: cwd.dir });
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toMatch(/cannot write backups to .*a-file\/sub/);
    expect(await tableCounters(fresh.db)).toEqual(before);
  });
});
