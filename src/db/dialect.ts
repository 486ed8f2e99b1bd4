import type { Dialect, Engine } from './types.js';

function quoteString(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

export function dialectFor(engine: Engine): Dialect {
  const q = engine === 'postgres' ? (id: string) => `"${id.replace(/"/g, '""')}"` : (id: string) => `\`${id.replace(/`/g, '``')}\``;
  return {
    engine,
    q,
    bool: (v) => (engine === 'postgres' ? (v ? 'true' : 'false') : v ? '1' : '0'),
    lit: (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : quoteString(v)),
  };
}

/** Convert `?` placeholders to `$1…` for PostgreSQL. Our SQL never has `?` inside literals. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
