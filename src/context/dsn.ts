import path from 'node:path';
import type { DbTarget } from '../db/types.js';

// Parsing of database locations: the user's --dsn forms, and the relay's own SQL_DSN rules
// (model/main.go chooseDB): postgres:// or postgresql:// → PostgreSQL (one-api: postgres:// only),
// `local…` → SQLite at SQLITE_PATH, empty → SQLite, anything else → go-sql-driver MySQL DSN.

export type Product = 'new-api' | 'one-api' | 'bltcy';

export interface DsnFacts {
  /** Engine the relay itself would pick for this SQL_DSN. */
  relayEngine: 'postgres' | 'mysql' | 'sqlite' | 'unparsable';
  /** Why the relay's choice differs from what the DSN looks like, if it does. */
  misparse?: string;
}

export class DsnError extends Error {}

const DEFAULT_SQLITE = 'one-api.db';

/** SQLITE_PATH without its `?_busy_timeout=…` suffix; relative to the relay's working dir. */
export function sqlitePathFrom(sqlitePath: string | undefined, baseDir: string): string {
  const raw = (sqlitePath ?? '').trim() || DEFAULT_SQLITE;
  const file = raw.split('?')[0] || DEFAULT_SQLITE;
  return path.resolve(baseDir, file);
}

export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return u.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

function postgresTarget(dsn: string, source: string): DbTarget {
  return { engine: 'postgres', url: dsn, redacted: redactUrl(dsn), source };
}

/** go-sql-driver DSN: [user[:password]@][net[(addr)]]/dbname[?params]. */
export function parseGoMysqlDsn(dsn: string, source: string): DbTarget {
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) throw new DsnError('not a MySQL DSN: expected user:password@tcp(host:port)/dbname');
  const head = dsn.slice(0, slash);
  const tail = dsn.slice(slash + 1);
  const [database, query = ''] = tail.split('?', 2) as [string, string?];
  const at = head.lastIndexOf('@');
  const cred = at >= 0 ? head.slice(0, at) : '';
  const netAddr = at >= 0 ? head.slice(at + 1) : head;
  const colon = cred.indexOf(':');
  const user = colon >= 0 ? cred.slice(0, colon) : cred;
  const password = colon >= 0 ? cred.slice(colon + 1) : '';
  let host = '127.0.0.1';
  let port = 3306;
  let socketPath: string | undefined;
  if (netAddr) {
    const m = /^(\w+)(?:\((.*)\))?$/.exec(netAddr);
    if (!m) throw new DsnError(`not a MySQL DSN: cannot read the address part "${netAddr}"`);
    const [, net, addr] = m;
    if (net === 'unix') socketPath = addr || '/tmp/mysql.sock';
    else if (addr) {
      const pc = addr.lastIndexOf(':');
      if (pc > 0 && !addr.endsWith(']')) {
        host = addr.slice(0, pc).replace(/^\[|\]$/g, '');
        port = Number(addr.slice(pc + 1));
        if (!Number.isInteger(port) || port <= 0) throw new DsnError(`not a MySQL DSN: bad port in "${addr}"`);
      } else host = addr.replace(/^\[|\]$/g, '');
    }
  }
  const params = Object.fromEntries(new URLSearchParams(query));
  const where = socketPath ? `unix(${socketPath})` : `tcp(${host}:${port})`;
  const redacted = `${user}${password ? ':***' : ''}${cred ? '@' : ''}${where}/${database}`;
  return { engine: 'mysql', host, port, user, password, database, socketPath, params, redacted, source };
}

function mysqlUrlTarget(dsn: string, source: string): DbTarget {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new DsnError('not a valid mysql:// URL');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const host = url.hostname || '127.0.0.1';
  const port = url.port ? Number(url.port) : 3306;
  const params = Object.fromEntries(url.searchParams);
  const redacted = `mysql://${user}${password ? ':***' : ''}${user ? '@' : ''}${host}:${port}/${database}`;
  return { engine: 'mysql', host, port, user, password, database, params, redacted, source };
}

