import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGoMysqlDsn, parseRelayDsn, parseUserDsn, sqlitePathFrom } from '../../src/context/dsn.js';

describe('the relay SQL_DSN rules', () => {
  const cases: { name: string; dsn?: string; product?: 'one-api' | 'new-api'; engine: string; misparse?: RegExp }[] = [
    { name: 'empty → SQLite', dsn: '', engine: 'sqlite' },
    { name: 'postgres://', dsn: 'postgres://u:p@db:5432/x', engine: 'postgres' },
    { name: 'postgresql:// on new-api', dsn: 'postgresql://u:p@db/x', engine: 'postgres' },
    { name: 'postgresql:// on one-api is a MySQL DSN to it', dsn: 'postgresql://u:p@db/x', product: 'one-api', engine: 'postgres', misparse: /postgres:\/\// },
    { name: 'local prefix → SQLite', dsn: 'local', engine: 'sqlite' },
    { name: 'Go MySQL DSN', dsn: 'root:pw@tcp(10.0.0.5:3307)/oneapi?charset=utf8mb4&parseTime=true', engine: 'mysql' },
    { name: 'mysql:// URL fails in the relay', dsn: 'mysql://root:pw@db:3306/oneapi', engine: 'mysql', misparse: /go-sql-driver/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseRelayDsn(c.dsn, undefined, c.product, '/srv/relay');
      expect(r.target.engine).toBe(c.engine);
      if (c.misparse) expect(r.facts.misparse).toMatch(c.misparse);
      else expect(r.facts.misparse).toBeUndefined();
      expect(r.target.redacted).not.toContain(':pw@');
      expect(r.target.redacted).not.toContain(':p@');
    });
  }

  it('SQLITE_PATH drops its ?_busy_timeout suffix and is relative to the relay dir', () => {
    expect(sqlitePathFrom('one-api.db?_busy_timeout=30000', '/data')).toBe('/data/one-api.db');
    expect(sqlitePathFrom(undefined, '/srv')).toBe('/srv/one-api.db');
    expect(sqlitePathFrom('/abs/x.db', '/srv')).toBe('/abs/x.db');
  });

  it('reads the go-sql-driver DSN parts, passwords with @ included', () => {
    const t = parseGoMysqlDsn('user:p@ss@tcp(db.internal:3306)/relay?charset=utf8mb4', 'x');
    expect(t).toMatchObject({ engine: 'mysql', host: 'db.internal', port: 3306, user: 'user', password: 'p@ss', database: 'relay', params: { charset: 'utf8mb4' } });
    expect(t.redacted).toBe('user:***@tcp(db.internal:3306)/relay');
    expect(parseGoMysqlDsn('root@/oneapi', 'x')).toMatchObject({ host: '127.0.0.1', port: 3306, user: 'root', database: 'oneapi' });
    expect(parseGoMysqlDsn('u:p@unix(/run/mysqld.sock)/d', 'x')).toMatchObject({ socketPath: '/run/mysqld.sock' });
  });
});

describe('the --dsn forms', () => {
  const cwd = '/work';
  const table: [string, string, string][] = [
    ['postgres://postgres@127.0.0.1:5432/x', 'postgres', 'postgres://postgres@127.0.0.1:5432/x'],
    ['mysql://root:pw@127.0.0.1:3306/oneapi', 'mysql', 'mysql://root:***@127.0.0.1:3306/oneapi'],
    ['root:pw@tcp(127.0.0.1:3306)/oneapi', 'mysql', 'root:***@tcp(127.0.0.1:3306)/oneapi'],
    ['sqlite:///abs/one-api.db', 'sqlite', 'sqlite:/abs/one-api.db'],
    ['sqlite://rel/one-api.db', 'sqlite', `sqlite:${path.join(cwd, 'rel/one-api.db')}`],
    ['./data/one-api.db', 'sqlite', `sqlite:${path.join(cwd, 'data/one-api.db')}`],
    ['local', 'sqlite', `sqlite:${path.join(cwd, 'one-api.db')}`],
  ];
  for (const [dsn, engine, redacted] of table) {
    it(dsn.replace(/:pw@/, ':***@'), () => {
      const t = parseUserDsn(dsn, {}, cwd);
      expect(t.engine).toBe(engine);
      expect(t.redacted).toBe(redacted);
    });
  }
  it('rejects what it cannot place', () => {
    expect(() => parseUserDsn('hello', {}, cwd)).toThrow(/cannot tell/);
  });
  it('postgres URL passwords are redacted', () => {
    expect(parseUserDsn('postgres://u:secret@h/db', {}, cwd).redacted).toBe('postgres://u:***@h/db');
  });
});
