import type { Db, Row } from '../db/types.js';
import { loadChannels } from '../data/load.js';
import { int, num, str } from '../data/normalize.js';
import { has, type Schema } from '../data/schema.js';
import { panicGroups } from '../relay/abilities.js';
import { oddEntries, splitList } from '../relay/lists.js';
import type { ChannelRow } from '../relay/model.js';
import type { ProductInfo } from '../relay/product.js';
import {
  comparedColumns,
  dedupeForTable,
  differingColumns,
  exactKey,
  expectedFor,
  keyOfRow,
  keyRules,
  rawCopy,
  valuesOf,
  type ExpectedRow,
  type KeyRules,
  type Values,
} from './abilities-rows.js';
import type { AbilityKey, PlanRow } from './types.js';

// fix-abilities: the difference between the abilities table and what the relay's own rebuild
// (FixAbility: empty the table, AddAbilities for every channel) would write. Channels are read in
// id chunks, each with the abilities rows of its id range, so a huge table is never held whole.

export interface AbilityEntry {
  op: 'insert' | 'delete' | 'update';
  key: AbilityKey;
  /** Fingerprint of the channel the expectation came from (null: the channel did not exist). */
  channelFp?: string | null;
  /** delete/update: the compared values the row must still hold. */
  seen?: Values;
  /** The row as read, for the backup. */
  raw?: Row;
  /** insert: the row's values; update: the new values of `fields`. */
  want?: Values;
  /** insert (undo of a delete): the full row to restore, value for value. */
  insertRaw?: Row;
  fields?: string[];
  rows: PlanRow[];
}

export interface AbilitiesPlan {
  family: 'new-api' | 'one-api';
  cols: string[];
  rules: KeyRules;
  entries: AbilityEntry[];
  rows: PlanRow[];
  panicGroups: { channelId: number; group: string }[];
  warnings: string[];
  notes: string[];
  counts: { channels: number; expected: number; actual: number; missing: number; extra: number; changed: number };
}

export function channelFingerprint(v: { group: string | null; models: string | null; status: number; priority: number | null; weight: number | null; tag: string | null; ratio: number | null }): string {
  return JSON.stringify([v.group, v.models, v.status, v.priority, v.weight, v.tag, v.ratio]);
}

export const fpOfChannel = (c: ChannelRow): string =>
  channelFingerprint({ group: c.group, models: c.models, status: c.status, priority: c.priority, weight: c.weight, tag: c.tag, ratio: c.channelRatio });

export function fpOfRow(r: Row): string {
  return channelFingerprint({ group: str(r.group), models: str(r.models), status: int(r.status), priority: num(r.priority), weight: num(r.weight), tag: str(r.tag), ratio: num(r.channel_ratio) });
}

const J = JSON.stringify;

function changeReason(col: string, c: ChannelRow, before: unknown): string {
  switch (col) {
    case 'enabled':
      return `channel #${c.id} has status ${c.status}: the relay writes enabled = ${c.status === 1}`;
    case 'priority':
      return `channel #${c.id} has priority ${c.priority ?? 'NULL (written as 0)'}${before === null ? '; a NULL priority never equals MAX(priority) on the DB path' : ''}`;
    case 'weight':
      return `channel #${c.id} has weight ${c.weight ?? 'NULL (written as 0)'}`;
    case 'tag':
      return `channel #${c.id} has tag ${c.tag === null ? 'NULL' : J(c.tag)}`;
    case 'channel_ratio':
      return `channel #${c.id} has channel_ratio ${c.channelRatio ?? 'NULL (written as 1)'}`;
    case 'workflow_price':
      return "the relay's rebuild empties the table and re-inserts rows without workflow_price";
    default:
      return `differs from channel #${c.id}`;
  }
}

interface Collect {
  plan: AbilitiesPlan;
  abilityGroups: Set<string>;
  expectedGroups: Set<string>;
  enabledGroups: { channelId: number; group: string }[];
  oddChannels: string[];
  tooLong: string[];
  merged: string[];
}