function sqliteTarget(file: string, source: string): DbTarget {
  return { engine: 'sqlite', file, redacted: `sqlite:${file}`, source };
}

/** The --dsn option: every form the relay takes plus mysql:// and sqlite: URLs and plain paths. */
export function parseUserDsn(dsn: string, env: { SQLITE_PATH?: string }, baseDir: string): DbTarget {
  const d = dsn.trim();
  if (!d) throw new DsnError('--dsn is empty');
  if (d.startsWith('postgres://') || d.startsWith('postgresql://')) return postgresTarget(d, '--dsn');
  if (d.startsWith('mysql://')) return mysqlUrlTarget(d, '--dsn');
  if (d.startsWith('sqlite://')) {
    const rest = d.slice('sqlite://'.length);
    return sqliteTarget(path.resolve(baseDir, rest.split('?')[0]!), '--dsn');
  }
  if (d.startsWith('sqlite:')) return sqliteTarget(path.resolve(baseDir, d.slice(7).split('?')[0]!), '--dsn');
  if (d === 'local' || d.startsWith('local')) return sqliteTarget(sqlitePathFrom(env.SQLITE_PATH, baseDir), '--dsn local');
  if (/@(tcp|unix)\(|^(tcp|unix)\(|^\w*:?[^/]*@\//.test(d)) return parseGoMysqlDsn(d, '--dsn');
  // Anything that looks like a file path (or exists) is a SQLite file.
  if (/\.(db|sqlite3?|db3)$/i.test(d) || d.includes('/') || d.startsWith('.')) {
    return sqliteTarget(path.resolve(baseDir, d), '--dsn');
  }
  throw new DsnError(
    `cannot tell which database "${d.replace(/:[^@]*@/, ':***@')}" is; use postgres://…, mysql://…, user:pw@tcp(host:port)/db, sqlite:///path.db or local`,
  );
}

/** The relay's own SQL_DSN rules, and what they imply about misconfiguration. */
export function parseRelayDsn(
  sqlDsn: string | undefined,
  sqlitePath: string | undefined,
  product: Product | undefined,
  baseDir: string,
): { target: DbTarget; facts: DsnFacts } {
  const d = (sqlDsn ?? '').trim();
  if (!d) return { target: sqliteTarget(sqlitePathFrom(sqlitePath, baseDir), 'SQLITE_PATH (SQL_DSN empty)'), facts: { relayEngine: 'sqlite' } };
  if (d.startsWith('postgresql://') && product === 'one-api') {
    // one-api only knows postgres://; it hands this to the MySQL driver and fails to start.
    return {
      target: postgresTarget(d, 'SQL_DSN'),
      facts: { relayEngine: 'unparsable', misparse: 'one-api only recognises the postgres:// prefix; a postgresql:// DSN is handed to the MySQL driver and the relay cannot open its database' },
    };
  }
  if (d.startsWith('postgres://') || d.startsWith('postgresql://')) return { target: postgresTarget(d, 'SQL_DSN'), facts: { relayEngine: 'postgres' } };
  if (d.startsWith('local') && product !== 'one-api') {
    return { target: sqliteTarget(sqlitePathFrom(sqlitePath, baseDir), 'SQL_DSN=local'), facts: { relayEngine: 'sqlite' } };
  }
  if (d.startsWith('mysql://')) {
    return {
      target: mysqlUrlTarget(d, 'SQL_DSN'),
      facts: { relayEngine: 'unparsable', misparse: 'the relay hands any non-postgres SQL_DSN to the MySQL driver as a go-sql-driver DSN; a mysql:// URL fails to parse there (write user:pass@tcp(host:3306)/db)' },
    };
  }
  try {
    return { target: parseGoMysqlDsn(d, 'SQL_DSN'), facts: { relayEngine: 'mysql' } };
  } catch (err) {
    throw new DsnError(`SQL_DSN is not a DSN the relay can use: ${(err as Error).message}`);
  }
}
