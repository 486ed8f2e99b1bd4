import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { seedIncident } from '../../src/sample/seed-incident.js';
import { describeEngines, engineInfo, freshDatabase, type FreshDatabase } from '../support/engines.js';

// diagnose opens every database read-only: a write through that session must fail.
describeEngines('read-only sessions', (engine) => {
  let fresh: FreshDatabase;
  let ro: Db;
  beforeAll(async () => {
    fresh = await freshDatabase(engine);
    await seedIncident(fresh.db);
    ro = await openDb(fresh.target, { readOnly: true });
  });
  afterAll(async () => {
    await ro?.close();
    await fresh?.drop();
  });

  it('reads work', async () => {
    const rows = await ro.query('SELECT count(*) AS n FROM tokens');
    expect(Number(rows[0]!.n)).toBe(63);
  });

  it.skipIf(engineInfo(engine).mode === 'embedded')('writes are refused by the database itself', async () => {
    await expect(ro.query(`UPDATE tokens SET ${ro.dialect.q('group')} = 'x' WHERE id = 1`)).rejects.toThrow(/read.only|readonly|READ ONLY/i);
    const rows = await fresh.db.query(`SELECT ${fresh.db.dialect.q('group')} AS g FROM tokens WHERE id = 1`);
    expect(rows[0]!.g).not.toBe('x');
  });
});
