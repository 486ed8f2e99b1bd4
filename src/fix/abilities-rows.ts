import type { Queryable, Row } from '../db/types.js';
import { bool, num, str } from '../data/normalize.js';
import { buildAbilities } from '../relay/abilities.js';
import type { ChannelRow } from '../relay/model.js';
import type { AbilityKey } from './types.js';

// The abilities rows the relay's rebuild writes for a channel (RB §4.1, BF's AddAbilities), and
// how rows are compared: per column, with the engine's key semantics.

/** Columns the relay's rebuild writes besides the key, per family (only those the table has). */
export function comparedColumns(family: 'new-api' | 'one-api', columns: ReadonlySet<string>): string[] {
  const want = family === 'one-api' ? ['enabled', 'priority'] : ['enabled', 'priority', 'weight', 'tag', 'channel_ratio', 'workflow_price'];
  return want.filter((c) => columns.has(c));
}

export type Values = Record<string, unknown>;

export interface ExpectedRow {
  key: AbilityKey;
  values: Values;
}

/** One channel's rows as its AddAbilities writes them: raw split, duplicate pairs skipped. */
export function expectedFor(channel: ChannelRow, cols: string[]): ExpectedRow[] {
  return buildAbilities([channel]).map((e) => {
    const all: Values = {
      enabled: e.enabled,
      priority: e.priority,
      weight: e.weight,
      tag: e.tag,
      // BF copies the channel's ratio, 1.0 when it is NULL; the rebuild never sets workflow_price.
      channel_ratio: channel.channelRatio ?? 1,
      workflow_price: null,
    };
    const values: Values = {};
    for (const c of cols) values[c] = all[c];
    return { key: { group: e.group, model: e.model, channelId: e.channelId }, values };
  });
}

/** Normalised column values of a row read from the table. */
export function valuesOf(row: Row, cols: string[]): Values {
  const v: Values = {};
  for (const c of cols) {
    const raw = row[c];
    v[c] = c === 'enabled' ? (raw === null || raw === undefined ? null : bool(raw)) : c === 'tag' ? str(raw) : num(raw);
  }
  return v;
}

export function sameValue(col: string, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (col === 'channel_ratio' && typeof a === 'number' && typeof b === 'number') {
    // real is float4 on PostgreSQL: compare at its precision.
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

export function differingColumns(actual: Values, expected: Values, cols: string[]): string[] {
  return cols.filter((c) => !sameValue(c, actual[c], expected[c]));
}

export function keyOfRow(row: Row): AbilityKey {
  return { group: str(row.group) ?? '', model: str(row.model) ?? '', channelId: Number(row.channel_id) };
}

export const exactKey = (k: AbilityKey): string => `${k.group}\u0000${k.model}\u0000${k.channelId}`;

/** JSON-safe copy of a row as the driver returned it, for backups (restored value for value). */
export function rawCopy(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (Buffer.isBuffer(v)) out[k] = { $base64: v.toString('base64') };
    else if (typeof v === 'bigint') out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

export function fromRawCopy(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v && typeof v === 'object' && '$base64' in (v as object) ? Buffer.from(String((v as { $base64: string }).$base64), 'base64') : v;
  }
  return out;
}

/**
 * How the table's primary key compares text. PostgreSQL and SQLite compare bytes; MySQL/MariaDB
 * collations usually ignore trailing spaces (PAD SPACE) and, for *_ci, case and accents, so the
 * relay's INSERT … ON CONFLICT DO NOTHING keeps only the first of such "equal" pairs.
 */
export interface KeyRule {
  norm(s: string): string;
  description?: string;
}

const EXACT: KeyRule = { norm: (s) => s };

function mysqlRule(collation: string | null): KeyRule {
  const c = (collation ?? '').toLowerCase();
  if (!c) return EXACT;
  const pad = !c.includes('nopad') && !c.includes('_0900_');
  const ci = c.endsWith('_ci');
  const ai = ci && !c.includes('_as_');
  if (!pad && !ci) return EXACT;
  return {
    norm: (s) => {
      let x = pad ? s.replace(/ +$/, '') : s;
      // Approximates the collation's folding: case, and accents for accent-insensitive ones.
      if (ai) x = x.normalize('NFD').replace(/\p{M}/gu, '');
      if (ci) x = x.toLowerCase();
      return x;
    },
    description: `${collation}${pad ? ', trailing spaces ignored' : ''}${ci ? ', case-insensitive' : ''}`,
  };
}

export interface KeyRules {
  group: KeyRule;
  model: KeyRule;
  /** Column widths; longer values fail the relay's insert on PostgreSQL and MySQL. */
  width: { group?: number; model?: number };
}

export async function keyRules(db: Queryable): Promise<KeyRules> {
  if (db.engine === 'sqlite') return { group: EXACT, model: EXACT, width: {} };
  const where = db.engine === 'postgres' ? 'table_schema = current_schema()' : 'table_schema = DATABASE()';
  const rows = await db.query(
    `SELECT column_name AS c, character_maximum_length AS w${db.engine === 'mysql' ? ', collation_name AS k' : ''} FROM information_schema.columns WHERE ${where} AND table_name = 'abilities' AND column_name IN ('group', 'model')`,
  );
  const by = new Map(rows.map((r) => [String(r.c ?? r.C ?? r.COLUMN_NAME).toLowerCase(), r]));
  const width = (c: string) => {
    const w = num(by.get(c)?.w ?? by.get(c)?.W ?? by.get(c)?.CHARACTER_MAXIMUM_LENGTH);
    return w === null ? undefined : w;
  };
  const coll = (c: string) => str(by.get(c)?.k ?? by.get(c)?.K ?? by.get(c)?.COLLATION_NAME);
  return {
    group: db.engine === 'mysql' ? mysqlRule(coll('group')) : EXACT,
    model: db.engine === 'mysql' ? mysqlRule(coll('model')) : EXACT,
    width: { group: width('group'), model: width('model') },
  };
}

export const normKey = (rules: KeyRules, k: AbilityKey): string => `${rules.group.norm(k.group)}\u0000${rules.model.norm(k.model)}\u0000${k.channelId}`;

/** Keep the first of each key the table's collation considers equal, in the relay's insert order. */
export function dedupeForTable(rows: ExpectedRow[], rules: KeyRules): { kept: ExpectedRow[]; merged: { kept: AbilityKey; dropped: AbilityKey }[] } {
  // AddAbilities iterates models, then groups, buildAbilities the other way round; either way the
  // first row of a class of equal keys is (first equal group, first equal model), so they agree.
  const seen = new Map<string, ExpectedRow>();
  const merged: { kept: AbilityKey; dropped: AbilityKey }[] = [];
  for (const r of rows) {
    const k = normKey(rules, r.key);
    const first = seen.get(k);
    if (first) merged.push({ kept: first.key, dropped: r.key });
    else seen.set(k, r);
  }
  return { kept: [...seen.values()], merged };
}