function diffChunk(x: Collect, channels: ChannelRow[], actualRows: Row[]): void {
  const { plan } = x;
  const cols = plan.cols;
  const byId = new Map(channels.map((c) => [c.id, c]));
  let expected: ExpectedRow[] = [];
  for (const c of channels) {
    const odd = [oddEntries(c.models), oddEntries(c.group)];
    if (odd.some((o) => o.empty || o.padded.length)) {
      const parts = [...odd[0]!.padded, ...odd[1]!.padded].map((p) => J(p));
      if (odd[0]!.empty || odd[1]!.empty) parts.push('""');
      x.oddChannels.push(`#${c.id} (${parts.join(', ')})`);
    }
    if (c.status === 1) for (const g of new Set(splitList(c.group))) x.enabledGroups.push({ channelId: c.id, group: g });
    for (const e of expectedFor(c, cols)) {
      const w = plan.rules.width;
      if ((w.group && [...e.key.group].length > w.group) || (w.model && [...e.key.model].length > w.model)) {
        x.tooLong.push(`#${c.id} ${J(e.key.group)} × ${J(e.key.model)}`);
        continue;
      }
      expected.push(e);
    }
  }
  const d = dedupeForTable(expected, plan.rules);
  expected = d.kept;
  for (const m of d.merged) x.merged.push(`#${m.kept.channelId} ${J(m.dropped.group)} × ${J(m.dropped.model)} = ${J(m.kept.group)} × ${J(m.kept.model)}`);
  plan.panicGroups.push(...panicGroups(channels, x.abilityGroups));
  plan.counts.expected += expected.length;
  plan.counts.actual += actualRows.length;

  const actual = new Map(actualRows.map((r) => [exactKey(keyOfRow(r)), r]));
  const exp = new Set<string>();
  for (const e of expected) {
    const k = exactKey(e.key);
    exp.add(k);
    x.expectedGroups.add(e.key.group);
    const c = byId.get(e.key.channelId)!;
    const a = actual.get(k);
    if (!a) {
      const panic = !x.abilityGroups.has(e.key.group) && c.status === 1 ? ' (the group is in no abilities row: the cache rebuild panics until it is)' : '';
      const row: PlanRow = {
        table: 'abilities',
        id: e.key,
        column: '*',
        before: null,
        after: e.values,
        reason: `channel #${c.id}'s group and model lists produce this row: the relay's rebuild writes it and the table lacks it${panic}`,
      };
      plan.entries.push({ op: 'insert', key: e.key, channelFp: fpOfChannel(c), want: e.values, rows: [row] });
      plan.counts.missing++;
      continue;
    }
    const seen = valuesOf(a, cols);
    const fields = differingColumns(seen, e.values, cols);
    if (!fields.length) continue;
    const rows = fields.map((f) => ({ table: 'abilities', id: e.key, column: f, before: seen[f], after: e.values[f], reason: changeReason(f, c, seen[f]) }));
    const want: Values = {};
    for (const f of fields) want[f] = e.values[f];
    plan.entries.push({ op: 'update', key: e.key, channelFp: fpOfChannel(c), seen, raw: rawCopy(a), want, fields, rows });
    plan.counts.changed++;
  }
  for (const [k, a] of actual) {
    if (exp.has(k)) continue;
    const key = keyOfRow(a);
    const c = byId.get(key.channelId);
    const seen = valuesOf(a, cols);
    const reason = c
      ? `channel #${c.id}'s lists (group ${J(c.group)}, models ${J(c.models)}) do not produce this row: hand-inserted or stale; the relay's rebuild deletes it`
      : `channel #${key.channelId} does not exist: a dangling row (the DB path answers "record not found"); the relay's rebuild deletes it`;
    plan.entries.push({ op: 'delete', key, channelFp: c ? fpOfChannel(c) : null, seen, raw: rawCopy(a), rows: [{ table: 'abilities', id: key, column: '*', before: seen, after: null, reason }] });
    plan.counts.extra++;
  }
}

