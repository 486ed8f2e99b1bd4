import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { engineInfo, freshDatabase, services, type FreshDatabase } from '../support/engines.js';
import { builtCliExists, runCli } from '../support/cli.js';
import { makeF15, tableCounters, tempDir } from './helpers.js';

// A database user with SELECT only: the fixes must stop before anything starts, with one line and
// exit 3, and the dry run must still work (it never writes).

const PASSWORD = `Ro${randomBytes(6).toString('hex')}Pw`;

for (const engine of ['postgres', 'mysql'] as const) {
  const usable = engineInfo(engine).mode === 'server' && builtCliExists();
  describe.skipIf(!usable)(`fix commands as a SELECT-only ${engine} user`, () => {
    let fresh: FreshDatabase;
    let roDsn: string;
    const role = `fixes_ro_${randomBytes(4).toString('hex')}`;
    const cwd = tempDir('rd-fix-ro-');

    async function admin(sql: string[]): Promise<void> {
      const url = services()[engine].url!;
      if (engine === 'postgres') {
        const { default: pg } = await import('pg');
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          for (const s of sql) await c.query(s);
        } finally {
          await c.end();
        }
      } else {
        const { default: mysql } = await import('mysql2/promise');
        const c = await mysql.createConnection({ uri: url });
        try {
          for (const s of sql) await c.query(s);
        } finally {
          await c.end();
        }
      }
    }

    beforeAll(async () => {
      fresh = await freshDatabase(engine);
      const seed = await seedIncident(fresh.db);
      await makeF15(fresh.db, seed);
      const u = new URL(fresh.dsn);
      const database = u.pathname.slice(1);
      if (engine === 'postgres') {
        await admin([`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`]);
        await fresh.db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
      } else {
        await admin([`CREATE USER '${role}'@'%' IDENTIFIED BY '${PASSWORD}'`, `GRANT SELECT ON \`${database}\`.* TO '${role}'@'%'`]);
      }
      u.username = role;
      u.password = PASSWORD;
      roDsn = u.toString();
    }, 120_000);

    afterAll(async () => {
      await fresh?.drop();
      await admin([engine === 'postgres' ? `DROP ROLE IF EXISTS ${role}` : `DROP USER IF EXISTS '${role}'@'%'`]).catch(() => undefined);
      cwd.cleanup();
    });

    for (const command of ['fix-groups', 'fix-abilities']) {
      it(`${command} --apply: one line, exit 3, nothing written, no backup`, async () => {
        const before = await tableCounters(fresh.db);
        const r = await runCli([command, '--dsn', roDsn, '--apply', '--yes'], { cwd: cwd.dir });
        expect(r.code).toBe(3);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^relay-doctor: the database user cannot (UPDATE tokens|INSERT abilities)/);
        expect(lines[0]).toMatch(/denied|permission/i);
        expect(r.stdout + r.stderr).not.toContain(PASSWORD);
        expect(fs.existsSync(path.join(cwd.dir, 'relay-doctor-backups'))).toBe(false);
        expect(await tableCounters(fresh.db)).toEqual(before);

        const j = await runCli([command, '--dsn', roDsn, '--apply', '--yes', '--json'], { cwd: cwd.dir });
        expect(j.code).toBe(3);
        expect(j.stdout, j.stderr).not.toBe('');
        const doc = j.json();
        expect(doc).toMatchObject({ schemaVersion: 1, command, mode: 'apply', plan: [], applied: 0, backup: null, cacheInvalidated: [], error: { code: 'DB_READ_ONLY' } });
        expect(j.stdout).not.toContain(PASSWORD);
      });

      it(`${command} dry run works as that user`, async () => {
        const r = await runCli([command, '--dsn', roDsn, '--json'], { cwd: cwd.dir });
        expect(r.code, r.stderr).toBe(0);
        expect(r.json().plan.length).toBeGreaterThan(command === 'fix-groups' ? 0 : -1);
      });
    }
  });
}
