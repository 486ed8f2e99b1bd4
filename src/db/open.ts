import type { Db, DbTarget, OpenOptions } from './types.js';
import { DEFAULT_OPEN } from './types.js';

/** Open a database; drivers load lazily so `--version` stays fast. */
export async function openDb(target: DbTarget, options: Partial<OpenOptions> = {}): Promise<Db> {
  const opts = { ...DEFAULT_OPEN, ...options };
  switch (target.engine) {
    case 'postgres':
      return (await import('./pg.js')).openPostgres(target, opts);
    case 'mysql':
      return (await import('./mysql.js')).openMysql(target, opts);
    case 'sqlite':
      return (await import('./sqlite.js')).openSqlite(target, opts);
  }
}
