import type { AbilityRow, ChannelRow } from './model.js';
import type { Build } from './product.js';
import { splitList } from './lists.js';
import { normalizeModelName } from './models.js';
import { abilitiesOf } from './indexes.js';

// Channel selection (RB §5.3–§5.5): which channels the relay can pick for (group, model),
// from its memory cache (built from channels) or from abilities (the DB path).

export type RoutingMode = 'cache' | 'abilities';

export interface Candidate {
  channel: ChannelRow;
  priority: number;
  weight: number;
  /** Probability of being picked on the first attempt. */
  share: number;
}

export interface Selection {
  mode: RoutingMode;
  /** Channel ids in the (group, model) slot of the routing view, all tiers. */
  slot: number[];
  /** The first-attempt tier. */
  candidates: Candidate[];
  priorities: number[];
  /** Lookup fell back to the normalised model name. */
  normalizedTo?: string;
  /** BF ≥ 2025-11-25 routes from abilities when the cache misses. */
  fallback?: 'abilities';
  /** What the selector returns as an error (the relay answers 503 with it). */
  error?: string;
  /** Weight-0 channels next to weighted ones that the weighting never picks. */
  starved: ChannelRow[];
}

const indexes = new WeakMap<readonly ChannelRow[], Map<string, Map<string, ChannelRow[]>>>();

/** group → model → enabled channels, as InitChannelCache builds it (no trim, duplicates kept). */
export function cacheIndex(channels: readonly ChannelRow[]): Map<string, Map<string, ChannelRow[]>> {
  let idx = indexes.get(channels);
  if (idx) return idx;
  idx = new Map();
  for (const c of channels) {
    if (c.status !== 1) continue;
    const models = splitList(c.models);
    for (const g of splitList(c.group)) {
      let inner = idx.get(g);
      if (!inner) idx.set(g, (inner = new Map()));
      for (const m of models) {
        const slot = inner.get(m);
        if (slot) slot.push(c);
        else inner.set(m, [c]);
      }
    }
  }
  indexes.set(channels, idx);
  return idx;
}

/** Cache slot: every enabled channel listing raw group g and raw model m, duplicates kept. */
export function cacheSlot(channels: readonly ChannelRow[], group: string, model: string): ChannelRow[] {
  return cacheIndex(channels).get(group)?.get(model) ?? [];
}

/** New-api ≥ 2025-10-29 weights as given on the cache path; older builds, BF and DB paths add 10. */
export function startsWeightZero(build: Build, mode: RoutingMode): boolean {
  return mode === 'cache' && (build === 'NA-0.9.16' || build === 'NA-main');
}

function weigh(tier: { channel: ChannelRow; priority: number; weight: number }[], build: Build, mode: RoutingMode): { cands: Candidate[]; starved: ChannelRow[] } {
  if (build === 'OA') {
    return { cands: tier.map((t) => ({ ...t, share: 1 / tier.length })), starved: [] };
  }
  const exact = startsWeightZero(build, mode);
  const weights = tier.map((t) => (exact ? t.weight : t.weight + 10));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return { cands: tier.map((t) => ({ ...t, share: 1 / tier.length })), starved: [] };
  const cands = tier.map((t, i) => ({ ...t, share: weights[i]! / total }));
  return { cands, starved: cands.filter((c) => c.share === 0).map((c) => c.channel) };
}

function byPriority(entries: { channel: ChannelRow; priority: number; weight: number }[], build: Build, mode: RoutingMode, oneApiAll: boolean) {
  const priorities = [...new Set(entries.map((e) => e.priority))].sort((a, b) => b - a);
  const top = priorities[0];
  // one-api: when the highest priority is ≤ 0 it picks among all candidates (RB §5.3).
  const tier = oneApiAll && top !== undefined && top <= 0 ? entries : entries.filter((e) => e.priority === top);
  return { priorities, ...weigh(tier, build, mode) };
}

export function selectFromCache(channels: readonly ChannelRow[], group: string, model: string, build: Build): Selection {
  let slot = cacheSlot(channels, group, model);
  let normalizedTo: string | undefined;
  if (!slot.length && build !== 'OA') {
    const n = normalizeModelName(model, build);
    if (n !== model) {
      slot = cacheSlot(channels, group, n);
      if (slot.length) normalizedTo = n;
    }
  }
  const entries = slot.map((c) => ({ channel: c, priority: c.priority ?? 0, weight: c.weight ?? 0 }));
  const { priorities, cands, starved } = byPriority(entries, build, 'cache', build === 'OA');
  return { mode: 'cache', slot: slot.map((c) => c.id), candidates: cands, priorities, normalizedTo, starved };
}

/** The DB path: enabled abilities rows at MAX(priority), then the channel row by id. */
export function selectFromAbilities(abilities: readonly AbilityRow[], channelsById: ReadonlyMap<number, ChannelRow>, group: string, model: string, build: Build): Selection {
  const rows = abilitiesOf(abilities, group, model).filter((a) => a.enabled);
  // NULL priority never equals MAX(priority) (RB §4.3.5).
  const withPrio = rows.filter((r) => r.priority !== null);
  const max = withPrio.length ? Math.max(...withPrio.map((r) => r.priority!)) : undefined;
  const top = withPrio.filter((r) => r.priority === max);
  const dangling = top.filter((r) => !channelsById.has(r.channelId));
  const entries = top
    .filter((r) => channelsById.has(r.channelId))
    .map((r) => ({ channel: channelsById.get(r.channelId)!, priority: r.priority ?? 0, weight: r.weight ?? 0 }));
  const priorities = [...new Set(withPrio.map((r) => r.priority!))].sort((a, b) => b - a);
  const { cands, starved } = weigh(entries, build, 'abilities');
  const sel: Selection = { mode: 'abilities', slot: rows.map((r) => r.channelId), candidates: cands, priorities, starved };
  if (dangling.length) {
    // The winner is drawn among all top rows; a dangling winner fails the lookup.
    const share = dangling.length / top.length;
    sel.error = `record not found (abilities name channel ${dangling.map((d) => `#${d.channelId}`).join(', ')} which does not exist; ${Math.round(share * 100)}% of first attempts)`;
  }
  return sel;
}

export interface RoutingContext {
  mode: RoutingMode;
  build: Build;
  channels: readonly ChannelRow[];
  channelsById: ReadonlyMap<number, ChannelRow>;
  abilities: readonly AbilityRow[];
}

/** What the relay does for (group, model) given its mode and build, including BF's fallback. */
export function selectChannel(rc: RoutingContext, group: string, model: string): Selection {
  if (rc.mode === 'abilities') return selectFromAbilities(rc.abilities, rc.channelsById, group, model, rc.build);
  const sel = selectFromCache(rc.channels, group, model, rc.build);
  if (!sel.candidates.length && rc.build === 'BF') {
    const fb = selectFromAbilities(rc.abilities, rc.channelsById, group, model, rc.build);
    if (fb.candidates.length || fb.error) return { ...fb, mode: 'cache', fallback: 'abilities' };
  }
  return sel;
}
