export type Engine = 'postgres' | 'mysql' | 'sqlite';
export type Row = Record<string, unknown>;

/** Where a database lives. `redacted` is safe to print (no password). */
export type DbTarget =
  | { engine: 'postgres'; url: string; redacted: string; source: string }
  | {
      engine: 'mysql';
      host: string;
      port: number;
      user: string;
      password: string;
      database: string;
      socketPath?: string;
      params: Record<string, string>;
      redacted: string;
      source: string;
    }
  | { engine: 'sqlite'; file: string; redacted: string; source: string };

export interface Dialect {
  engine: Engine;
  /** Quote an identifier the way the relay does on this engine (`group`, `key` are reserved). */
  q(ident: string): string;
  /** Boolean literal: PostgreSQL true/false, MySQL and SQLite 1/0. */
  bool(v: boolean): string;
  /** A string literal, for SQL shown to the user in remedies (never for execution). */
  lit(v: string | number | null): string;
}

export interface Db {
  readonly engine: Engine;
  readonly dialect: Dialect;
  readonly target: DbTarget;
  readonly readOnly: boolean;
  /** Run a statement; write `?` placeholders, they are converted for the engine. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Run fn inside one transaction (writers only). Rolls back on throw. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Queryable = Pick<Db, 'query' | 'engine' | 'dialect'>;

export interface OpenOptions {
  readOnly: boolean;
  /** Statement timeout in ms. */
  statementTimeoutMs: number;
  /** Connect timeout in ms. */
  connectTimeoutMs: number;
  /** Pool size bound. */
  poolSize: number;
}

export const DEFAULT_OPEN: OpenOptions = {
  readOnly: true,
  statementTimeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  poolSize: 4,
};
