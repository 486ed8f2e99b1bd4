// The test harness itself: fresh databases are isolated, usable as --dsn from another process,
// and really dropped; Redis databases are borrowed exclusively and emptied.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseUserDsn } from '../../src/context/dsn.js';
import { openDb } from '../../src/db/open.js';
import { describeEngines, engineInfo, freshDatabase } from '../support/engines.js';
import { listTables } from '../support/introspect.js';
import { freshRedis, redisAvailable, redisPrefix, redisSkipReason } from '../support/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Count relay-style rows through the pg driver from a separate process (as the built CLI would). */
function countFromChild(dsn: string): Promise<string> {
  const script = `
    const pg = require('pg');
    const c = new pg.Client({ connectionString: process.argv[1] });
    c.connect().then(() => c.query('SELECT count(*)::int AS n FROM t WHERE v = $1', ['默认分组']))
      .then((r) => { process.stdout.write(String(r.rows[0].n)); return c.end(); })
      .catch((e) => { process.stderr.write(e.message); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, dsn], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || err.message)) : resolve(stdout),
    );
  });
}

describeEngines('fresh databases', (engine) => {
  it('are isolated from each other, keep Chinese text, and open through the --dsn path', async () => {
    const a = await freshDatabase(engine);
    const b = await freshDatabase(engine);
    try {
      expect(a.dsn).not.toBe(b.dsn);
      await a.db.query('CREATE TABLE t (v varchar(64))');
      await a.db.query('INSERT INTO t (v) VALUES (?)', ['默认分组']);
      expect(await listTables(a.db)).toEqual(['t']);
      expect(await listTables(b.db)).toEqual([]);
      const reader = await openDb(parseUserDsn(a.dsn, {}, process.cwd()), { readOnly: true });
      try {
        expect(await reader.query('SELECT v FROM t')).toEqual([{ v: '默认分组' }]);
      } finally {
        await reader.close();
      }
      if (engine === 'mysql') {
        const [cs] = await a.db.query<{ c: string }>('SELECT default_character_set_name AS c FROM information_schema.schemata WHERE schema_name = DATABASE()');
        expect(cs!.c).toBe('utf8mb4');
      }
      if (engine === 'postgres') expect(await countFromChild(a.dsn)).toBe('1');
    } finally {
      await a.drop();
      await b.drop();
    }
    await a.drop(); // twice is harmless
  });

  it.runIf(engine !== 'sqlite' && engineInfo(engine).mode === 'server')('drop() deletes the database', async () => {
    const a = await freshDatabase(engine);
    const name = engine === 'mysql' ? (a.target as { database: string }).database : new URL(a.dsn).pathname.slice(1);
    await a.drop();
    const probe = await freshDatabase(engine);
    try {
      const sql =
        engine === 'mysql'
          ? 'SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = ?'
          : 'SELECT count(*) AS n FROM pg_database WHERE datname = ?';
      const [r] = await probe.db.query<{ n: number }>(sql, [name]);
      expect(Number(r!.n)).toBe(0);
    } finally {
      await probe.drop();
    }
  });
});

describe('Redis for tests', () => {
  if (!redisAvailable()) {
    it.skip(`skipped: Redis ${redisSkipReason()}`, () => undefined);
    return;
  }

  it('lends each test its own emptied logical database', async () => {
    const a = await freshRedis();
    const b = await freshRedis();
    try {
      expect(a.index).not.toBe(b.index);
      expect(a.url).toMatch(new RegExp(`/${a.index}$`));
      await a.client.hset('user:5', 'Group', 'default');
      expect(await b.client.exists('user:5')).toBe(0);
      expect(await a.client.hget('user:5', 'Group')).toBe('default');
    } finally {
      await a.release();
      await b.release();
    }
    const again = await freshRedis();
    try {
      expect(await again.client.dbsize()).toBe(0);
    } finally {
      await again.release();
    }
  });

  it('hands out distinct key prefixes', () => {
    expect(redisPrefix()).not.toBe(redisPrefix());
  });
});