const CHANNEL_CHUNK = 200;

export async function planAbilities(db: Db, schema: Schema, product: ProductInfo, chunk = CHANNEL_CHUNK): Promise<AbilitiesPlan> {
  const tableCols = schema.tables.get('abilities') ?? new Set<string>();
  const plan: AbilitiesPlan = {
    family: product.family,
    cols: comparedColumns(product.family, tableCols),
    rules: await keyRules(db),
    entries: [],
    rows: [],
    panicGroups: [],
    warnings: [],
    notes: [],
    counts: { channels: 0, expected: 0, actual: 0, missing: 0, extra: 0, changed: 0 },
  };
  const q = db.dialect.q;
  const x: Collect = {
    plan,
    abilityGroups: new Set((await db.query(`SELECT DISTINCT ${q('group')} AS g FROM abilities`)).map((r) => str(r.g) ?? '')),
    expectedGroups: new Set(),
    enabledGroups: [],
    oddChannels: [],
    tooLong: [],
    merged: [],
  };
  let last: number | null = null;
  for (;;) {
    const ids: number[] = (await db.query(`SELECT id FROM channels${last === null ? '' : ' WHERE id > ?'} ORDER BY id LIMIT ${chunk}`, last === null ? [] : [last])).map((r) => int(r.id));
    if (!ids.length) break;
    const hi: number = ids[ids.length - 1]!;
    const channels = await loadChannels(db, schema, { ids });
    const actual = await db.query(`SELECT * FROM abilities WHERE ${last === null ? '' : 'channel_id > ? AND '}channel_id <= ?`, last === null ? [hi] : [last, hi]);
    diffChunk(x, channels, actual);
    plan.counts.channels += channels.length;
    last = hi;
  }
  // Rows above the last channel id (or every row when there is no channel) belong to no channel.
  const rest = await db.query(`SELECT * FROM abilities${last === null ? '' : ' WHERE channel_id > ?'}`, last === null ? [] : [last]);
  diffChunk(x, [], rest);

  plan.rows = plan.entries.flatMap((e) => e.rows);
  const still = x.enabledGroups.filter((p) => !x.expectedGroups.has(p.group));
  if (still.length) {
    plan.warnings.push(
      `even after the rebuild no abilities row has group ${[...new Set(still.map((s) => J(s.group)))].join(', ')} (channel ${still.map((s) => `#${s.channelId}`).join(', ')}): the relay's cache rebuild keeps panicking; fix the channel's group list`,
    );
  }
  const list = (xs: string[]) => xs.slice(0, 10).join(', ') + (xs.length > 10 ? `, … (${xs.length} in all)` : '');
  if (x.oddChannels.length) {
    plan.warnings.push(`channels with empty or space-padded list entries, reproduced as the relay writes them (LIST_ENTRY_WHITESPACE): ${list(x.oddChannels)}; clean the lists through the admin UI, then run fix-abilities again`);
  }
  if (x.merged.length) {
    plan.warnings.push(`the column collation (${plan.rules.group.description ?? plan.rules.model.description}) makes these keys equal, so the relay keeps only the first: ${list(x.merged)}`);
  }
  if (x.tooLong.length) {
    plan.warnings.push(`entries longer than the abilities column: the relay's insert fails for them (its rebuild reports the channel under "fails"); left out: ${list(x.tooLong)}`);
  }
  const lostPrice = plan.entries.filter((e) => e.fields?.includes('workflow_price')).length;
  if (lostPrice) plan.warnings.push(`${lostPrice} row(s) carry a workflow_price, which the relay's rebuild drops (as FixAbility does); the backup keeps them`);
  if (!has(schema, 'channels')) plan.notes.push('no channels table');
  return plan;
}
