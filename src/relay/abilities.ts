import type { AbilityRow, ChannelRow } from './model.js';
import { splitList } from './lists.js';

// AddAbilities / FixAbility (RB §4.1): one row per raw group × raw model, duplicates skipped.

export interface ExpectedAbility {
  group: string;
  model: string;
  channelId: number;
  enabled: boolean;
  priority: number;
  weight: number;
  tag: string | null;
}

export function buildAbilities(channels: Iterable<ChannelRow>, onlyModels?: ReadonlySet<string>): ExpectedAbility[] {
  const out: ExpectedAbility[] = [];
  for (const c of channels) {
    const seen = new Set<string>();
    for (const g of splitList(c.group)) {
      for (const m of splitList(c.models)) {
        if (onlyModels && !onlyModels.has(m)) continue;
        const k = `${g}\u0000${m}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ group: g, model: m, channelId: c.id, enabled: c.status === 1, priority: c.priority ?? 0, weight: c.weight ?? 0, tag: c.tag });
      }
    }
  }
  return out;
}

export interface AbilityDiff {
  missing: ExpectedAbility[];
  extra: AbilityRow[];
  changed: { expected: ExpectedAbility; actual: AbilityRow; fields: string[] }[];
}

const keyOf = (g: string, m: string, id: number) => `${g}\u0000${m}\u0000${id}`;

export function diffAbilities(expected: ExpectedAbility[], actual: AbilityRow[]): AbilityDiff {
  const act = new Map(actual.map((a) => [keyOf(a.group, a.model, a.channelId), a]));
  const exp = new Map(expected.map((e) => [keyOf(e.group, e.model, e.channelId), e]));
  const diff: AbilityDiff = { missing: [], extra: [], changed: [] };
  for (const [k, e] of exp) {
    const a = act.get(k);
    if (!a) {
      diff.missing.push(e);
      continue;
    }
    const fields: string[] = [];
    if (a.enabled !== e.enabled) fields.push('enabled');
    if (a.priority === null || a.priority !== e.priority) fields.push('priority');
    if ((a.weight ?? 0) !== e.weight) fields.push('weight');
    if (fields.length) diff.changed.push({ expected: e, actual: a, fields });
  }
  for (const [k, a] of act) if (!exp.has(k)) diff.extra.push(a);
  return diff;
}

/** Groups of enabled channels the cache rebuild has no inner map for: it panics (RB §4.3.1). */
export function panicGroups(channels: Iterable<ChannelRow>, abilityGroups: ReadonlySet<string>): { channelId: number; group: string }[] {
  const out: { channelId: number; group: string }[] = [];
  for (const c of channels) {
    if (c.status !== 1) continue;
    for (const g of new Set(splitList(c.group))) if (!abilityGroups.has(g)) out.push({ channelId: c.id, group: g });
  }
  return out;
}
