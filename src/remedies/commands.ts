import type { Dialect } from '../db/types.js';

// Commands relay-doctor suggests in remedies. It never runs them: checks only read, and the
// fix-* commands have their own guarded writers. Kept here so check files carry no write text.

/** Undo a soft delete of one row. */
export function restoreRowSql(table: 'tokens' | 'users', id: number): string {
  return `UPDATE ${table} SET deleted_at = NULL WHERE id = ${id};`;
}

/** SQLite: store channel_info as the BLOB the relay can scan. */
export function blobChannelInfoSql(channelId: number): string {
  return `UPDATE channels SET channel_info = CAST(channel_info AS BLOB) WHERE id = ${channelId};`;
}

/** Delete exactly one Redis key (never a pattern). */
export function redisDelCommand(dbIndex: number, key: string): string {
  return `redis-cli -n ${dbIndex} DEL ${key}`;
}

/** The relay's console line when an option's JSON does not decode (RB §13). */
export const OPTION_MAP_LOG_LINE = 'failed to update option map';

export function selectOptionSql(d: Dialect, key: string): string {
  return `SELECT value FROM options WHERE ${d.q('key')} = ${d.lit(key)};`;
}
