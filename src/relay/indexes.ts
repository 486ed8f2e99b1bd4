import type { AbilityRow, ChannelRow } from './model.js';
import { splitList } from './lists.js';

// Lookups built once per loaded table (sweeps ask them per cell, thousands of times).

const byModel = new WeakMap<readonly ChannelRow[], Map<string, ChannelRow[]>>();

/** Channels (any status) whose raw models list holds the model, each once. */
export function channelsListing(channels: readonly ChannelRow[], model: string): ChannelRow[] {
  let idx = byModel.get(channels);
  if (!idx) {
    idx = new Map();
    for (const c of channels) {
      for (const m of new Set(splitList(c.models))) {
        const list = idx.get(m);
        if (list) list.push(c);
        else idx.set(m, [c]);
      }
    }
    byModel.set(channels, idx);
  }
  return idx.get(model) ?? [];
}

const byPair = new WeakMap<readonly AbilityRow[], Map<string, AbilityRow[]>>();

/** Abilities rows of (group, model). */
export function abilitiesOf(rows: readonly AbilityRow[], group: string, model: string): AbilityRow[] {
  let idx = byPair.get(rows);
  if (!idx) {
    idx = new Map();
    for (const r of rows) {
      const k = `${r.group}\u0000${r.model}`;
      const list = idx.get(k);
      if (list) list.push(r);
      else idx.set(k, [r]);
    }
    byPair.set(rows, idx);
  }
  return idx.get(`${group}\u0000${model}`) ?? [];
}
