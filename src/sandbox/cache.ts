// The node's routing memory (RB §5.2): group → model → channel ids of enabled channels, built from
// the channels table exactly as InitChannelCache does (untrimmed lists, duplicates kept, inner maps
// pre-created only for groups present in abilities, so an unknown group panics), plus every
// channel by id. Selection on it and on the abilities table (RB §5.3–§5.5).

import { randomInt } from 'node:crypto';
import { matchingModelName } from './settings.js';
import { GoError, type ChannelRec, type Store } from './store.js';
import type { CacheView, SandboxProduct } from './types.js';

/** A Go panic value travelling up to the recovery (request) or to the process (sync loop). */
export class GoPanic extends Error {}

export const NIL_MAP = 'assignment to entry in nil map';

export class ChannelCache {
  private groups = new Map<string, Map<string, number[]>>();
  private byId = new Map<number, ChannelRec>();
  builtAt = 0;

  /** InitChannelCache. Query errors give an empty or partial cache; a nil-map write throws GoPanic. */
  async rebuild(store: Store): Promise<void> {
    const channels = await store.allChannels().catch(() => [] as ChannelRec[]);
    const abilityGroups = await store.abilityGroups().catch(() => new Set<string>());
    const byId = new Map(channels.map((c) => [c.id, c]));
    const groups = new Map<string, Map<string, number[]>>();
    for (const g of abilityGroups) groups.set(g, new Map());
    for (const ch of channels) {
      if (ch.status !== 1) continue;
      for (const g of ch.group.split(',')) {
        for (const m of ch.models.split(',')) {
          const inner = groups.get(g);
          if (!inner) throw new GoPanic(NIL_MAP);
          const list = inner.get(m) ?? [];
          list.push(ch.id);
          inner.set(m, list);
        }
      }
    }
    // sort.Slice by priority, descending (not stable; ties keep insertion order here).
    for (const inner of groups.values()) {
      for (const [m, ids] of inner) inner.set(m, [...ids].sort((a, b) => (byId.get(b)?.priority ?? 0) - (byId.get(a)?.priority ?? 0)));
    }
    // Keep the polling index of multi-key channels, as the relay does.
    for (const [id, ch] of byId) {
      const old = this.byId.get(id);
      if (old && ch.info.isMultiKey && ch.info.multiKeyMode === 'polling' && old.info.multiKeyMode === 'polling') ch.info.pollingIndex = old.info.pollingIndex;
    }
    this.groups = groups;
    this.byId = byId;
    this.builtAt = Date.now();
  }

  clear(): void {
    this.groups = new Map();
    this.byId = new Map();
    this.builtAt = 0;
  }

  candidates(group: string, model: string): number[] {
    const inner = this.groups.get(group);
    let ids = inner?.get(model) ?? [];
    if (!ids.length) ids = inner?.get(matchingModelName(model)) ?? [];
    return ids;
  }

  channel(id: number): ChannelRec | undefined {
    return this.byId.get(id);
  }

  view(): CacheView {
    const out: CacheView = {};
    for (const [g, inner] of this.groups) {
      out[g] = {};
      for (const [m, ids] of inner) out[g]![m] = [...ids];
    }
    return out;
  }

  /** Selection on the cache (RB §5.3 steps 2–6). null = no candidates. */
  pick(group: string, model: string, retry: number, product: SandboxProduct): ChannelRec | null {
    const ids = this.candidates(group, model);
    if (!ids.length) return null;
    const missing = (id: number) => new GoError(`数据库一致性错误，渠道# ${id} 不存在，请联系管理员修复`);
    if (ids.length === 1) {
      const ch = this.byId.get(ids[0]!);
      if (!ch) throw missing(ids[0]!);
      return ch;
    }
    const chans: ChannelRec[] = [];
    for (const id of ids) {
      const ch = this.byId.get(id);
      if (!ch) throw missing(id);
      chans.push(ch);
    }
    const tiers = [...new Set(chans.map((c) => c.priority))].sort((a, b) => b - a);
    const target = tiers[Math.min(retry, tiers.length - 1)]!;
    const tier = chans.filter((c) => c.priority === target);
    return product === 'bltcy' ? pickSmoothed(tier) : pickProportional(tier);
  }
}

/** BF and every DB path: probability ∝ weight + 10. */
function pickSmoothed(tier: ChannelRec[]): ChannelRec {
  const total = tier.reduce((s, c) => s + c.weight + 10, 0);
  let r = randomInt(total);
  for (const c of tier) {
    r -= c.weight + 10;
    if (r < 0) return c;
  }
  return tier[tier.length - 1]!;
}

/** NA ≥ 2025-10-29: all weights 0 → uniform; otherwise ∝ weight (weight 0 never chosen). */
function pickProportional(tier: ChannelRec[]): ChannelRec {
  const total = tier.reduce((s, c) => s + c.weight, 0);
  if (total <= 0) return tier[randomInt(tier.length)]!;
  let r = randomInt(total);
  for (const c of tier) {
    r -= c.weight;
    if (r < 0) return c;
  }
  return tier[tier.length - 1]!;
}

/**
 * The DB path (GetRandomSatisfiedChannel, RB §5.4): abilities at the top priority, weight + 10,
 * then the winner's row by id, whose status is not re-checked. null = no abilities row.
 */
export async function pickFromAbilities(store: Store, group: string, model: string, retry: number): Promise<ChannelRec | null> {
  const rows = await store.abilityCandidates(group, model, retry);
  if (!rows.length) return null;
  const total = rows.reduce((s, r) => s + r.weight + 10, 0);
  // The relay draws in [0, total) and stops at the first row that takes it to ≤ 0.
  let w = randomInt(total);
  let id = rows[0]!.channelId;
  for (const r of rows) {
    w -= r.weight + 10;
    if (w <= 0) {
      id = r.channelId;
      break;
    }
  }
  return store.channelById(id);
}
